/**
 * Raw inputs in, explained predictions out: per-column preprocessing choices, the model's
 * input signature, exact additive explanations, out-of-range flags, and the guarantee that an
 * explanation costs nothing unless the client selects it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import houses from "../fixtures/pipeline/houses.json" with { type: "json" };
import { openTestDatabase } from "../support/database.ts";
import { startTestServer, type TestServer } from "../support/http.ts";
import type { Database } from "../../src/data/database.ts";

let database: Database;
let server: TestServer;
let datasetId: string;

const TRAIN = `mutation($input: TrainModelInput!) { trainModel(wait: true, input: $input) {
  id status trainingRows warnings
  signature { name type required min max categories }
  pipeline { features steps }
} }`;
const PREDICT_EXPLAINED = `mutation($id: ID!, $inputs: [JSON!]!) { predict(modelId: $id, inputs: $inputs) {
  output label outOfRange explanation { baseValue contributions { feature value contribution } }
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

const inputs = [
  { sqft: 1500, age: 10, garage: true, city: "Paris" },
  { sqft: 9000, age: 3, garage: false, city: "Marseille" },
];

describe("explanations", () => {
  it.each([
    ["RIDGE", "price"],
    ["LINEAR_REGRESSION", "price"],
    ["LOGISTIC_REGRESSION", "expensive"],
    ["LINEAR_SVM", "expensive"],
  ])("%s: baseValue + Σ contributions = output to 1e-9", async (algorithm, target) => {
    const model = (await server.gql(TRAIN, { input: { datasetId, name: `explain-${algorithm}`, algorithm, target, features: houses.features } })).data.trainModel;
    const { data, errors } = await server.gql(PREDICT_EXPLAINED, { id: model.id, inputs });
    expect(errors).toBeUndefined();
    for (const [i, p] of data.predict.entries()) {
      const total = p.explanation.baseValue + p.explanation.contributions.reduce((s: number, c: any) => s + c.contribution, 0);
      expect(Math.abs(total - p.output)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(p.output)));
      expect(p.explanation.contributions.map((c: any) => c.feature).sort()).toEqual([...houses.features].sort());
      expect(p.explanation.contributions.find((c: any) => c.feature === "city").value).toBe(inputs[i].city);
      const magnitudes = p.explanation.contributions.map((c: any) => Math.abs(c.contribution));
      expect(magnitudes).toEqual([...magnitudes].sort((a, b) => b - a));
    }
  });

  it("topK keeps the K largest contributions", async () => {
    const model = (await server.gql(TRAIN, { input: { datasetId, name: "topk", algorithm: "RIDGE", target: "price", features: houses.features } })).data.trainModel;
    const { data } = await server.gql(`mutation($id: ID!, $inputs: [JSON!]!) { predict(modelId: $id, inputs: $inputs) { explanation(topK: 2) { contributions { feature } } all: explanation { contributions { feature } } } }`, { id: model.id, inputs: [inputs[0]] });
    expect(data.predict[0].explanation.contributions).toEqual(data.predict[0].all.contributions.slice(0, 2));
    const bad = await server.gql(`mutation($id: ID!, $inputs: [JSON!]!) { predict(modelId: $id, inputs: $inputs) { explanation(topK: 0) { baseValue } } }`, { id: model.id, inputs: [inputs[0]] });
    expect(bad.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "topK" });
  });

  it("is not computed unless selected", async () => {
    const model = (await server.gql(TRAIN, { input: { datasetId, name: "lazy", algorithm: "RIDGE", target: "price", features: houses.features } })).data.trainModel;
    const explain = vi.spyOn(server.app.services.predictions, "explain");
    const outOfRange = vi.spyOn(server.app.services.predictions, "outOfRange");
    const interval = vi.spyOn(server.app.services.predictions, "interval");
    await server.gql(`mutation($id: ID!, $inputs: [JSON!]!) { predict(modelId: $id, inputs: $inputs) { output } }`, { id: model.id, inputs });
    expect(explain).not.toHaveBeenCalled();
    expect(outOfRange).not.toHaveBeenCalled();
    expect(interval).not.toHaveBeenCalled();
    await server.gql(PREDICT_EXPLAINED, { id: model.id, inputs });
    expect(explain).toHaveBeenCalledTimes(2);
    expect(outOfRange).toHaveBeenCalledTimes(2);
    await server.gql(`mutation($id: ID!, $inputs: [JSON!]!) { predict(modelId: $id, inputs: $inputs) { interval { low } } }`, { id: model.id, inputs });
    expect(interval).toHaveBeenCalledTimes(2);
    explain.mockRestore();
    outOfRange.mockRestore();
    interval.mockRestore();
  });
});

describe("signature and out-of-range inputs", () => {
  it("describes each raw input with its training range and flags extrapolation", async () => {
    const model = (await server.gql(TRAIN, { input: { datasetId, name: "signed", algorithm: "RIDGE", target: "price", features: houses.features, testFraction: 0 } })).data.trainModel;
    const sqft = model.signature.find((s: any) => s.name === "sqft");
    const prices = houses.csv.trim().split("\n").slice(1).map((l) => Number(l.split(",")[0]));
    expect(sqft).toEqual({ name: "sqft", type: "NUMBER", required: true, min: Math.min(...prices), max: Math.max(...prices), categories: null });
    expect(model.signature.find((s: any) => s.name === "city").categories).toEqual(["Lyon", "Nice", "Paris"]);
    const { data } = await server.gql(PREDICT_EXPLAINED, { id: model.id, inputs });
    expect(data.predict[0].outOfRange).toEqual([]);
    expect(data.predict[1].outOfRange).toEqual(["sqft", "city"]);
    expect(model.pipeline.features).toEqual(["sqft", "age", "garage", "city=Lyon", "city=Nice", "city=Paris"]);
    expect(model.pipeline.steps[0]).toMatchObject({ column: "sqft", type: "NUMBER", scaler: { kind: "StandardScaler" } });
  });
});

describe("per-column preprocessing", () => {
  const csv = "x,c,y\n1,a,2\n2,,4.1\n,b,5.9\n4,a,8.2\n5,b,9.9\n6,,12.1\n7,a,14\n";
  let id: string;
  beforeAll(async () => {
    id = (await server.gql(`mutation($csv: String!) { createDataset(input: { name: "gaps", csv: $csv }) { id } }`, { csv })).data.createDataset.id;
  });

  it("imputes instead of dropping rows, and then accepts null in predictions", async () => {
    const preprocessing = { x: { impute: { strategy: "median" } }, c: { impute: { strategy: "most_frequent" }, handle_unknown: "error" } };
    const { data, errors } = await server.gql(TRAIN, { input: { datasetId: id, name: "imputed", algorithm: "RIDGE", target: "y", testFraction: 0, preprocessing } });
    expect(errors).toBeUndefined();
    expect(data.trainModel.trainingRows).toBe(7);
    expect(data.trainModel.signature.map((s: any) => s.required)).toEqual([false, false]);
    const step = data.trainModel.pipeline.steps[0];
    expect(step.imputer.state.statistic).toBe(4.5); // median of 1, 2, 4, 5, 6, 7
    const ok = await server.gql(PREDICT_EXPLAINED, { id: data.trainModel.id, inputs: [{ x: null, c: null }] });
    expect(ok.errors).toBeUndefined();
    const unknown = await server.gql(PREDICT_EXPLAINED, { id: data.trainModel.id, inputs: [{ x: 1, c: "zzz" }] });
    expect(unknown.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", row: 0, field: "c" });
  });

  it("without imputation, rows missing a feature are left out", async () => {
    const { data } = await server.gql(TRAIN, { input: { datasetId: id, name: "dropped", algorithm: "RIDGE", target: "y", testFraction: 0 } });
    expect(data.trainModel.trainingRows).toBe(4);
  });

  it.each([
    [{ nope: { scale: "none" } }, "preprocessing.nope"],
    [{ x: { scale: "log" } }, "preprocessing.x.scale"],
    [{ c: { scale: "standard" } }, "preprocessing.c.scale"],
    [{ x: { colour: 1 } }, "preprocessing.x.colour"],
    [{ x: 3 }, "preprocessing.x"],
  ])("refuses %j naming %s", async (preprocessing, field) => {
    const { errors } = await server.gql(TRAIN, { input: { datasetId: id, name: "bad", algorithm: "RIDGE", target: "y", preprocessing } });
    expect(errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
  });
});
