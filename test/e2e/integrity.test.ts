/**
 * Data integrity over real HTTP (issue 22, items 5, 9 and 3e):
 * - text Postgres cannot store (NUL, unpaired surrogates) is refused as BAD_USER_INPUT wherever
 *   it enters, and one workspace's bad input never fails another's predictions;
 * - an input whose output overflows is refused and not logged, and a row an earlier version
 *   logged with a null output does not break `predictions` pages;
 * - importModel refuses documents with a field of the wrong shape, naming it, and `models` keeps
 *   working; real exports of every kind of model still import;
 * - what the log keeps of an input's unused fields is capped (LOGGED_EXTRA_BYTES), and text in
 *   a field the model reads is bounded (MAX_INPUT_TEXT).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import houses from "../fixtures/pipeline/houses.json" with { type: "json" };
import { openTestDatabase } from "../support/database.ts";
import { adminKey, postGraphQL, startTestServer, type TestServer } from "../support/http.ts";
import { pollHealthz } from "../support/healthz.ts";
import type { Database } from "../../src/data/database.ts";
import { LOGGED_EXTRA_BYTES, MAX_INPUT_TEXT } from "../../src/services/serving/served-model.ts";

let database: Database;
let server: TestServer;
/** This file's own workspace (test files run side by side on one database): its ADMIN key and a client sending it. */
let workspaceId: string;
let key: string;
let gql: TestServer["gql"];
let datasetId: string;
const models: Record<string, string> = {};
const input = { sqft: 1500, age: 10, garage: true, city: "Paris" };

const PREDICT = `mutation($model: String!, $inputs: [JSON!]!) { predict(model: $model, inputs: $inputs) { id output input } }`;
const MODELS = `{ models(first: 100) { edges { node { id name algorithm task target features status testFraction seed hyperparameters metrics { evaluatedOn rows r2 accuracy confusionMatrix macro { f1 } } cvMetrics { folds r2 { mean std } } signature { name type required min max categories } coefficients { feature value class stdError pValue } inference { distribution observations warnings } featureImportance { feature importance method } intercept intercepts classes trainingRows testRows warnings derivedFeatures { name expression } pipeline { features } curves { residuals { fitted } residualHistogram { counts } classes { class roc { threshold } precisionRecall { threshold } calibration { count } } } trainedAt } } } }`;

async function train(name: string, input: Record<string, unknown>): Promise<string> {
  const { data, errors } = await gql(`mutation($input: TrainModelInput!) { trainModel(wait: true, input: $input) { id status } }`, { input: { datasetId, name, ...input } });
  expect(errors).toBeUndefined();
  expect(data.trainModel.status).toBe("READY");
  return data.trainModel.id;
}

beforeAll(async () => {
  database = await openTestDatabase();
  server = await startTestServer(database);
  workspaceId = (await server.gql(`mutation { createWorkspace(name: "integrity") { id } }`)).data.createWorkspace.id;
  key = await adminKey(server.app, workspaceId);
  gql = (query, variables) => postGraphQL(`${server.url}/graphql`, query, variables, key);
  datasetId = (await gql(`mutation($csv: String!) { createDataset(input: { name: "houses", csv: $csv }) { id } }`, { csv: houses.csv })).data.createDataset.id;
  models.ridge = await train("prices", { algorithm: "RIDGE", target: "price", features: houses.features, folds: 3 });
  models.ols = await train("ols", { algorithm: "LINEAR_REGRESSION", target: "price", features: ["sqft", "age", "city"], derivedFeatures: [{ name: "rooms", expression: "sqft / 100" }] });
  models.logit = await train("logit", { algorithm: "LOGISTIC_REGRESSION", target: "expensive", features: houses.features, hyperparameters: { penalty: "none" } });
  models.svm = await train("svm", { algorithm: "SVM", target: "city", features: ["sqft", "age"] });
}, 120_000);
afterAll(async () => {
  await server?.close();
  await database?.close();
});

/** Rows of this file's workspace (other test files write beside it on the same database). A refused
 * workspace would be named with a NUL, which Postgres can never hold, so workspaces are not counted. */
