/**
 * Issue 22's compute abuse, against a server in its own process (started as `npm start`
 * starts it): each abusive request is refused with BAD_USER_INPUT naming its limit, or its
 * work runs off the event loop, while GET /healthz keeps answering within 1 s and the
 * process stays up.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import houses from "../fixtures/pipeline/houses.json" with { type: "json" };
import { postGraphQL, type GraphQLResponse } from "../support/http.ts";
import { startServerProcess, type ServerProcess } from "../support/process.ts";

const KEY = "mql_compute_limits_bootstrap_key_0123";
let server: ServerProcess;
let housesId: string;

const gql = <T = any>(query: string, variables?: Record<string, unknown>) => postGraphQL<T>(`${server.base}/graphql`, query, variables, KEY);

/**
 * Run `request` while polling GET /healthz every 100 ms: the slowest answer, and the request's
 * own response. The poll is bounded by the request (it stops when the request settles).
 */
async function whilePolling<T>(request: () => Promise<T>): Promise<{ result: T; slowestHealthzMs: number; polls: number }> {
  let done = false;
  let slowest = 0;
  let polls = 0;
  const poll = (async () => {
    while (!done) {
      const started = performance.now();
      const response = await fetch(`${server.base}/healthz`, { signal: AbortSignal.timeout(10_000) }).catch(() => null);
      slowest = Math.max(slowest, response?.status === 200 ? performance.now() - started : Infinity);
      polls++;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    const result = await request();
    return { result, slowestHealthzMs: slowest, polls };
  } finally {
    done = true;
    await poll;
  }
}

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
    const { result, slowestHealthzMs } = await whilePolling(() => gql(SEARCH, { input }));
    expect(result.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", limit: "MAX_FITS", field: "space" });
    expect(result.errors![0].message).toMatch(message);
    expect(result.errors![0].message).toMatch(/at most 500/);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(slowestHealthzMs).toBeLessThan(1000);
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
