/**
 * Workspaces that cannot see each other, and scopes. The cross-workspace table names every
 * root field of schema.graphql (a test fails when a field is added without an entry): a key
 * of workspace A aimed at workspace B's objects gets NOT_FOUND (or nothing: null / empty),
 * never B's data, and B's rows are unchanged afterwards.
 */
import { readFileSync } from "node:fs";
import { buildSchema, type GraphQLObjectType } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../support/database.ts";
import { postGraphQL, startTestServer, type TestServer } from "../support/http.ts";
import type { Database } from "../../src/data/database.ts";

let database: Database;
let server: TestServer;
let keyA: string;
let keyB: string;
let workspaceB: string;
const b: Record<string, string> = {};
const GHOST = "00000000-0000-4000-8000-00000000beef";

const asA = (query: string, variables?: Record<string, unknown>) => postGraphQL(`${server.url}/graphql`, query, variables, keyA);
const asB = (query: string, variables?: Record<string, unknown>) => postGraphQL(`${server.url}/graphql`, query, variables, keyB);

async function createKey(scopes: string[], workspaceId?: string, key = keyA) {
  const { data, errors } = await postGraphQL(`${server.url}/graphql`, `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id name scopes } } }`, { input: { name: `k-${scopes.join("-")}`, scopes, workspaceId } }, key);
  expect(errors).toBeUndefined();
  return data.createApiKey;
}

async function countsOfB() {
  const where = { workspaceId: workspaceB };
  const p = database.prisma;
  return Promise.all([p.dataset.count({ where }), p.model.count({ where }), p.prediction.count({ where }), p.modelAlias.count({ where }), p.apiKey.count({ where: { ...where, revokedAt: null } })]);
}

