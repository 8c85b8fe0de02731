/**
 * Derived features through the API: expressions checked at training, computed from the
 * dataset's columns for fitting and from the raw inputs for every prediction; the sandbox's
 * refusals reach the client as BAD_USER_INPUT with the field and the position.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import houses from "../fixtures/pipeline/houses.json" with { type: "json" };
import { openTestDatabase } from "../support/database.ts";
import { startTestServer, type TestServer } from "../support/http.ts";
import { expectAllClose, expectClose } from "../support/close.ts";
import { createEstimator } from "../../src/core/estimators/index.ts";
import { fromRows } from "../../src/core/matrix.ts";
import type { Database } from "../../src/data/database.ts";

let database: Database;
let server: TestServer;
let datasetId: string;

const records = (() => {
  const [header, ...lines] = houses.csv.trim().split("\n");
  const names = header.split(",");
  return lines.map((line) => {
    const cells = line.split(",");
    return Object.fromEntries(names.map((n, j) => [n, n === "city" || n === "expensive" ? cells[j] : n === "garage" ? cells[j] === "true" : Number(cells[j])])) as Record<string, any>;
  });
})();

const DERIVED = [
  { name: "log_sqft", expression: "log(sqft)" },
  { name: "old", expression: "age > 50" },
  { name: "paris", expression: 'city == "Paris"' },
];

beforeAll(async () => {
  database = await openTestDatabase();
  server = await startTestServer(database);
  datasetId = (await server.gql(`mutation($csv: String!) { createDataset(input: { name: "houses", csv: $csv }) { id } }`, { csv: houses.csv })).data.createDataset.id;
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

const train = (input: Record<string, unknown>, selection = "id status") =>
  server.gql(`mutation($input: TrainModelInput!) { trainModel(wait: true, input: $input) { ${selection} } }`, {
    input: { datasetId, name: "derived", algorithm: "LINEAR_REGRESSION", target: "price", testFraction: 0, ...input },
  });

describe("derived features", () => {
  let modelId: string;

  it("fits on the computed columns: the same coefficients as OLS on a hand-built design", async () => {
    const { data, errors } = await train(
      { features: ["sqft", "garage"], derivedFeatures: DERIVED },
      `id coefficients { feature value } intercept derivedFeatures { name expression } signature { name type } pipeline { features }`,
    );
    expect(errors).toBeUndefined();
    const model = data.trainModel;
    modelId = model.id;
    expect(model.derivedFeatures).toEqual(DERIVED);
    expect(model.pipeline.features).toEqual(["sqft", "garage", "log_sqft", "old", "paris"]);
    // The raw inputs a prediction must carry: the features and what the expressions read.
    expect(model.signature.map((s: any) => s.name)).toEqual(["sqft", "garage", "age", "city"]);

    const X = fromRows(records.map((r) => [r.sqft, Number(r.garage), Math.log(r.sqft), Number(r.age > 50), Number(r.city === "Paris")]));
    const reference = createEstimator("LINEAR_REGRESSION").fit(X, Float64Array.from(records, (r) => r.price)).coefficients();
    expectAllClose(model.coefficients.map((c: any) => c.value), Array.from(reference.coef), 1e-9, 0, "coefficients");
    expectClose(model.intercept, reference.intercept[0], 1e-9, 0, "intercept");
  });

  it("computes them from the raw inputs at prediction time, and explains them", async () => {
    const input = { sqft: 1500, garage: true, age: 60, city: "Paris" };
    const { data, errors } = await server.gql(
      `mutation($id: ID!, $inputs: [JSON!]!) { predict(modelId: $id, inputs: $inputs) { output explanation { baseValue contributions { feature value contribution } } } }`,
      { id: modelId, inputs: [input] },
    );
    expect(errors).toBeUndefined();
    const [p] = data.predict;
    const byFeature = Object.fromEntries(p.explanation.contributions.map((c: any) => [c.feature, c]));
    expect(byFeature.log_sqft.value).toBeCloseTo(Math.log(1500), 12);
    expect(byFeature.old.value).toBe(1);
    expect(byFeature.paris.value).toBe(1);
    const total = p.explanation.baseValue + p.explanation.contributions.reduce((a: number, c: any) => a + c.contribution, 0);
    expectClose(total, p.output, 1e-9, 0, "contributions add up");
  });

  it("names a missing input that only an expression reads, by row, and logs nothing", async () => {
    const before = await database.prisma.prediction.count({ where: { modelId } });
    const { errors } = await server.gql(`mutation($id: ID!, $inputs: [JSON!]!) { predict(modelId: $id, inputs: $inputs) { id } }`, {
      id: modelId,
      inputs: [{ sqft: 1500, garage: true, age: 60, city: "Paris" }, { sqft: 900, garage: false, city: "Lyon" }],
    });
    expect(errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", row: 1, field: "age" });
    expect(await database.prisma.prediction.count({ where: { modelId } })).toBe(before);
  });

  it.each([
    ["an unknown column", [{ name: "x", expression: "log(sqfeet)" }], "derivedFeatures[0].expression", 4],
    ["an unknown function", [{ name: "x", expression: "sqft + evaluate(\"1\")" }], "derivedFeatures[0].expression", 7],
    ["the target", [{ name: "x", expression: "price / sqft" }], "derivedFeatures[0].expression", 0],
    ["an assignment", [{ name: "x", expression: "age = 1" }], "derivedFeatures[0].expression", 4],
    ["a clash with a column", [{ name: "age", expression: "age * 2" }], "derivedFeatures[0].name", undefined],
    ["a clash with the target", [{ name: "price", expression: "sqft * 2" }], "derivedFeatures[0].name", undefined],
  ])("refuses %s with BAD_USER_INPUT naming the field and position, and creates no model", async (_case, derivedFeatures, field, position) => {
    const before = await database.prisma.model.count({ where: { name: "refused" } });
    const { errors } = await train({ features: ["sqft"], derivedFeatures, name: "refused" });
    expect(errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field, ...(position === undefined ? {} : { position }) });
    expect(await database.prisma.model.count({ where: { name: "refused" } })).toBe(before);
  });
});
