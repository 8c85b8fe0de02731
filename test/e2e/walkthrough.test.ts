/**
 * The README's walk-through, run verbatim against a server started the way `npm start`
 * starts it (its own process, migrations on start, real HTTP), so the README cannot drift
 * from what the server does.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { postGraphQL } from "../support/http.ts";
import { startServerProcess, type ServerProcess } from "../support/process.ts";

const KEY = "mql_walkthrough_bootstrap_key_0123456789";
let server: ServerProcess;
let base: string;

beforeAll(async () => {
  server = await startServerProcess({ MODELQL_BOOTSTRAP_KEY: KEY });
  base = server.base;
});

afterAll(async () => {
  await server?.stop();
});

/** The README's ```graphql blocks, each split into its top-level operations. */
function readmeOperations(): string[][] {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  return [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1].split(/\n\n(?=query|mutation)/).map((op) => op.trim()));
}

it("prints where it serves and answers /healthz", async () => {
  expect(server.output()).toContain(`${base}/graphql`);
  expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok" });
});

it("refuses a request without a key with HTTP 401 and UNAUTHENTICATED", async () => {
  const response = await postGraphQL(`${base}/graphql`, "{ algorithms { algorithm } }");
  expect(response.status).toBe(401);
  expect(response.errors![0].extensions!.code).toBe("UNAUTHENTICATED");
});

it("runs the README walk-through: create dataset → train → predict → read the log", async () => {
  const [[create], [train], [predict, list], [inferenceQuery, intervalPredict]] = readmeOperations();
  const dataset = await postGraphQL(`${base}/graphql`, create, undefined, KEY);
  expect(dataset.errors).toBeUndefined();
  const datasetId = dataset.data.createDataset.id;
  expect(dataset.data.createDataset.rowCount).toBe(8);

  const model = await postGraphQL(`${base}/graphql`, train.replace("<id from step 1>", datasetId), undefined, KEY);
  expect(model.errors).toBeUndefined();
  expect(model.data.trainModel).toMatchObject({ status: "READY", version: 1, metrics: { evaluatedOn: "TRAINING" } });
  expect(model.data.trainModel.metrics.r2).toBeGreaterThan(0.9);
  const modelId = model.data.trainModel.id;

  const predicted = await postGraphQL(`${base}/graphql`, predict.replaceAll("<id from step 2>", modelId), undefined, KEY);
  expect(predicted.errors).toBeUndefined();
  expect(predicted.data.predict).toHaveLength(2);
  const [bigger, smaller] = predicted.data.predict.map((p: any) => p.output);
  expect(bigger).toBeGreaterThan(smaller);

  const log = await postGraphQL(`${base}/graphql`, list.replaceAll("<id from step 2>", modelId), undefined, KEY);
  expect(log.data.predictions.edges.map((e: any) => e.node.id)).toEqual(predicted.data.predict.map((p: any) => p.id).reverse());

  // Step 4: the same data as ordinary least squares, named as the README's predict names it.
  const ols = await postGraphQL(
    `${base}/graphql`,
    train.replace("<id from step 1>", datasetId).replace('name: "house-prices"', 'name: "house-prices-ols"').replace("algorithm: RIDGE", "algorithm: LINEAR_REGRESSION").replace("hyperparameters: { alpha: 0.1 }", ""),
    undefined,
    KEY,
  );
  expect(ols.errors).toBeUndefined();
  const inference = await postGraphQL(`${base}/graphql`, inferenceQuery.replace("<id of a LINEAR_REGRESSION model>", ols.data.trainModel.id), undefined, KEY);
  expect(inference.errors).toBeUndefined();
  const coefficients = inference.data.model.coefficients;
  expect(coefficients.length).toBeGreaterThan(0);
  // 8 rows and 6 parameters (intercept, sqft, age, garage, two city dummies) leave 2 residual
  // degrees of freedom: every statistic is defined.
  for (const c of coefficients) {
    expect(c.stdError).toBeGreaterThan(0);
    expect(c.ciLow).toBeLessThan(c.value);
    expect(c.ciHigh).toBeGreaterThan(c.value);
  }
  expect(inference.data.model.inference.fStatistic).toBeGreaterThan(0);
  expect(inference.data.model.featureImportance.map((f: any) => f.method)).toContain("COEFFICIENT");
  const interval = await postGraphQL(`${base}/graphql`, intervalPredict, undefined, KEY);
  expect(interval.errors).toBeUndefined();
  const [p] = interval.data.predict;
  expect(p.interval.low).toBeLessThan(p.output);
  expect(p.interval.high).toBeGreaterThan(p.output);
});

it("stops cleanly on SIGTERM", async () => {
  expect(await server.stop("SIGTERM")).toBe(0);
});
