/**
 * Model selection over real HTTP: grid and random search scored by cross-validation, the
 * best trained in the same call, a leaderboard of algorithms, and the limits that keep a
 * search from blocking the server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import houses from "../fixtures/pipeline/houses.json" with { type: "json" };
import { openTestDatabase } from "../support/database.ts";
import { startTestServer, type TestServer } from "../support/http.ts";
import type { Database } from "../../src/data/database.ts";

let database: Database;
let server: TestServer;
let datasetId: string;

const SEARCH = `mutation($input: SearchInput!) { searchHyperparameters(wait: true, input: $input) {
  metric greaterIsBetter folds trials { rank hyperparameters mean std fitSeconds } best { rank hyperparameters mean }
  model { id status hyperparameters cvMetrics { r2 { mean std } } }
} }`;
const LEADERBOARD = `mutation($input: LeaderboardInput!) { trainLeaderboard(wait: true, input: $input) {
  metric entries { rank score model { id algorithm version status metrics { r2 rmse } } }
} }`;

beforeAll(async () => {
  database = await openTestDatabase();
  server = await startTestServer(database);
  datasetId = (await server.gql(`mutation($csv: String!) { createDataset(input: { name: "houses", csv: $csv }) { id } }`, { csv: houses.csv })).data.createDataset.id;
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

const base = () => ({ datasetId, algorithm: "RIDGE", target: "price", features: ["sqft", "age", "garage", "city"], seed: 3 });

describe("searchHyperparameters", () => {
  it("grid: every candidate scored by CV, ranked, the best trained, consistent with trainModel's CV", async () => {
    const { data, errors } = await server.gql(SEARCH, { input: { ...base(), space: { alpha: [0.01, 1, 100, 10000] }, folds: 4, trainBest: "best-ridge" } });
    expect(errors).toBeUndefined();
    const result = data.searchHyperparameters;
    expect(result).toMatchObject({ metric: "r2", greaterIsBetter: true, folds: 4 });
    expect(result.trials.map((t: any) => t.hyperparameters.alpha)).toEqual([0.01, 1, 100, 10000]);
    const means = result.trials.map((t: any) => t.mean);
    expect(result.best.mean).toBe(Math.max(...means));
    expect([...result.trials].sort((a: any, b: any) => a.rank - b.rank).map((t: any) => t.mean)).toEqual([...means].sort((a, b) => b - a));
    // A huge penalty flattens the model: it must rank last.
    expect(result.trials[3].rank).toBe(4);
    expect(result.model.status).toBe("READY");
    expect(result.model.hyperparameters).toEqual(result.best.hyperparameters);
    // The same candidate trained with the same seed and folds reports the same CV score.
    expect(result.model.cvMetrics.r2.mean).toBeCloseTo(result.best.mean, 12);
  });

  it("random: seeded candidates within a log range, reproducible", async () => {
    const input = { ...base(), strategy: "RANDOM", trials: 5, space: { alpha: { low: 0.001, high: 1000, log: true } }, folds: 3 };
    const first = (await server.gql(SEARCH, { input })).data.searchHyperparameters;
    const again = (await server.gql(SEARCH, { input })).data.searchHyperparameters;
    const alphas = first.trials.map((t: any) => t.hyperparameters.alpha);
    expect(alphas).toHaveLength(5);
    expect(alphas.every((a: number) => a >= 0.001 && a <= 1000)).toBe(true);
    expect(new Set(alphas).size).toBe(5);
    expect(again.trials.map((t: any) => t.mean)).toEqual(first.trials.map((t: any) => t.mean));
  });

  it("ranks by an error metric with lower-is-better", async () => {
    const { data } = await server.gql(SEARCH, { input: { ...base(), space: { alpha: [1, 10000] }, metric: "rmse", folds: 3 } });
    expect(data.searchHyperparameters.greaterIsBetter).toBe(false);
    expect(data.searchHyperparameters.best.hyperparameters.alpha).toBe(1);
  });

  it.each([
    ["an empty grid entry", { space: { alpha: [] } }, "space.alpha"],
    ["an empty space", { space: {} }, "space"],
    ["an unknown hyperparameter", { space: { C: [1] } }, "space.C"],
    ["an out-of-range value", { space: { alpha: [-1] } }, "space.alpha"],
    ["an unknown metric", { space: { alpha: [1] }, metric: "accuracy" }, "metric"],
    ["folds < 2", { space: { alpha: [1] }, folds: 1 }, "folds"],
    ["folds > rows", { space: { alpha: [1] }, folds: 100000 }, "folds"],
  ])("refuses %s naming the field", async (_case, extra, field) => {
    // Counted by name: other test files write models in parallel.
    const { errors } = await server.gql(SEARCH, { input: { ...base(), ...extra, trainBest: "never" } });
    expect(errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    expect(await database.prisma.model.count({ where: { name: "never" } })).toBe(0);
  });

  it("refuses a search over the fit budget before running it, naming the limit", async () => {
    const alpha = Array.from({ length: 200 }, (_, i) => i + 1);
    const started = Date.now();
    const { errors } = await server.gql(SEARCH, { input: { ...base(), space: { alpha }, folds: 5 } });
    expect(errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", limit: "MAX_FITS" });
    expect(errors![0].message).toMatch(/1000 fits; at most 500/);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe("trainLeaderboard", () => {
  it("trains each candidate as a version and ranks them", async () => {
    const { data, errors } = await server.gql(LEADERBOARD, {
      input: {
        datasetId, name: "which-algorithm", target: "price", features: ["sqft", "age", "garage", "city"], metric: "rmse",
        candidates: [{ algorithm: "RIDGE", hyperparameters: { alpha: 100000 } }, { algorithm: "LINEAR_REGRESSION" }, { algorithm: "RIDGE", hyperparameters: { alpha: 0.1 } }],
      },
    });
    expect(errors).toBeUndefined();
    const entries = data.trainLeaderboard.entries;
    expect(entries.map((e: any) => e.rank)).toEqual([1, 2, 3]);
    expect(entries.map((e: any) => e.model.version).sort()).toEqual([1, 2, 3]);
    expect(entries.every((e: any) => e.score === e.model.metrics.rmse)).toBe(true);
    expect(entries[0].score).toBeLessThanOrEqual(entries[1].score);
    expect(entries[2].model.algorithm).toBe("RIDGE");
    expect(entries[2].model.version).toBe(1); // the alpha = 1e5 candidate, trained first, ranks last
  });

  it("refuses candidates of two tasks, writing nothing", async () => {
    const { errors } = await server.gql(LEADERBOARD, {
      input: { datasetId, name: "mixed", target: "price", candidates: [{ algorithm: "RIDGE" }, { algorithm: "LOGISTIC_REGRESSION" }] },
    });
    expect(errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "candidates" });
    expect(await database.prisma.model.count({ where: { name: "mixed" } })).toBe(0);
  });
});

describe("selectFeatures", () => {
  it("adds the informative columns first and stops when noise no longer helps", async () => {
    const { createRandom } = await import("../../src/core/random.ts");
    const random = createRandom(21);
    const lines = ["signal,weak,noise1,noise2,y"];
    for (let i = 0; i < 150; i++) {
      const [s, w, n1, n2] = [random.float(), random.float(), random.float(), random.float()];
      lines.push(`${s},${w},${n1},${n2},${10 * s + 2 * w + 0.3 * (random.float() - 0.5)}`);
    }
    const id = (await server.gql(`mutation($csv: String!) { createDataset(input: { name: "fs", csv: $csv }) { id } }`, { csv: lines.join("\n") })).data.createDataset.id;
    const { data, errors } = await server.gql(`mutation($d: ID!) { selectFeatures(input: { datasetId: $d, algorithm: LINEAR_REGRESSION, target: "y", folds: 5 }) { metric features steps { added features mean std } } }`, { d: id });
    expect(errors).toBeUndefined();
    const result = data.selectFeatures;
    expect(result.features.slice(0, 2)).toEqual(["signal", "weak"]);
    expect(result.steps[0]).toMatchObject({ added: "signal", features: ["signal"] });
    const means = result.steps.map((s: any) => s.mean);
    expect(means).toEqual([...means].sort((a, b) => a - b)); // every step improved the CV score
    expect(result.steps[1].mean).toBeGreaterThan(0.99);
  });

  it("honours maxFeatures and refuses a bad one", async () => {
    const one = await server.gql(`mutation($d: ID!) { selectFeatures(input: { datasetId: $d, algorithm: RIDGE, target: "price", features: ["sqft", "age", "city"], maxFeatures: 1, folds: 3 }) { features } }`, { d: datasetId });
    expect(one.data.selectFeatures.features).toEqual(["sqft"]);
    const bad = await server.gql(`mutation($d: ID!) { selectFeatures(input: { datasetId: $d, algorithm: RIDGE, target: "price", maxFeatures: 0 }) { features } }`, { d: datasetId });
    expect(bad.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "maxFeatures" });
  });
});
