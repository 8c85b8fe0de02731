/**
 * The embedded default: `npm start` with no DATABASE_URL runs on PGlite under DATA_DIR, with
 * the same migrations, and the core flow works over HTTP exactly as on Postgres; restarting on
 * the same directory keeps the data.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { postGraphQL } from "../support/http.ts";
import { startServerProcess, type ServerProcess } from "../support/process.ts";

const KEY = "mql_embedded_bootstrap_key_0123456789ab";
let server: ServerProcess | undefined;

afterAll(async () => {
  await server?.stop();
});

// Two starts of an embedded (WASM) Postgres, each applying or checking every migration and the
// job queue's schema: ≈ 20 s alone, several times that on a loaded two-core machine.
it("creates a dataset, trains, predicts and keeps it all across a restart, on PGlite", async () => {
  const dataDir = join(await mkdtemp(join(tmpdir(), "modelql-embedded-")), "data");
  const env = { DATABASE_URL: "", DATA_DIR: dataDir, MODELQL_BOOTSTRAP_KEY: KEY };
  server = await startServerProcess(env);
  const gql = (query: string, variables?: Record<string, unknown>) => postGraphQL(`${server!.base}/graphql`, query, variables, KEY);

  const csv = "x,y,c\n1,2.1,a\n2,3.9,a\n3,6.2,b\n4,8.1,b\n5,9.8,b\n6,12.1,a\n";
  const dataset = await gql(`mutation($csv: String!) { createDataset(input: { name: "embedded", csv: $csv }) { id rowCount } }`, { csv });
  expect(dataset.errors).toBeUndefined();
  expect(dataset.data.createDataset.rowCount).toBe(6);
  const model = await gql(`mutation($d: ID!) { trainModel(wait: true, input: { datasetId: $d, name: "embedded", algorithm: LINEAR_REGRESSION, target: "y", features: ["x"], testFraction: 0 }) { id status metrics { r2 } } }`, {
    d: dataset.data.createDataset.id,
  });
  expect(model.errors).toBeUndefined();
  expect(model.data.trainModel.status).toBe("READY");
  expect(model.data.trainModel.metrics.r2).toBeGreaterThan(0.99);
  const predicted = await gql(`mutation { predict(model: "embedded", inputs: [{ x: 10 }]) { id output } }`);
  expect(predicted.data.predict[0].output).toBeGreaterThan(19);
  expect(predicted.data.predict[0].output).toBeLessThan(21);

  // Same directory, new process: the data is there, no migration runs twice.
  expect(await server.stop("SIGTERM")).toBe(0);
  server = await startServerProcess(env);
  const log = await postGraphQL(`${server.base}/graphql`, `query($id: ID!) { predictions(modelId: $id) { edges { node { id output } } } }`, { id: model.data.trainModel.id }, KEY);
  expect(log.errors).toBeUndefined();
  expect(log.data.predictions.edges.map((e: any) => e.node.id)).toEqual([predicted.data.predict[0].id]);
}, 240_000);
