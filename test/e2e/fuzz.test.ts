/**
 * Property-based fuzzing (fast-check) of the mutations' inputs over real HTTP and of the CSV
 * parser, ≥ 10,000 generated cases per run in all:
 *
 *   - no HTTP 5xx and no INTERNAL_SERVER_ERROR: every error carries a stable extensions.code;
 *   - a refused request writes nothing (datasets, models and predictions are counted);
 *   - the CSV parser either returns a table or throws a domain error, never anything else.
 *
 * Seeds are fixed so that CI is reproducible; FUZZ_SEED and FUZZ_SCALE vary them locally.
 * Iteration-count hyperparameters are drawn small: a single fit's run time is bounded by its
 * max_iter, which a request may set (see README "Limits").
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { openTestDatabase } from "../support/database.ts";
import { postGraphQL, startTestServer, type GraphQLResponse, type TestServer } from "../support/http.ts";
import { parseCsv } from "../../src/core/dataset/csv.ts";
import { DomainError } from "../../src/core/errors.ts";
import type { Database } from "../../src/data/database.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

let database: Database;
let server: TestServer;
let datasetId: string;
const modelIds: Record<string, string> = {};
/** The fuzz runs in a workspace of its own, so that counting its rows is not disturbed by other test files running at the same time. */
let workspaceId: string;
let gql: (query: string, variables?: Record<string, unknown>) => Promise<GraphQLResponse>;
/** Generous: on two shared cores next to other test files, an HTTP case can take 20–40 ms. */
const HTTP_TIMEOUT = 300_000;

const CSV = [
  "x,y,z,c,b",
  ...Array.from({ length: 30 }, (_, i) => `${i},${(2 * i + (i % 3)).toFixed(1)},${(i * 7) % 11},${["p", "q", "r"][i % 3]},${i % 2 === 0}`),
].join("\n");

