/**
 * Limits on what one request may cost, checked before any resolver runs; hostile inputs that
 * must come back as clear errors without stack traces, SQL or paths.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openTestDatabase } from "../support/database.ts";
import { postGraphQL, startTestServer, type TestServer } from "../support/http.ts";
import type { Database } from "../../src/data/database.ts";

let database: Database;
let server: TestServer;
let strict: TestServer;

beforeAll(async () => {
  database = await openTestDatabase();
  server = await startTestServer(database, { maxBodyBytes: 64 * 1024 });
  strict = await startTestServer(database, { limits: { introspection: false, maxCost: 500 } });
});
afterAll(async () => {
  await server?.close();
  await strict?.close();
  await database?.close();
});

describe("operation limits", () => {
  it("refuses a query deeper than MAX_DEPTH before any resolver runs", async () => {
    const query = `{ models { edges { node { dataset { columns { stats { histogram { edges } } } } } } } }`;
    expect((await server.gql(query)).errors).toBeUndefined(); // depth 8: within the default 12
    const limited = await startTestServer(database, { limits: { maxDepth: 4 } });
    const spy = vi.spyOn(limited.app.services.models, "listModels");
    const refused = await postGraphQL(`${limited.url}/graphql`, query, {}, limited.key);
    await limited.close();
    expect(refused.errors![0].extensions!.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(refused.errors![0].message).toMatch(/depth limit of 4/i);
    expect(spy).not.toHaveBeenCalled();
  });

  it("refuses too many aliases", async () => {
    const query = `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: algorithms { algorithm }`).join(" ")} }`;
    const { errors } = await server.gql(query);
    expect(errors![0].extensions!.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(errors![0].message).toMatch(/aliases limit of 20/i);
  });

  it("counts rows in the cost: a large page or batch is refused naming MAX_COST", async () => {
    const page = await postGraphQL(`${strict.url}/graphql`, `{ datasets(first: 100) { edges { node { id name rowCount columns { name } } } } }`, {}, strict.key);
    expect(page.status).toBe(400);
    expect(page.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", limit: "MAX_COST" });
    const inputs = Array.from({ length: 300 }, () => ({ x: 1 }));
    const batch = await postGraphQL(`${strict.url}/graphql`, `mutation($inputs: [JSON!]!) { predict(model: "any", inputs: $inputs) { id output label } }`, { inputs }, strict.key);
    expect(batch.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", limit: "MAX_COST" });
    expect(batch.errors![0].message).toMatch(/cost 901 exceeds/);
  });

  it("rate-limits per key with RATE_LIMITED and Retry-After", async () => {
    const limited = await startTestServer(database, { rateLimit: { perSecond: 1, burst: 3 } });
    const { key } = (await limited.gql(`mutation { createApiKey(input: { name: "burst", scopes: [READ] }) { key } }`)).data!.createApiKey;
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push(await fetch(`${limited.url}/graphql`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify({ query: "{ algorithms { algorithm } }" }) }));
    expect(statuses.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200]);
    await limited.close();
    const refused = statuses[3];
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as any).errors[0].extensions.code).toBe("RATE_LIMITED");
  });

  it("turns off introspection and field suggestions when configured", async () => {
    const intro = await postGraphQL(`${strict.url}/graphql`, `{ __schema { types { name } } }`, {}, strict.key);
    expect(intro.errors![0].message).toMatch(/introspection/i);
    const typo = await postGraphQL(`${strict.url}/graphql`, `{ algorithmz { algorithm } }`, {}, strict.key);
    expect(typo.errors![0].message).not.toMatch(/Did you mean/);
    const open = await server.gql(`{ algorithmz { algorithm } }`);
    expect(open.errors![0].message).toMatch(/Did you mean/);
  });

  it("refuses a body over MAX_BODY_BYTES with 413 and a page over the maximum", async () => {
    const huge = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${server.key}` },
      body: JSON.stringify({ query: "mutation($csv: String!) { createDataset(input: { name: \"x\", csv: $csv }) { id } }", variables: { csv: "a\n" + "1\n".repeat(40_000) } }),
    });
    expect(huge.status).toBe(413);
    const big = await server.gql(`{ models(first: 101) { edges { cursor } } }`);
    expect(big.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "first" });
  });
});

describe("a training request's time budget", () => {
  it("stops a fit that runs past MAX_TRAINING_SECONDS: the version is FAILED naming the limit", async () => {
    const budgeted = await startTestServer(database, { maxTrainingSeconds: 1 });
    try {
      // 3000 noisy rows that a linear SVM cannot fit to tol 1e-15: it would run 10⁷ passes.
      const rows = Array.from({ length: 3000 }, (_, i) => `${(i * 7919) % 1000},${(i * 104729) % 997},${(i * 31) % 2 === 0 ? "a" : "b"}`);
      const created = await budgeted.gql(`mutation($csv: String!) { createDataset(input: { name: "slow", csv: $csv }) { id } }`, { csv: ["x,z,label", ...rows].join("\n") });
      const started = performance.now();
      const { data, errors } = await budgeted.gql(`mutation($d: ID!) { trainModel(wait: true, input: { datasetId: $d, name: "slow", algorithm: LINEAR_SVM, target: "label", hyperparameters: { max_iter: 10000000, tol: 1e-15 } }) { id status error metrics { accuracy } } }`, {
        d: created.data.createDataset.id,
      });
      expect(errors).toBeUndefined();
      // A training job ends FAILED, with the reason; it is not retried (it would run out again).
      expect(data.trainModel).toMatchObject({ status: "FAILED", metrics: null });
      expect(data.trainModel.error).toMatch(/budget of 1 s \(MAX_TRAINING_SECONDS\)/);
      // Stopped between iterations soon after the deadline, not after 10⁷ passes.
      expect(performance.now() - started).toBeLessThan(30_000);
      expect((await database.prisma.model.findUniqueOrThrow({ where: { id: data.trainModel.id } })).attempts).toBe(1);
    } finally {
      await budgeted.close();
    }
  });
});

describe("hostile input never leaks internals", () => {
  it.each([
    ["invalid JSON body", "{not json", "application/json"],
    ["a wrong content type", "query=1", "text/plain"],
    ["a truncated body", '{"query": "{ algorithms { alg', "application/json"],
    ["a batch", JSON.stringify([{ query: "{ algorithms { algorithm } }" }, { query: "{ algorithms { task } }" }]), "application/json"],
  ])("%s gets a 4xx with no stack, SQL or path", async (_case, body, contentType) => {
    const response = await fetch(`${server.url}/graphql`, { method: "POST", headers: { "content-type": contentType, authorization: `Bearer ${server.key}` }, body });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    const text = await response.text();
    expect(text).not.toMatch(/at .*\.(ts|js):\d+|node_modules|\/work\/|SELECT |INSERT /);
  });

  it.each([
    ["a NUL byte in a name", `mutation { createDataset(input: { name: "a\\u0000b", csv: "x\\n1\\n" }) { id } }`],
    ["SQL in an id", `{ dataset(id: "1' OR '1'='1") { id } }`],
    ["a prototype key in an input", `mutation { predict(model: "x", inputs: [{ __proto__: { polluted: 1 }, constructor: 1 }]) { id } }`],
    ["a huge number", `mutation { createDataset(input: { name: "n", csv: "x\\n1e400\\n2\\n" }) { columns { type } } }`],
  ])("%s answers without leaking internals", async (_case, query) => {
    const response = await server.gql(query);
    expect(response.status).toBeLessThan(500);
    const text = JSON.stringify(response);
    expect(text).not.toMatch(/at .*\.(ts|js):\d+|node_modules|\/work\/|prisma|SELECT |stacktrace/i);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
