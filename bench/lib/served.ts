/**
 * A served linear model on both sides of the HTTP benchmarks, fitted on the same seeded rows:
 * ModelQL (dataset created from CSV over GraphQL, LINEAR_REGRESSION trained on every row) and
 * the seed's Flask app under gunicorn (bench/seed_service.py, fitted once at start).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Matrix } from "../../src/core/matrix.ts";
import { csvColumns, generate, writeF64, type Synthetic } from "./data.ts";
import { freePort, graphql, startModelQL, startProcess, type Process } from "./server.ts";

/** Rows the served model is trained on (both sides). */
export const TRAIN_ROWS = 10_000;
export const FEATURES = 20;

/** The training rows plus `extra` rows for requests, written where the seed service reads them. */
export function servingData(seed: number, extra: number): Synthetic & { dir: string } {
  const data = generate(TRAIN_ROWS + extra, FEATURES, seed);
  const dir = mkdtempSync(join(tmpdir(), "modelql-serving-"));
  writeF64(join(dir, "X.f64"), data.X.data.subarray(0, TRAIN_ROWS * FEATURES));
  writeF64(join(dir, "y_regression.f64"), data.yReg.subarray(0, TRAIN_ROWS));
  writeFileSync(join(dir, "meta.json"), JSON.stringify({ rows: TRAIN_ROWS, features: FEATURES }));
  return { ...data, dir };
}

/** CSV of the first TRAIN_ROWS rows with every double written exactly (shortest round-trip form). */
function exactCsv(X: Matrix, y: Float64Array): string {
  const p = X.cols;
  const lines = [csvColumns(p).join(",")];
  for (let i = 0; i < TRAIN_ROWS; i++) {
    const cells: string[] = [];
    for (let j = 0; j < p; j++) cells.push(String(X.data[i * p + j]));
    cells.push(String(y[i]));
    lines.push(cells.join(","));
  }
  return lines.join("\n") + "\n";
}

/** One row as our predict input: { x0: …, x19: … }. */
export function inputRecord(X: Matrix, row: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (let j = 0; j < X.cols; j++) out[`x${j}`] = X.data[row * X.cols + j];
  return out;
}

export const PREDICT = "mutation Predict($id: ID!, $inputs: [JSON!]!) { predict(modelId: $id, inputs: $inputs) { output } }";

export interface OurServer {
  server: Process;
  modelId: string;
}

/** ModelQL on `databaseUrl` with the model trained over GraphQL (as a client would). */
export async function startOurs(databaseUrl: string, data: Synthetic, env: Record<string, string> = {}): Promise<OurServer> {
  const server = await startModelQL(databaseUrl, env);
  try {
    const created = await graphql<{ createDataset: { id: string } }>(server.base, "mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id } }", {
      input: { name: "bench-serving", csv: exactCsv(data.X, data.yReg) },
    });
    const trained = await graphql<{ trainModel: { id: string; status: string; error: string | null } }>(
      server.base,
      "mutation($input: TrainModelInput!) { trainModel(wait: true, input: $input) { id status error } }",
      { input: { datasetId: created.createDataset.id, name: "bench-ols", algorithm: "LINEAR_REGRESSION", target: "y", testFraction: 0 } },
    );
    if (trained.trainModel.status !== "READY") throw new Error(`training failed: ${trained.trainModel.error}`);
    return { server, modelId: trained.trainModel.id };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

/** The seed's Flask app under gunicorn, `workers` sync workers. */
export async function startSeed(dataDir: string, workers = 2): Promise<Process> {
  const port = await freePort();
  return startProcess("gunicorn", ["-w", String(workers), "-k", "sync", "-b", `127.0.0.1:${port}`, "--chdir", fileURLToPath(new URL("..", import.meta.url)), "seed_service:app"], {
    port,
    healthPath: "/healthz",
    env: { SEED_DATA: dataDir },
  });
}
