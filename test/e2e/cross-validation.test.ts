/**
 * Cross-validation through the API. Leave-one-out on OLS has a closed form to check against:
 * the held-out residual of row i is e_i / (1 − h_ii), with e the full-fit residuals and h the
 * diagonal of the hat matrix X(XᵀX)⁻¹Xᵀ (the PRESS identity; Hastie, Tibshirani & Friedman,
 * The Elements of Statistical Learning, eq. 7.52). So LOO's mean absolute error is
 * mean |e_i / (1 − h_ii)|, computed here with mathjs, independently of the service's code.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inv, multiply, transpose } from "mathjs";
import { openTestDatabase } from "../support/database.ts";
import { startTestServer, type TestServer } from "../support/http.ts";
import { expectClose } from "../support/close.ts";
import { createRandom } from "../../src/core/random.ts";
import type { Database } from "../../src/data/database.ts";

let database: Database;
let server: TestServer;

const TRAIN = `mutation($input: TrainModelInput!) { trainModel(wait: true, input: $input) {
  status coefficients { feature value } intercept metrics { r2 mae }
  cvMetrics { folds r2 { mean std } mae { mean std } rmse { mean std } accuracy { mean std } rocAuc { mean std } }
} }`;

beforeAll(async () => {
  database = await openTestDatabase();
  server = await startTestServer(database);
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

async function dataset(csv: string) {
  return (await server.gql(`mutation($csv: String!) { createDataset(input: { name: "cv", csv: $csv }) { id } }`, { csv })).data.createDataset.id;
}

describe("cross-validation", () => {
  const random = createRandom(11);
  const rows = Array.from({ length: 25 }, () => {
    const a = random.float() * 10;
    const b = random.float() * 5;
    return [a, b, 2 + 1.5 * a - 0.7 * b + (random.float() - 0.5) * 2];
  });
  const csv = "a,b,y\n" + rows.map((r) => r.join(",")).join("\n");

  it("leave-one-out OLS matches the PRESS closed form", async () => {
    const id = await dataset(csv);
    const { data, errors } = await server.gql(TRAIN, { input: { datasetId: id, name: "loo", algorithm: "LINEAR_REGRESSION", target: "y", testFraction: 0, folds: rows.length } });
    expect(errors).toBeUndefined();
    const X = rows.map((r) => [1, r[0], r[1]]);
    const y = rows.map((r) => r[2]);
    const XtXinv = inv(multiply(transpose(X), X)) as number[][];
    const beta = multiply(multiply(XtXinv, transpose(X)), y) as number[];
    const press = X.map((x, i) => {
      const h = (multiply(multiply(x, XtXinv), x) as number);
      const e = y[i] - (multiply(x, beta) as number);
      return Math.abs(e / (1 - h));
    });
    const expected = press.reduce((s, v) => s + v, 0) / press.length;
    expect(data.trainModel.cvMetrics.folds).toBe(rows.length);
    expectClose(data.trainModel.cvMetrics.mae.mean, expected, 1e-9, 0, "LOO MAE");
  });

  it("reports mean and std per metric, reproducibly, for a classifier with stratified folds", async () => {
    const labelled = "a,b,c\n" + rows.map((r, i) => `${r[0]},${r[1]},${r[2] + (i % 3) > 9 ? "hi" : "lo"}`).join("\n");
    const id = await dataset(labelled);
    const input = { datasetId: id, name: "cv-clf", algorithm: "LOGISTIC_REGRESSION", target: "c", testFraction: 0.2, folds: 4, seed: 5 };
    const first = (await server.gql(TRAIN, { input })).data.trainModel;
    const again = (await server.gql(TRAIN, { input })).data.trainModel;
    expect(first.cvMetrics.folds).toBe(4);
    expect(first.cvMetrics.accuracy.mean).toBeGreaterThan(0.5);
    expect(first.cvMetrics.accuracy.std).toBeGreaterThanOrEqual(0);
    expect(first.cvMetrics.r2).toBeNull();
    expect(again.cvMetrics).toEqual(first.cvMetrics);
  });

  it.each([1, 1000])("refuses folds = %i naming the field, creating nothing", async (folds) => {
    const id = await dataset(csv);
    const before = await database.prisma.model.count({ where: { name: "bad-folds" } });
    const { errors } = await server.gql(TRAIN, { input: { datasetId: id, name: "bad-folds", algorithm: "RIDGE", target: "y", folds } });
    expect(errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "folds" });
    expect(await database.prisma.model.count({ where: { name: "bad-folds" } })).toBe(before);
  });
});