beforeAll(async () => {
  database = await openTestDatabase();
  server = await startTestServer(database);
  const wa = (await server.gql(`mutation($n: String!) { createWorkspace(name: $n) { id } }`, { n: `A-${Date.now()}` })).data.createWorkspace.id;
  workspaceB = (await server.gql(`mutation($n: String!) { createWorkspace(name: $n) { id } }`, { n: `B-${Date.now()}` })).data.createWorkspace.id;
  keyA = (await createKey(["ADMIN"], wa, server.key)).key;
  const created = await createKey(["ADMIN"], workspaceB, server.key);
  keyB = created.key;
  b.key = created.apiKey.id;
  b.dataset = (await asB(`mutation { createDataset(input: { name: "classified", csv: "x,y,c\\n1,2,p\\n2,4.1,q\\n3,5.9,p\\n4,8.2,q\\n5,9.9,p\\n6,12.2,q\\n" }) { id } }`)).data.createDataset.id;
  const model = (await asB(`mutation($d: ID!) { trainModel(wait: true, input: { datasetId: $d, name: "secret-model", algorithm: RIDGE, target: "y", features: ["x"], testFraction: 0 }) { id } }`, { d: b.dataset })).data.trainModel;
  b.model = model.id;
  await asB(`mutation { promote(model: "secret-model", version: 1, alias: "production") { id } }`);
  b.prediction = (await asB(`mutation { predict(model: "secret-model", inputs: [{ x: 1 }]) { id } }`)).data.predict[0].id;
  b.search = (await asB(`mutation($d: ID!) { searchHyperparameters(wait: true, input: { datasetId: $d, algorithm: RIDGE, target: "y", features: ["x"], space: { alpha: [1, 2] }, folds: 2 }) { id status } }`, { d: b.dataset })).data.searchHyperparameters.id;
  b.export = JSON.stringify((await asB(`mutation($id: ID!) { exportModel(id: $id) }`, { id: b.model })).data.exportModel);
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

/** field → [operation as A aimed at B, what A may see: "NOT_FOUND" | "null" | "empty" | "own"] */
const CROSS: Record<string, () => [string, Record<string, unknown>, "NOT_FOUND" | "null" | "empty" | "own"]> = {
  "Query.dataset": () => [`query($id: ID!) { dataset(id: $id) { id } }`, { id: b.dataset }, "null"],
  "Query.datasets": () => [`{ datasets { edges { node { id } } } }`, {}, "empty"],
  "Query.model": () => [`query($id: ID!) { model(id: $id) { id } }`, { id: b.model }, "null"],
  "Query.models": () => [`{ models { edges { node { id } } } }`, {}, "empty"],
  "Query.modelByReference": () => [`{ modelByReference(reference: "secret-model@production") { id } }`, {}, "NOT_FOUND"],
  "Query.predictions": () => [`query($id: ID!) { predictions(modelId: $id) { edges { node { id } } } }`, { id: b.model }, "NOT_FOUND"],
  "Query.predictionStats": () => [`{ predictionStats(model: "secret-model") { total } }`, {}, "NOT_FOUND"],
  "Query.drift": () => [`{ drift(model: "secret-model") { feature } }`, {}, "NOT_FOUND"],
  "Query.search": () => [`query($id: ID!) { search(id: $id) { id } }`, { id: b.search }, "null"],
  "Query.algorithms": () => [`{ algorithms { algorithm } }`, {}, "own"],
  "Query.apiKeys": () => [`{ apiKeys { id } }`, {}, "own"],
  "Mutation.createDataset": () => [`mutation { createDataset(input: { name: "mine", csv: "a\\n1\\n" }) { id } }`, {}, "own"],
  "Mutation.deleteDataset": () => [`mutation($id: ID!) { deleteDataset(id: $id) }`, { id: b.dataset }, "NOT_FOUND"],
  "Mutation.trainModel": () => [`mutation($d: ID!) { trainModel(wait: true, input: { datasetId: $d, name: "steal", algorithm: RIDGE, target: "y" }) { id } }`, { d: b.dataset }, "NOT_FOUND"],
  "Mutation.cancelTraining": () => [`mutation($id: ID!) { cancelTraining(id: $id) { id } }`, { id: b.model }, "NOT_FOUND"],
  "Mutation.deleteModel": () => [`mutation($id: ID!) { deleteModel(id: $id) }`, { id: b.model }, "NOT_FOUND"],
  "Mutation.predict": () => [`mutation($id: ID!) { predict(modelId: $id, inputs: [{ x: 1 }]) { id } }`, { id: b.model }, "NOT_FOUND"],
  "Mutation.searchHyperparameters": () => [`mutation($d: ID!) { searchHyperparameters(input: { datasetId: $d, algorithm: RIDGE, target: "y", space: { alpha: [1] }, folds: 2 }) { metric } }`, { d: b.dataset }, "NOT_FOUND"],
  "Mutation.trainLeaderboard": () => [`mutation($d: ID!) { trainLeaderboard(input: { datasetId: $d, name: "steal", target: "y", candidates: [{ algorithm: RIDGE }] }) { metric } }`, { d: b.dataset }, "NOT_FOUND"],
  "Mutation.selectFeatures": () => [`mutation($d: ID!) { selectFeatures(input: { datasetId: $d, algorithm: RIDGE, target: "y", folds: 2 }) { features } }`, { d: b.dataset }, "NOT_FOUND"],
  "Mutation.recordOutcome": () => [`mutation($id: ID!) { recordOutcome(predictionId: $id, actual: 3) { id } }`, { id: b.prediction }, "NOT_FOUND"],
  "Query.aliases": () => [`{ aliases(model: "secret-model") { alias } }`, {}, "NOT_FOUND"],
  "Query.replay": () => [`{ replay(model: "secret-model", against: "secret-model@1") { predictions } }`, {}, "NOT_FOUND"],
  "Mutation.comparePredictions": () => [`mutation { comparePredictions(champion: "secret-model", challenger: "secret-model@1", inputs: [{ x: 1 }]) { agreement } }`, {}, "NOT_FOUND"],
  "Mutation.setAliasRule": () => [`mutation { setAliasRule(model: "secret-model", alias: "best", metric: "r2") { id } }`, {}, "NOT_FOUND"],
  "Mutation.promote": () => [`mutation { promote(model: "secret-model", version: 1, alias: "mine") { id } }`, {}, "NOT_FOUND"],
  "Mutation.rollback": () => [`mutation { rollback(model: "secret-model", alias: "production") { id } }`, {}, "NOT_FOUND"],
  "Mutation.exportModel": () => [`mutation($id: ID!) { exportModel(id: $id) }`, { id: b.model }, "NOT_FOUND"],
  "Mutation.importModel": () => [`mutation($doc: JSON!) { importModel(document: $doc, name: "copied") { id } }`, { doc: JSON.parse(b.export) }, "own"],
  "Mutation.createWorkspace": () => [`mutation($n: String!) { createWorkspace(name: $n) { id } }`, { n: `C-${Date.now()}` }, "own"],
  "Mutation.createApiKey": () => [`mutation { createApiKey(input: { name: "mine", scopes: [READ] }) { apiKey { id } } }`, {}, "own"],
  "Mutation.revokeApiKey": () => [`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: b.key }, "NOT_FOUND"],
};

describe("workspace isolation over the whole schema", () => {
  it("has an entry for every root field of schema.graphql", () => {
    const schema = buildSchema(readFileSync(new URL("../../schema.graphql", import.meta.url), "utf8"));
    const fields = ["Query", "Mutation"].flatMap((t) => Object.keys((schema.getType(t) as GraphQLObjectType).getFields()).map((f) => `${t}.${f}`));
    expect(Object.keys(CROSS).sort()).toEqual(fields.sort());
  });

  it.each(Object.keys(CROSS))("%s as workspace A never reaches workspace B", async (field) => {
    const before = await countsOfB();
    const [query, variables, expected] = CROSS[field]();
    const { data, errors } = await asA(query, variables);
    const name = field.split(".")[1];
    const body = JSON.stringify({ data, errors });
    if (expected === "NOT_FOUND") expect(errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    if (expected === "null") expect(data[name]).toBeNull();
    if (expected === "empty") expect(data[name].edges).toEqual([]);
    if (expected === "own") expect(errors).toBeUndefined();
    // Nothing of B's that the caller did not send itself may come back (an error may echo the
    // caller's own id or name, as it would for an object that does not exist).
    const sent = query + JSON.stringify(variables);
    for (const secret of [b.dataset, b.model, b.key, "classified"]) if (!sent.includes(secret)) expect(body).not.toContain(secret);
    if (expected === "NOT_FOUND") {
      // Indistinguishable from a missing object: same code, same message shape.
      const ghost = (text: string) => text.replaceAll(b.dataset, GHOST).replaceAll(b.model, GHOST).replaceAll(b.key, GHOST).replaceAll("secret-model", "ghost-model").replaceAll(`"${b.prediction}"`, `"999999999"`);
      const missing = await asA(ghost(query), JSON.parse(ghost(JSON.stringify(variables))));
      expect(ghost(errors![0].message)).toBe(missing.errors![0].message);
    }
    expect(await countsOfB()).toEqual(before);
  });

  it("B still sees its own objects", async () => {
    expect((await asB(`query($id: ID!) { dataset(id: $id) { name } }`, { id: b.dataset })).data.dataset.name).toBe("classified");
  });
});

describe("scopes and keys", () => {
  it.each([
    [["READ"], `mutation { createDataset(input: { name: "x", csv: "a\\n1\\n" }) { id } }`, "WRITE"],
    [["READ", "WRITE"], `mutation { predict(model: "nothing", inputs: [{}]) { id } }`, "PREDICT"],
    [["PREDICT"], `{ datasets { edges { cursor } } }`, "READ"],
    [["PREDICT", "READ"], `mutation { exportModel(id: "00000000-0000-4000-8000-000000000000") }`, "EXPORT"],
    [["TRAIN"], `mutation { createApiKey(input: { name: "x", scopes: [ADMIN] }) { key } }`, "ADMIN"],
  ])("a key with %j gets FORBIDDEN naming %s", async (scopes, query, scope) => {
    const { key } = await createKey(scopes);
    const { errors, status } = await postGraphQL(`${server.url}/graphql`, query, {}, key);
    expect(status).toBe(200);
    expect(errors![0].extensions).toMatchObject({ code: "FORBIDDEN", scope });
    expect(errors![0].message).toContain(scope);
  });

  it("stores only a hash, records lastUsedAt, and a revoked key gets 401", async () => {
    const { key, apiKey } = await createKey(["READ"]);
    const row = await database.prisma.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
    expect(JSON.stringify(row)).not.toContain(key);
    expect((await postGraphQL(`${server.url}/graphql`, `{ algorithms { algorithm } }`, {}, key)).status).toBe(200);
    expect((await database.prisma.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } })).lastUsedAt).not.toBeNull();
    await asA(`mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, { id: apiKey.id });
    const refused = await postGraphQL(`${server.url}/graphql`, `{ algorithms { algorithm } }`, {}, key);
    expect(refused.status).toBe(401);
    expect(refused.errors![0].extensions!.code).toBe("UNAUTHENTICATED");
  });

  it("refuses missing, malformed and unknown keys with 401", async () => {
    for (const key of [undefined, "nonsense-key-that-does-not-exist"]) {
      const response = await postGraphQL(`${server.url}/graphql`, `{ algorithms { algorithm } }`, {}, key);
      expect(response.status).toBe(401);
      expect(response.errors![0].extensions!.code).toBe("UNAUTHENTICATED");
    }
  });

  it("refuses a key that expires in the past", async () => {
    const { errors } = await asA(`mutation { createApiKey(input: { name: "old", scopes: [READ], expiresAt: "2020-01-01T00:00:00Z" }) { key } }`);
    expect(errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "expiresAt" });
  });
});