const writtenRows = () => {
  const where = { where: { workspaceId } };
  return Promise.all([database.prisma.dataset.count(where), database.prisma.model.count(where), database.prisma.prediction.count(where), database.prisma.apiKey.count(where)]);
};
const countPredictions = (modelId: string) => database.prisma.prediction.count({ where: { modelId } });

describe("text Postgres cannot store (item 5)", () => {
  const DATASET = `mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }`;
  const TRAIN = `mutation($input: TrainModelInput!) { trainModel(input: $input) { id } }`;
  it.each([
    ["a NUL in a prediction input's value", PREDICT, () => ({ model: "prices", inputs: [input, { ...input, city: "Par\u0000is" }] }), "$inputs[1].city"],
    ["a NUL in a prediction input's key", PREDICT, () => ({ model: "prices", inputs: [{ ...input, "no\u0000te": 1 }] }), "$inputs[0].no\\u0000te"],
    ["an unpaired surrogate in a prediction input", PREDICT, () => ({ model: "prices", inputs: [{ ...input, city: "Paris\ud800" }] }), "$inputs[0].city"],
    ["a NUL in a model reference", PREDICT, () => ({ model: "prices\u0000", inputs: [input] }), "$model"],
    ["a NUL in a dataset name", DATASET, () => ({ input: { name: "d\u0000", csv: "x,y\n1,2\n" } }), "$input.name"],
    ["a NUL in a CSV cell", DATASET, () => ({ input: { name: "d", csv: "x,y\n1,a\u0000b\n" } }), "$input.csv"],
    ["an unpaired surrogate in a CSV header", DATASET, () => ({ input: { name: "d", csv: "x,\udc00\n1,2\n" } }), "$input.csv"],
    ["a NUL in hyperparameters (JSON)", TRAIN, () => ({ input: { datasetId, name: "t", algorithm: "RIDGE", target: "price", hyperparameters: { alpha: 1, "x\u0000": 1 } } }), "$input.hyperparameters.x\\u0000"],
    ["a NUL in preprocessing (JSON)", TRAIN, () => ({ input: { datasetId, name: "t", algorithm: "RIDGE", target: "price", preprocessing: { city: { impute: { strategy: "constant", fill_value: "\u0000" } } } } }), "$input.preprocessing.city.impute.fill_value"],
    ["a NUL inside an imported document", `mutation($doc: JSON!) { importModel(document: $doc) { id } }`, () => ({ doc: { format: "modelql.model/1", name: "i", summary: { warnings: ["\u0000"] } } }), "$doc.summary.warnings[0]"],
    ["a NUL in a key's name", `mutation($name: String!) { createApiKey(input: { name: $name, scopes: [READ] }) { key } }`, () => ({ name: "k\u0000" }), "$name"],
    ["a NUL in a literal of the document", `mutation { createDataset(input: { name: "d\\u0000", csv: "x,y\\n1,2\\n" }) { id } }`, () => ({}), "input"],
    ["a NUL in a variable's default value", `mutation($name: String = "w\\u0000") { createWorkspace(name: $name) { id } }`, () => ({}), "$name"],
  ])("refuses %s with BAD_USER_INPUT naming it, and writes nothing", async (_name, query, variables, field) => {
    const before = await writtenRows();
    const response = await gql(query, variables());
    expect(response.status).toBe(400);
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    expect(response.errors![0].message).toMatch(/cannot be stored/);
    const after = await writtenRows();
    expect(after).toEqual(before);
  });

  it("refuses a NUL in an uploaded dataset's name (POST /datasets)", async () => {
    const response = await fetch(`${server.url}/datasets?name=up%00load`, { method: "POST", headers: { "content-type": "text/csv", authorization: `Bearer ${key}` }, body: "x,y\n1,2\n" });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { extensions: unknown }[] }).errors[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "name" });
    expect(await database.prisma.dataset.count({ where: { workspaceId, name: { startsWith: "up" } } })).toBe(0);
  });

  it("lets no workspace's bad input fail another workspace's concurrent predictions", async () => {
    const workspace = (await server.gql(`mutation { createWorkspace(name: "tenant-b") { id } }`)).data.createWorkspace.id;
    const otherKey = await adminKey(server.app, workspace);
    const gqlB = (query: string, variables: Record<string, unknown>) => postGraphQL(`${server.url}/graphql`, query, variables, otherKey);
    const otherDataset = (await gqlB(`mutation($csv: String!) { createDataset(input: { name: "houses", csv: $csv }) { id } }`, { csv: houses.csv })).data.createDataset.id;
    const trained = await gqlB(`mutation($d: ID!, $f: [String!]) { trainModel(wait: true, input: { datasetId: $d, name: "b", algorithm: RIDGE, target: "price", features: $f }) { id } }`, { d: otherDataset, f: houses.features });
    const before = await countPredictions(trained.data.trainModel.id);
    const [good, bad] = await Promise.all([
      Promise.all(Array.from({ length: 120 }, (_, i) => gqlB(PREDICT, { model: "b", inputs: [{ ...input, sqft: 1000 + i }] }))),
      Promise.all(Array.from({ length: 40 }, () => gql(PREDICT, { model: "prices", inputs: [{ ...input, city: "\u0000" }] }))),
    ]);
    expect(good.map((r) => r.errors?.[0]?.extensions?.code ?? "ok")).toEqual(Array(120).fill("ok"));
    expect(bad.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(Array(40).fill("BAD_USER_INPUT"));
    expect(await countPredictions(trained.data.trainModel.id)).toBe(before + 120);
  });
});

