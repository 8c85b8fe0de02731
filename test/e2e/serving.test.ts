/**
 * Serving beyond one model per call, over real HTTP against the real Postgres: shadow
 * deployments, champion / challenger, replay of the log against another version, aliases that
 * follow the best score, lineage's code version, and the prediction log's group commit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import houses from "../fixtures/pipeline/houses.json" with { type: "json" };
import { openTestDatabase } from "../support/database.ts";
import { startTestServer, type TestServer } from "../support/http.ts";
import type { Database } from "../../src/data/database.ts";

let database: Database;
let server: TestServer;
let datasetId: string;
const inputs = [
  { sqft: 1500, age: 10, garage: true, city: "Paris" },
  { sqft: 900, age: 60, garage: false, city: "Lyon" },
  { sqft: 2800, age: 3, garage: true, city: "Nice" },
];
const asLiteral = (value: unknown) => JSON.stringify(value).replace(/"(\w+)":/g, "$1:");

async function train(name: string, alpha: number, extra: Record<string, unknown> = {}) {
  const { data, errors } = await server.gql(`mutation($input: TrainModelInput!) { trainModel(wait: true, input: $input) { id version metrics { r2 } codeVersion } }`, {
    input: { datasetId, name, algorithm: "RIDGE", target: "price", features: houses.features, hyperparameters: { alpha }, ...extra },
  });
  expect(errors).toBeUndefined();
  return data.trainModel as { id: string; version: number; metrics: { r2: number }; codeVersion: string };
}

const logCount = (modelId: string) => database.prisma.prediction.count({ where: { modelId } });

beforeAll(async () => {
  database = await openTestDatabase();
  server = await startTestServer(database);
  datasetId = (await server.gql(`mutation($csv: String!) { createDataset(input: { name: "houses", csv: $csv }) { id } }`, { csv: houses.csv })).data.createDataset.id;
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

describe("shadow and champion / challenger", () => {
  let v1: { id: string };
  let v2: { id: string };
  beforeAll(async () => {
    v1 = await train("serving", 0.1);
    v2 = await train("serving", 100_000);
  });

  it("a shadow scores and logs the same inputs under its own version, and is not returned", async () => {
    const [before1, before2] = [await logCount(v1.id), await logCount(v2.id)];
    const { data, errors } = await server.gql(`mutation { predict(model: "serving@1", shadow: "serving@2", inputs: ${asLiteral(inputs)}) { model { version } } }`);
    expect(errors).toBeUndefined();
    expect(data.predict.map((p: any) => p.model.version)).toEqual([1, 1, 1]);
    expect(await logCount(v1.id)).toBe(before1 + 3);
    expect(await logCount(v2.id)).toBe(before2 + 3);
  });

  it("a shadow whose signature the inputs do not fit is skipped; the call still answers", async () => {
    const other = await server.gql(`mutation($input: TrainModelInput!) { trainModel(wait: true, input: $input) { id } }`, {
      input: { datasetId, name: "needs-expensive", algorithm: "LOGISTIC_REGRESSION", target: "garage", features: ["expensive"] },
    });
    const before = await logCount(other.data.trainModel.id);
    const { data, errors } = await server.gql(`mutation { predict(model: "serving@1", shadow: "needs-expensive", inputs: ${asLiteral(inputs)}) { id } }`);
    expect(errors).toBeUndefined();
    expect(data.predict).toHaveLength(3);
    expect(await logCount(other.data.trainModel.id)).toBe(before);
  });

  it("compares two references on the same inputs and logs both", async () => {
    const same = await server.gql(`mutation { comparePredictions(champion: "serving@1", challenger: "serving@1", inputs: ${asLiteral(inputs)}) { agreement meanAbsoluteDifference maxAbsoluteDifference champion { output } challenger { output } } }`);
    expect(same.errors).toBeUndefined();
    expect(same.data.comparePredictions).toMatchObject({ agreement: 1, meanAbsoluteDifference: 0, maxAbsoluteDifference: 0 });
    const before = [await logCount(v1.id), await logCount(v2.id)];
    const differ = await server.gql(`mutation { comparePredictions(champion: "serving@1", challenger: "serving@2", inputs: ${asLiteral(inputs)}) { agreement meanAbsoluteDifference maxAbsoluteDifference champion { output model { version } } challenger { output model { version } } } }`);
    expect(differ.errors).toBeUndefined();
    const result = differ.data.comparePredictions;
    expect(result.champion.map((p: any) => p.model.version)).toEqual([1, 1, 1]);
    expect(result.challenger.map((p: any) => p.model.version)).toEqual([2, 2, 2]);
    const gaps = result.champion.map((p: any, i: number) => Math.abs(p.output - result.challenger[i].output));
    expect(result.meanAbsoluteDifference).toBeCloseTo(gaps.reduce((a: number, b: number) => a + b, 0) / 3, 6);
    expect(result.maxAbsoluteDifference).toBe(Math.max(...gaps));
    // Heavy shrinkage (alpha 1e5) moves every price by far more than 1%.
    expect(result.agreement).toBe(0);
    expect([await logCount(v1.id), await logCount(v2.id)]).toEqual([before[0] + 3, before[1] + 3]);
  });

  it("replays logged inputs against another version without logging, with metrics where outcomes exist", async () => {
    const logged = await server.gql(`mutation { predict(model: "serving@1", inputs: ${asLiteral(inputs)}) { id output } }`);
    await server.gql(`mutation($id: ID!) { recordOutcome(predictionId: $id, actual: 500000) { id } }`, { id: logged.data.predict[0].id });
    const before = await logCount(v2.id);
    const { data, errors } = await server.gql(`{ replay(model: "serving@1", against: "serving@2") { predictions skipped agreement meanAbsoluteDifference outcomes originalMetrics { rows mae } replayedMetrics { rows mae } } }`);
    expect(errors).toBeUndefined();
    const replay = data.replay;
    expect(replay.predictions).toBe(await logCount(v1.id));
    expect(replay.skipped).toBe(0);
    expect(replay.agreement).toBe(0);
    expect(replay.outcomes).toBe(1);
    expect(replay.originalMetrics.mae).toBeCloseTo(Math.abs(logged.data.predict[0].output - 500000), 6);
    expect(replay.replayedMetrics.rows).toBe(1);
    expect(await logCount(v2.id)).toBe(before);
    const bad = await server.gql(`{ replay(model: "serving@1", against: "serving@2", limit: 0) { predictions } }`);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "limit" });
  });
});

describe("an alias that follows the best score", () => {
  it("moves to the best version now and when a better one becomes READY, not when a worse one does", async () => {
    const weak = await train("ruled", 1e6);
    const strong = await train("ruled", 0.01);
    expect(strong.metrics.r2).toBeGreaterThan(weak.metrics.r2);
    const set = await server.gql(`mutation { setAliasRule(model: "ruled", alias: "best", metric: "r2") { version } }`);
    expect(set.errors).toBeUndefined();
    expect(set.data.setAliasRule.version).toBe(2);
    await train("ruled", 1e7); // worse: the alias stays
    expect((await server.gql(`{ modelByReference(reference: "ruled@best") { version } }`)).data.modelByReference.version).toBe(2);
    await train("ruled", 1e-6); // about as good as v2 or better
    const now = (await server.gql(`{ modelByReference(reference: "ruled@best") { version metrics { r2 } } }`)).data.modelByReference;
    const r2s = (await database.prisma.model.findMany({ where: { name: "ruled" }, select: { version: true, metrics: true } })).map((m) => ({ v: m.version, r2: (m.metrics as any).r2 }));
    const best = r2s.reduce((a, b) => (b.r2 > a.r2 || (b.r2 === a.r2 && b.v > a.v) ? b : a));
    expect(now.version).toBe(best.v);

    const { data } = await server.gql(`{ aliases(model: "ruled") { alias version rule moves { fromVersion toVersion kind } } }`);
    expect(data.aliases[0]).toMatchObject({ alias: "best", rule: "r2" });
    expect(data.aliases[0].moves.every((m: any) => m.kind === "RULE")).toBe(true);
  });

  it("a manual promote ends the rule; an unknown metric is refused naming it", async () => {
    await server.gql(`mutation { promote(model: "ruled", version: 1, alias: "best") { version } }`);
    const { data } = await server.gql(`{ aliases(model: "ruled") { alias version rule } }`);
    expect(data.aliases[0]).toEqual({ alias: "best", version: 1, rule: null });
    await train("ruled", 0.001);
    expect((await server.gql(`{ modelByReference(reference: "ruled@best") { version } }`)).data.modelByReference.version).toBe(1);
    const bad = await server.gql(`mutation { setAliasRule(model: "ruled", alias: "best", metric: "accuracy") { version } }`);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "metric" });
  });

  it("follows a cross-validated mean with cv:<metric>", async () => {
    await train("cv-ruled", 1e6, { folds: 3 });
    await train("cv-ruled", 0.1, { folds: 3 });
    const { data, errors } = await server.gql(`mutation { setAliasRule(model: "cv-ruled", alias: "production", metric: "cv:rmse") { version } }`);
    expect(errors).toBeUndefined();
    expect(data.setAliasRule.version).toBe(2);
  });
});

describe("lineage and the log", () => {
  it("records the code version that trained each version", async () => {
    const model = await train("lineage", 1);
    expect(model.codeVersion).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("group-commits concurrent predictions: fewer INSERTs than requests, every one acknowledged and logged", async () => {
    const v = await train("group-commit", 1);
    const stats = server.app.services.predictions.logStats;
    const before = { ...stats };
    const requests = 40;
    const answers = await Promise.all(
      Array.from({ length: requests }, () => server.gql(`mutation { predict(model: "group-commit", inputs: ${asLiteral([inputs[0]])}) { id } }`)),
    );
    const ids = answers.map((a) => a.data.predict[0].id);
    expect(new Set(ids).size).toBe(requests);
    expect(await logCount(v.id)).toBe(requests);
    expect(stats.rows - before.rows).toBe(requests);
    // Not a timing assertion: with 40 requests in flight at once, at least two must share an INSERT.
    expect(stats.inserts - before.inserts).toBeLessThan(requests);
  });
});
