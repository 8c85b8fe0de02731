/**
 * Issue 22's compute abuse, against a server in its own process (started as `npm start`
 * starts it): each abusive request is refused with BAD_USER_INPUT naming its limit, or its
 * work runs off the event loop, while GET /healthz keeps answering within 1 s and the
 * process stays up.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import houses from "../fixtures/pipeline/houses.json" with { type: "json" };
import { postGraphQL, type GraphQLResponse } from "../support/http.ts";
import { whilePollingHealthz } from "../support/healthz.ts";
import { startServerProcess, type ServerProcess } from "../support/process.ts";

const KEY = "mql_compute_limits_bootstrap_key_0123";
let server: ServerProcess;
let housesId: string;

const gql = <T = any>(query: string, variables?: Record<string, unknown>) => postGraphQL<T>(`${server.base}/graphql`, query, variables, KEY);

beforeAll(async () => {
  server = await startServerProcess({ MODELQL_BOOTSTRAP_KEY: KEY });
  const created = await gql(`mutation($csv: String!) { createDataset(input: { name: "houses", csv: $csv }) { id } }`, { csv: houses.csv });
  housesId = created.data.createDataset.id;
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

function expectAlive() {
  expect(server.child.exitCode).toBeNull();
}

const SEARCH = `mutation($input: SearchInput!) { searchHyperparameters(input: $input) { id status } }`;
const SIX_BY_THIRTY = Object.fromEntries(["alpha", "tol", "max_iter", "fit_intercept", "solver", "positive"].map((name) => [name, Array.from({ length: 30 }, (_, i) => i + 1)]));

describe("searchHyperparameters: the candidates are counted before any is built (issue 22, item 1)", () => {
  it.each([
    ["GRID, six hyperparameters × 30 values", { space: SIX_BY_THIRTY }, /729000000 candidates|3645000000 fits/],
    ["RANDOM, a billion trials", { strategy: "RANDOM", trials: 1_000_000_000, space: { alpha: { low: 0.001, high: 1000, log: true } } }, /5000000000 fits/],
  ])("%s: BAD_USER_INPUT naming MAX_FITS at once, /healthz answering, the server alive", async (_case, extra, message) => {
    const input = { datasetId: housesId, algorithm: "RIDGE", target: "price", ...extra };
    // The request is 658 bytes; so is this one, give or take.
    expect(JSON.stringify({ query: SEARCH, variables: { input } }).length).toBeLessThan(1500);
    const started = performance.now();
    const { result, slowestMs } = await whilePollingHealthz(server.base, () => gql(SEARCH, { input }));
    expect(result.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", limit: "MAX_FITS", field: "space" });
    expect(result.errors![0].message).toMatch(message);
    expect(result.errors![0].message).toMatch(/at most 500/);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(slowestMs).toBeLessThan(1000);
    expectAlive();
  });

  it("at the limit: 100 candidates × 5 folds = 500 fits is accepted and queued", async () => {
    const input = { datasetId: housesId, algorithm: "RIDGE", target: "price", space: { alpha: Array.from({ length: 100 }, (_, i) => i + 1) }, folds: 5 };
    const accepted = await gql(SEARCH, { input });
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data.searchHyperparameters.status).toMatch(/QUEUED|TRAINING|READY/);
    const over = await gql(SEARCH, { input: { ...input, space: { alpha: Array.from({ length: 101 }, (_, i) => i + 1) } } });
    expect(over.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", limit: "MAX_FITS" });
    expect(over.errors![0].message).toMatch(/505 fits/);
  });
});

/**
 * A two-class problem with label noise, so that an RBF SVM keeps a few hundred support
 * vectors: each sampling Shapley explanation then takes ~0.5-1 s of CPU (64 orderings × 5 × 50
 * rows against every support vector), several seconds for the explanations one operation may
 * ask for: on the event loop, /healthz would wait that long.
 */
function noisyClasses(n: number): string {
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const lines = ["a,b,c,d,e,f,label"];
  for (let i = 0; i < n; i++) {
    const x = Array.from({ length: 6 }, () => random() * 2 - 1);
    const score = x.reduce((s, v, j) => s + v * (j + 1), 0) + 3 * (random() - 0.5);
    lines.push(`${x.map((v) => v.toFixed(4)).join(",")},${score > 0 ? "yes" : "no"}`);
  }
  return lines.join("\n");
}

const PREDICT_EXPLAINED = `mutation($model: String!, $inputs: [JSON!]!) { predict(model: $model, inputs: $inputs) {
  output explanation { baseValue method samples contributions { feature contribution } }
} }`;