describe("outputs that overflow (item 9)", () => {
  it("refuses an input whose output is not a finite number, and logs nothing of the batch", async () => {
    const before = await countPredictions(models.ridge);
    const { data, errors } = await gql(PREDICT, { model: "prices", inputs: [input, { ...input, sqft: 1e308 }] });
    expect(data).toBeNull();
    expect(errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", row: 1 });
    expect(errors![0].message).toMatch(/numeric range/);
    expect(await countPredictions(models.ridge)).toBe(before);
  });

  it("answers a page holding a row an earlier version logged with a null output", async () => {
    await gql(PREDICT, { model: "ols", inputs: [input, input] });
    // What JSON.stringify made of { value: Infinity } before non-finite outputs were refused.
    await database.prisma.prediction.create({ data: { workspaceId, modelId: models.ols, input: { ...input, sqft: 1e308 }, output: { value: null }, latencyMs: 0.1 } });
    await gql(PREDICT, { model: "ols", inputs: [input] });
    const { data, errors } = await gql(`query($id: ID!) { predictions(modelId: $id, first: 10) { edges { node { id output label probabilities { label } input } } } }`, { id: models.ols });
    expect(errors).toBeUndefined();
    const outputs = data.predictions.edges.map((e: { node: { output: number | null } }) => e.node.output);
    expect(outputs).toHaveLength(4);
    expect(outputs[1]).toBeNull();
    expect([outputs[0], outputs[2], outputs[3]].every((o: unknown) => typeof o === "number" && Number.isFinite(o))).toBe(true);
    // Replay skips the row rather than comparing against nothing.
    const replay = await gql(`{ replay(model: "ols", against: "ols") { predictions skipped agreement } }`);
    expect(replay.errors).toBeUndefined();
    expect(replay.data.replay).toEqual({ predictions: 3, skipped: 1, agreement: 1 });
  });
});

describe("importModel validation (item 9)", () => {
  const IMPORT = `mutation($doc: JSON!, $name: String) { importModel(document: $doc, name: $name) { id name status algorithm } }`;
  const exported: Record<string, Record<string, any>> = {};
  beforeAll(async () => {
    for (const [key, id] of Object.entries(models)) {
      exported[key] = (await gql(`mutation($id: ID!) { exportModel(id: $id) }`, { id })).data.exportModel;
    }
  });
  const edit = (key: string, change: (doc: Record<string, any>) => void) => {
    const doc = structuredClone(exported[key]);
    change(doc);
    return doc;
  };

  it("imports real exports of every kind of model, which `models` then reads without errors", async () => {
    for (const key of Object.keys(models)) {
      const { data, errors } = await gql(IMPORT, { doc: exported[key], name: `copy-${key}` });
      expect(errors, key).toBeUndefined();
      expect(data.importModel).toMatchObject({ status: "READY", algorithm: exported[key].algorithm });
    }
    const listed = await gql(MODELS);
    expect(listed.errors).toBeUndefined();
    expect(listed.data.models.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(expect.arrayContaining(["copy-ridge", "copy-ols", "copy-logit", "copy-svm"]));
  });

  it.each([
    ["an unknown algorithm", "ridge", (d: any) => (d.algorithm = "RANDOM_FOREST"), "document.algorithm"],
    ["an algorithm other than the state's", "ridge", (d: any) => (d.algorithm = "LASSO"), "document.state.estimator.kind"],
    ["a regression's algorithm on a classifier", "logit", (d: any) => ((d.algorithm = "RIDGE"), (d.state.estimator.kind = "RIDGE")), "document.summary.task"],
    ["a name that is not a string", "ridge", (d: any) => (d.name = { first: "x" }), "document.name"],
    ["a target that is not a string", "ridge", (d: any) => (d.target = 3), "document.target"],
    ["a feature that is not a string", "ridge", (d: any) => (d.features = [1]), "document.features[0]"],
    ["a testFraction that is a string", "ridge", (d: any) => (d.testFraction = "0.2"), "document.testFraction"],
    ["a seed that is not an integer", "ridge", (d: any) => (d.seed = 1.5), "document.seed"],
    ["a trainedAt that is no date", "ridge", (d: any) => (d.trainedAt = "yesterday"), "document.trainedAt"],
    ["hyperparameters that are not an object", "ridge", (d: any) => (d.hyperparameters = [1]), "document.hyperparameters"],
    ["a metric that is a string", "ridge", (d: any) => (d.metrics.r2 = "high"), "document.metrics.r2"],
    ["an unknown evaluation set", "ridge", (d: any) => (d.metrics.evaluatedOn = "SOMETIMES"), "document.metrics.evaluatedOn"],
    ["a confusion matrix of strings", "logit", (d: any) => (d.metrics.confusionMatrix = [["a"]]), "document.metrics.confusionMatrix[0][0]"],
    ["a cross-validated metric without its std", "ridge", (d: any) => delete d.cvMetrics.r2.std, "document.cvMetrics.r2.std"],
    ["a signature entry without a name", "ridge", (d: any) => delete d.summary.signature[0].name, "document.summary.signature[0].name"],
    ["a signature type that does not exist", "ridge", (d: any) => (d.summary.signature[0].type = "DATE"), "document.summary.signature[0].type"],
    ["a coefficient that is null", "ridge", (d: any) => (d.summary.coefficients[0].value = null), "document.summary.coefficients[0].value"],
    ["classes that are not strings", "logit", (d: any) => (d.summary.classes = [0, 1]), "document.summary.classes[0]"],
    ["a curve point that is not a number", "logit", (d: any) => (d.summary.curves.classes[0].roc.tpr[0] = "x"), "document.summary.curves.classes[0].roc.tpr[0]"],
    ["inference without its distribution", "ols", (d: any) => delete d.summary.inference.distribution, "document.summary.inference.distribution"],
    ["a regression with class labels", "ridge", (d: any) => (d.state.classes = ["a", "b"]), "document.state.classes"],
    ["an estimator state of another version", "ridge", (d: any) => (d.state.estimator.version = 99), "document.state"],
    ["a summary that is missing", "svm", (d: any) => delete d.summary, "document.summary"],
  ])("refuses %s with BAD_USER_INPUT naming the field, writing nothing; `models` keeps working", async (_name, key, change, field) => {
    const before = await database.prisma.model.count({ where: { workspaceId } });
    const { data, errors } = await gql(IMPORT, { doc: edit(key, change), name: field === "document.name" ? null : "bad-import" });
    expect(data).toBeNull();
    expect(errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    expect(await database.prisma.model.count({ where: { workspaceId } })).toBe(before);
    const listed = await gql(MODELS);
    expect(listed.errors).toBeUndefined();
    expect(listed.data.models.edges.length).toBe(before);
  });
});

describe("what the log keeps of an input (item 3e)", () => {
  /** The JSON bytes of `"key":value,` as the budget counts them. */
  const fieldBytes = (key: string, value: unknown) => Buffer.byteLength(JSON.stringify(key)) + Buffer.byteLength(JSON.stringify(value)) + 2;

  it(`keeps unused fields while they fit in ${LOGGED_EXTRA_BYTES} bytes, in order, and drops the rest`, async () => {
    const first = "a".repeat(1000);
    // Exactly at the budget with `first`; one byte more does not fit.
    const atLimit = "b".repeat(LOGGED_EXTRA_BYTES - fieldBytes("first", first) - fieldBytes("second", ""));
    const { data, errors } = await gql(PREDICT, {
      model: "prices",
      inputs: [
        { first, ...input, second: atLimit },
        { first, ...input, second: `${atLimit}b`, third: 1 },
      ],
    });
    expect(errors).toBeUndefined();
    expect(data.predict[0].input).toEqual({ first, ...input, second: atLimit });
    expect(Object.keys(data.predict[0].input)).toEqual(["first", ...Object.keys(input), "second"]);
    // `second` is one byte over what is left; `third`, smaller, still fits after it.
    expect(data.predict[1].input).toEqual({ first, ...input, third: 1 });
    const logged = await database.prisma.prediction.findMany({ where: { id: { in: data.predict.map((p: { id: string }) => BigInt(p.id)) } }, orderBy: { id: "asc" }, select: { input: true } });
    expect(logged.map((row) => row.input)).toEqual([data.predict[0].input, data.predict[1].input]);
  });

  it("logs a megabyte of unused fields per input as at most the budget, so that a page of 31 such rows stays small", async () => {
    // The rows held 20 MB each; 1 MB shows the cap without timing the JSON body parser.
    const health = pollHealthz(server.url);
    const blob = "x".repeat(1_000_000);
    for (let i = 0; i < 31; i++) {
      const { data, errors } = await gql(PREDICT, { model: "ols", inputs: [{ ...input, sqft: 1000 + i, blob, [blob.slice(0, 10_000 + i)]: i }] });
      expect(errors).toBeUndefined();
      expect(data.predict[0].input).toEqual({ ...input, sqft: 1000 + i });
    }
    expect((await health.stop()).slowestMs).toBeLessThan(1000);
    const [{ largest }] = await database.prisma.$queryRawUnsafe<{ largest: number }[]>(`SELECT max(octet_length(input::text))::int AS largest FROM "Prediction" WHERE "modelId" = $1::uuid`, models.ols);
    expect(largest).toBeLessThan(LOGGED_EXTRA_BYTES + 200);
    const page = await gql(`query($id: ID!) { predictions(modelId: $id, first: 100) { edges { node { input } } } }`, { id: models.ols });
    expect(page.errors).toBeUndefined();
    expect(page.data.predictions.edges.length).toBeGreaterThanOrEqual(31);
  });

  it(`accepts text up to ${MAX_INPUT_TEXT} characters in a field the model reads, and refuses one more`, async () => {
    const before = await countPredictions(models.ridge);
    const ok = await gql(PREDICT, { model: "prices", inputs: [{ ...input, city: "P".repeat(MAX_INPUT_TEXT) }] });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.predict[0].input.city).toHaveLength(MAX_INPUT_TEXT);
    const over = await gql(PREDICT, { model: "prices", inputs: [input, { ...input, city: "P".repeat(MAX_INPUT_TEXT + 1) }] });
    expect(over.data).toBeNull();
    expect(over.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", row: 1, field: "city" });
    expect(await countPredictions(models.ridge)).toBe(before + 1);
  });
});
