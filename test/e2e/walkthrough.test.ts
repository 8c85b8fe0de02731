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
  const [[create], [train], [predict, list]] = readmeOperations();
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
});

it("stops cleanly on SIGTERM", async () => {
  expect(await server.stop("SIGTERM")).toBe(0);
});