describe("kernel-SVM explanations: bounded per operation, computed off the event loop (issue 22, item 2)", () => {
  let svmId: string;
  let perExplanation: number;
  let atLimit: number;
  const inputs = (count: number) => Array.from({ length: count }, (_, i) => ({ a: (i % 7) / 7 - 0.5, b: 0.1, c: -0.2, d: (i % 3) / 3, e: 0.3, f: -0.1 }));
  const logged = async () => (await gql(`query($id: ID!) { predictions(modelId: $id, first: 100) { edges { node { id } } } }`, { id: svmId })).data.predictions.edges.length;

  beforeAll(async () => {
    const dataset = await gql(`mutation($csv: String!) { createDataset(input: { name: "noisy", csv: $csv }) { id } }`, { csv: noisyClasses(1500) });
    const trained = await gql(`mutation($d: ID!) { trainModel(wait: true, input: { datasetId: $d, name: "svm-explained", algorithm: SVM, target: "label", testFraction: 0.2 }) { id status } }`, { d: dataset.data.createDataset.id });
    expect(trained.data.trainModel.status).toBe("READY");
    svmId = trained.data.trainModel.id;
    // The limit's arithmetic from the model's own document: rows evaluated × support vectors × features.
    const document = (await gql(`mutation($id: ID!) { exportModel(id: $id) }`, { id: svmId })).data.exportModel;
    const estimator = JSON.stringify(document).match(/"n_support_":\[(\d+),(\d+)\]/);
    expect(estimator).not.toBeNull();
    const nSV = Number(estimator![1]) + Number(estimator![2]);
    perExplanation = (64 * (6 - 1) * 50 + 51) * nSV * 6;
    atLimit = Math.floor(5e8 / perExplanation);
    expect(atLimit).toBeGreaterThanOrEqual(4); // several seconds of work at the limit
    expect(atLimit).toBeLessThan(100);
  }, 120_000);

  it("refuses the issue's 100 explained inputs at once with BAD_USER_INPUT naming MAX_EXPLANATION_WORK, logging nothing", async () => {
    const before = await logged();
    const started = performance.now();
    const { result, slowestMs } = await whilePollingHealthz(server.base, () => gql(PREDICT_EXPLAINED, { model: "svm-explained", inputs: inputs(100) }));
    expect(result.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", limit: "MAX_EXPLANATION_WORK", field: "explanation" });
    expect(result.errors![0].message).toMatch(new RegExp(`asks for 100 Shapley explanations.*at most ${atLimit} predictions per operation`));
    expect(result.data?.predict ?? null).toBeNull();
    expect(performance.now() - started).toBeLessThan(5000);
    expect(slowestMs).toBeLessThan(1000);
    expect(await logged()).toBe(before);
    // One over the limit is refused too; without `explanation` the same inputs are served.
    const over = await gql(PREDICT_EXPLAINED, { model: "svm-explained", inputs: inputs(atLimit + 1) });
    expect(over.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", limit: "MAX_EXPLANATION_WORK" });
    const plain = await gql(`mutation($model: String!, $inputs: [JSON!]!) { predict(model: $model, inputs: $inputs) { output } }`, { model: "svm-explained", inputs: inputs(100) });
    expect(plain.errors).toBeUndefined();
    expect(plain.data.predict).toHaveLength(100);
    // A page of the log counts as `first` explanations, as the operation's cost counts it.
    const page = await gql(`query($id: ID!) { predictions(modelId: $id, first: 100) { edges { node { explanation { baseValue } } } } }`, { id: svmId });
    expect(page.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", limit: "MAX_EXPLANATION_WORK" });
    expect(page.errors![0].message).toMatch(/asks for 100 Shapley explanations/);
    expectAlive();
  });

  it("at the limit, every explanation is computed (base value + contributions = output) while /healthz answers within 1 s", async () => {
    const started = performance.now();
    const { result, slowestMs, polls } = await whilePollingHealthz(server.base, () => gql(PREDICT_EXPLAINED, { model: "svm-explained", inputs: inputs(atLimit) }));
    const seconds = (performance.now() - started) / 1000;
    expect(result.errors).toBeUndefined();
    expect(result.data.predict).toHaveLength(atLimit);
    for (const p of result.data.predict) {
      expect(p.explanation).toMatchObject({ method: "SAMPLING_SHAPLEY", samples: 64 });
      const total = p.explanation.baseValue + p.explanation.contributions.reduce((s: number, c: any) => s + c.contribution, 0);
      expect(Math.abs(total - p.output)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(p.output)));
    }
    // The work was long enough to matter (several seconds), and /healthz never waited 1 s.
    expect(seconds).toBeGreaterThan(2);
    expect(polls).toBeGreaterThan(5);
    expect(slowestMs).toBeLessThan(1000);
    expectAlive();
  });
});

describe("SVM cache_size is bounded (issue 22, item 3)", () => {
  it("refuses cache_size 100000 with BAD_USER_INPUT naming MAX_CACHE_SIZE_MB, writing no model", async () => {
    const train = (cache_size: number, name: string) =>
      gql(`mutation($d: ID!, $h: JSON!, $name: String!) { trainModel(input: { datasetId: $d, name: $name, algorithm: SVM, target: "expensive", features: ["sqft", "age"], hyperparameters: $h }) { id } }`, { d: housesId, h: { cache_size }, name });
    const refused = await train(100_000, "cache-huge");
    expect(refused.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "hyperparameters.cache_size", limit: "MAX_CACHE_SIZE_MB" });
    expect(refused.errors![0].message).toMatch(/at most 1024/);
    expect((await gql(`{ models(first: 100) { edges { node { name } } } }`)).data.models.edges.map((e: any) => e.node.name)).not.toContain("cache-huge");
    const atLimit = await train(1024, "cache-at-limit");
    expect(atLimit.errors).toBeUndefined();
    expectAlive();
  });
});
