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

/** The ```graphql blocks of the README's Walk-through section, each split into its top-level operations. */
function readmeOperations(): string[][] {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const walkthrough = readme.slice(readme.indexOf("## Walk-through"), readme.indexOf("\n## ", readme.indexOf("## Walk-through") + 1));
  return [...walkthrough.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1].split(/\n\n(?=query|mutation)/).map((op) => op.trim()));
}

/**
 * An operation as a reader sends it: the placeholders filled with what earlier steps returned,
 * and nothing else changed. A placeholder no earlier step defines fails the test.
 */
function filled(operation: string, values: Record<string, string>): string {
  return operation.replace(/<[^>]+>/g, (placeholder) => {
    if (!(placeholder in values)) throw new Error(`the README uses ${placeholder}, which no earlier step gives`);
    return values[placeholder];
  });
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

it("runs the README walk-through in order, as written: create dataset → train → predict → read the log → OLS inference", async () => {
  const blocks = readmeOperations();
  // Every block of the section is run below: a new step must be added here too.
  expect(blocks.map((ops) => ops.length)).toEqual([1, 1, 2, 3]);
  const [[create], [train], [predict, list], [trainOls, inferenceQuery, intervalPredict]] = blocks;
  const values: Record<string, string> = {};
  const send = async (operation: string) => {
    const response = await postGraphQL(`${base}/graphql`, filled(operation, values), undefined, KEY);
    expect(response.errors).toBeUndefined();
    return response.data;
  };

  const dataset = await send(create);
  values["<id from step 1>"] = dataset.createDataset.id;
  expect(dataset.createDataset.rowCount).toBe(8);

  const model = await send(train);
  expect(model.trainModel).toMatchObject({ status: "READY", version: 1, metrics: { evaluatedOn: "TRAINING" } });
  expect(model.trainModel.metrics.r2).toBeGreaterThan(0.9);
  values["<id from step 2>"] = model.trainModel.id;

  const predicted = await send(predict);
  expect(predicted.predict).toHaveLength(2);
  const [bigger, smaller] = predicted.predict.map((p: any) => p.output);
  expect(bigger).toBeGreaterThan(smaller);

  const log = await send(list);
  expect(log.predictions.edges.map((e: any) => e.node.id)).toEqual(predicted.predict.map((p: any) => p.id).reverse());

  // Step 4: the OLS model the step trains is the one its query and predict name.
  const ols = await send(trainOls);
  expect(ols.trainModel).toMatchObject({ status: "READY", version: 1, error: null });
  const inference = await send(inferenceQuery);
  const coefficients = inference.modelByReference.coefficients;
  expect(coefficients.length).toBeGreaterThan(0);
  // 8 rows and 6 parameters (intercept, sqft, age, garage, two city dummies) leave 2 residual
  // degrees of freedom: every statistic is defined.
  for (const c of coefficients) {
    expect(c.stdError).toBeGreaterThan(0);
    expect(c.ciLow).toBeLessThan(c.value);
    expect(c.ciHigh).toBeGreaterThan(c.value);
  }
  expect(inference.modelByReference.inference.fStatistic).toBeGreaterThan(0);
  expect(inference.modelByReference.featureImportance.map((f: any) => f.method)).toContain("COEFFICIENT");
  const interval = await send(intervalPredict);
  const [p] = interval.predict;
  expect(p.interval.low).toBeLessThan(p.output);
  expect(p.interval.high).toBeGreaterThan(p.output);
});

it("stops cleanly on SIGTERM", async () => {
  expect(await server.stop("SIGTERM")).toBe(0);
});