beforeAll(async () => {
  database = await openTestDatabase();
  server = await startTestServer(database);
  workspaceId = (await server.gql(`mutation($n: String!) { createWorkspace(name: $n) { id } }`, { n: `fuzz-${Date.now()}` })).data.createWorkspace.id;
  const key = (await server.gql(`mutation($w: ID!) { createApiKey(input: { name: "fuzz", scopes: [ADMIN], workspaceId: $w }) { key } }`, { w: workspaceId })).data.createApiKey.key;
  gql = (query, variables) => postGraphQL(`${server.url}/graphql`, query, variables, key);
  datasetId = (await gql(`mutation($csv: String!) { createDataset(input: { name: "fuzz", csv: $csv }) { id } }`, { csv: CSV })).data.createDataset.id;
  for (const [algorithm, target] of [["RIDGE", "y"], ["LOGISTIC_REGRESSION", "c"]] as const) {
    const trained = await gql(`mutation($input: TrainModelInput!) { trainModel(wait: true, input: $input) { id } }`, {
      input: { datasetId, name: `fuzz-${algorithm}`, algorithm, target, features: ["x", "z", "b"] },
    });
    modelIds[algorithm] = trained.data.trainModel.id;
  }
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

/** The invariant of every response: no 5xx, and each error has a code other than INTERNAL_SERVER_ERROR. */
function expectHandled(response: GraphQLResponse, label: string): void {
  expect(response.status, `${label}: HTTP ${response.status}`).toBeLessThan(500);
  for (const error of response.errors ?? []) {
    expect(error.extensions?.code, `${label}: ${error.message}`).toEqual(expect.any(String));
    expect(error.extensions?.code, `${label}: ${error.message}`).not.toBe("INTERNAL_SERVER_ERROR");
  }
}

const counts = async () => {
  const where = { workspaceId };
  return Promise.all([database.prisma.dataset.count({ where }), database.prisma.model.count({ where }), database.prisma.prediction.count({ where })]);
};

/** Characters that matter to a CSV parser and to type inference. */
const csvText = fc.string({
  unit: fc.constantFrom("a", "b", "1", "2", "0", ".", "-", "e", "E", ",", '"', "\n", "\r", " ", "\t", "t", "r", "u", "f", "N", "x", "é", "\u0000", "\uFEFF"),
  maxLength: 120,
});
const anyJson = fc.jsonValue({ maxDepth: 2 });

describe("CSV parser", () => {
  it(`returns a table or throws a domain error (${runs(4000)} cases)`, () => {
    fc.assert(
      fc.property(csvText, (text) => {
        try {
          const table = parseCsv(text);
          for (const column of table.columns) expect(column.values.length).toBe(table.rowCount);
        } catch (e) {
          expect(e).toBeInstanceOf(DomainError);
        }
      }),
      { numRuns: runs(4000), seed: SEED },
    );
  });
});

describe("mutations over HTTP", () => {
  it(`createDataset: handled, and nothing written when refused (${runs(1500)} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(csvText, fc.string({ maxLength: 20 }), async (csv, name) => {
        const before = await counts();
        const response = await gql(`mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id rowCount } }`, { input: { name, csv } });
        expectHandled(response, JSON.stringify(csv));
        if (response.errors) expect(await counts()).toEqual(before);
      }),
      { numRuns: runs(1500), seed: SEED },
    );
  }, HTTP_TIMEOUT);

  const columnName = fc.oneof(fc.constantFrom("x", "y", "z", "c", "b"), fc.string({ maxLength: 6 }));
  const hyperparameters = fc.oneof(
    anyJson,
    fc.dictionary(
      fc.constantFrom("alpha", "C", "tol", "penalty", "loss", "l1_ratio", "kernel", "gamma", "degree", "coef0", "class_weight", "fit_intercept", "probability", "nope"),
      fc.oneof(fc.double(), fc.integer({ min: -5, max: 5 }), fc.constantFrom("l1", "l2", "none", "rbf", "poly", "scale", "balanced", "hinge"), fc.boolean(), anyJson),
      { maxKeys: 4 },
    ),
  );
  const trainInput = fc.record(
    {
      algorithm: fc.constantFrom("LINEAR_REGRESSION", "RIDGE", "LASSO", "ELASTIC_NET", "LOGISTIC_REGRESSION", "LINEAR_SVM", "SVM", "NOT_AN_ALGORITHM"),
      target: columnName,
      features: fc.option(fc.array(columnName, { maxLength: 5 }), { nil: undefined }),
      hyperparameters: fc.option(hyperparameters, { nil: undefined }),
      testFraction: fc.option(fc.oneof(fc.double({ noNaN: true }), fc.constantFrom(0, 0.2, 0.5, 0.95)), { nil: undefined }),
      seed: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: undefined }),
      folds: fc.option(fc.integer({ min: -3, max: 40 }), { nil: undefined }),
      preprocessing: fc.option(anyJson, { nil: undefined }),
      derivedFeatures: fc.option(fc.array(fc.record({ name: fc.string({ maxLength: 6 }), expression: fc.string({ maxLength: 30 }) }), { maxLength: 2 }), { nil: undefined }),
    },
    { requiredKeys: ["algorithm", "target"] },
  );

  it(`trainModel: handled, and nothing written when refused (${runs(1500)} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(trainInput, async (input) => {
        const before = await counts();
        const response = await gql(`mutation($input: TrainModelInput!) { trainModel(wait: true, input: $input) { id status } }`, {
          input: { datasetId, name: "fuzzed", ...input },
        });
        expectHandled(response, JSON.stringify(input));
        if (response.errors) expect(await counts()).toEqual(before);
      }),
      { numRuns: runs(1500), seed: SEED },
    );
  }, HTTP_TIMEOUT);

  const value = fc.oneof(fc.double(), fc.integer(), fc.string({ maxLength: 5 }), fc.boolean(), fc.constant(null), anyJson);
  const record = fc.oneof(
    fc.record({ x: value, z: value, b: value }, { requiredKeys: [] }),
    fc.dictionary(fc.string({ maxLength: 3 }), value, { maxKeys: 4 }),
    anyJson,
  );

  it(`predict: handled, and nothing logged when refused (${runs(3000)} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("RIDGE", "LOGISTIC_REGRESSION"), fc.array(record, { maxLength: 4 }), fc.boolean(), async (algorithm, inputs, explain) => {
        const before = await counts();
        const selection = explain ? "id output label outOfRange explanation { baseValue } interval { low }" : "id output";
        const response = await gql(`mutation($id: ID!, $inputs: [JSON!]!) { predict(modelId: $id, inputs: $inputs) { ${selection} } }`, { id: modelIds[algorithm], inputs });
        expectHandled(response, JSON.stringify(inputs));
        if (response.errors && !response.data?.predict) expect(await counts()).toEqual(before);
      }),
      { numRuns: runs(3000), seed: SEED },
    );
  }, HTTP_TIMEOUT);
});
