/**
 * Training from the database: read n × 20 features + the target of a stored dataset from
 * Postgres into the estimator's input (DatasetService.loadColumns, the training read path,
 * then the row-major matrix the estimators take), against the in-memory OLS fit of the same
 * matrix in the same process. The issue's target: the read adds at most 1× the fit time.
 *
 * The dataset is stored by this part in the product's layout (DatasetService's CHUNK_ROWS,
 * the columnar codec, the same statistics) straight from the generated arrays, without the
 * CSV parse, so that only the read is measured here (`ingest` measures the write).
 *
 * A second row times the whole training a user waits for, `trainModel(wait: true)` over
 * GraphQL on a server started on the same database, beside the same in-memory fit.
 *
 *   npm run bench -- from-db [--quick]
 */
import { randomUUID } from "node:crypto";
import { chunkRanges, encodeColumnChunk } from "../src/core/dataset/codec.ts";
import type { Column } from "../src/core/dataset/columns.ts";
import { columnStats } from "../src/core/dataset/stats.ts";
import { createEstimator } from "../src/core/estimators/index.ts";
import { matrix } from "../src/core/matrix.ts";
import { openDatabase } from "../src/data/database.ts";
import { FeaturePipeline } from "../src/core/preprocessing/feature-pipeline.ts";
import { featureSpecs } from "../src/services/training/fitting.ts";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { CHUNK_ROWS, DatasetService } from "../src/services/datasets/datasets.ts";
import { WorkspaceService } from "../src/services/access/workspaces.ts";
import { csvColumns, generate, peakRss } from "./lib/data.ts";
import { skippedRow, type BenchOptions, type PartReport } from "./lib/report.ts";
import { benchDatabase, graphql, startModelQL } from "./lib/server.ts";
import { mib, seconds } from "./lib/table.ts";

const FEATURES = 20;
const TARGET = 1;

export async function run(opts: BenchOptions): Promise<PartReport> {
  const report: PartReport = { part: "from-db", rows: [], details: [], notes: [] };
  const n = opts.quick ? 100_000 : 1_000_000;
  const size = `${n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`}×${FEATURES}`;
  const what = `read ${size} (+ target) from Postgres into the estimator`;
  const db = await benchDatabase();
  if ("error" in db) {
    report.rows.push(skippedRow(what, `<= ${TARGET}x fit`, db.error));
    return report;
  }
  const database = await openDatabase({ databaseUrl: db.url, migrate: false });
  try {
    const services = { workspaces: new WorkspaceService(database.prisma), datasets: new DatasetService(database.prisma, database.pool) };
    const workspaceId = await services.workspaces.ensureDefault();
    console.error(`from-db: storing ${size} …`);
    const names = csvColumns(FEATURES);
    const datasetId = await (async () => {
      const { X, yReg } = generate(n, FEATURES, opts.seed);
      const columns: Column[] = names.map((name, j) => {
        const values = new Float64Array(n);
        if (j < FEATURES) for (let i = 0; i < n; i++) values[i] = X.data[i * FEATURES + j];
        else values.set(yReg);
        return { name, type: "NUMBER", values };
      });
      return storeDataset(database.prisma, workspaceId, columns, n);
    })();
    global.gc?.();

    const dataset = await services.datasets.requireDataset(workspaceId, datasetId);
    // Twice: the first read also warms Postgres's buffers and our JIT; the second is reported.
    let read = { load: 0, assemble: 0, peak: 0 };
    let X = matrix(0, FEATURES);
    let y: Float64Array = new Float64Array(0);
    for (let round = 0; round < 2; round++) {
      console.error(`from-db: read ${round + 1} of 2 …`);
      global.gc?.();
      peakRss.reset();
      const t0 = performance.now();
      const columns = await services.datasets.loadColumns(dataset, names);
      const t1 = performance.now();
      // The training path's design matrix: the fitted feature pipeline OLS gets (fitting.ts).
      const features = columns.slice(0, FEATURES);
      const pipeline = new FeaturePipeline({ features: featureSpecs("LINEAR_REGRESSION", features) });
      X = pipeline.fit(features).transform(features);
      y = columns[FEATURES].values as Float64Array;
      const t2 = performance.now();
      read = { load: (t1 - t0) / 1000, assemble: (t2 - t1) / 1000, peak: peakRss.read() };
    }

    console.error("from-db: OLS fit in memory …");
    let fit = Infinity;
    for (let k = 0; k < 3; k++) {
      global.gc?.();
      const t0 = performance.now();
      createEstimator("LINEAR_REGRESSION", {}).fit(X, y);
      fit = Math.min(fit, (performance.now() - t0) / 1000);
    }
    const total = read.load + read.assemble;
    const ratio = total / fit;
    report.rows.push({
      what,
      ours: `${seconds(total)} s read`,
      reference: `${seconds(fit)} s (in-memory OLS fit, same ${size})`,
      ratio: `${ratio.toFixed(1)}x`,
      target: `<= ${TARGET}x fit`,
      met: ratio <= TARGET,
    });
    // What a user waits for: the whole training over GraphQL (the read above, the split, the
    // pipeline, the fit, held-out metrics, inference statistics, importance, the drift
    // reference, storing the model), against the same in-memory fit.
    console.error("from-db: trainModel over GraphQL …");
    const server = await startModelQL(db.url);
    const trainings: number[] = [];
    try {
      for (let k = 0; k < 2; k++) {
        const t0 = performance.now();
        const { trainModel } = await graphql<{ trainModel: { status: string; error: string | null } }>(
          server.base,
          `mutation($input: TrainModelInput!) { trainModel(input: $input, wait: true) { status error } }`,
          { input: { datasetId, name: "bench-from-db-ols", algorithm: "LINEAR_REGRESSION", target: names[FEATURES] } },
        );
        if (trainModel.status !== "READY") throw new Error(`training ended ${trainModel.status}: ${trainModel.error}`);
        trainings.push((performance.now() - t0) / 1000);
      }
    } finally {
      await server.stop();
    }
    report.rows.push({
      what: `train OLS on ${size} over GraphQL, end to end (trainModel, wait: true)`,
      ours: `${seconds(trainings[1])} s`,
      reference: `${seconds(fit)} s (in-memory OLS fit, same ${size})`,
      ratio: `${(trainings[1] / fit).toFixed(1)}x`,
      target: "— (no target)",
      met: null,
    });
    report.details.push(
      `trainModel over GraphQL: ${trainings.map((t) => `${seconds(t)} s`).join(", then ")} (first and second training on a fresh server; the row is the second): read, 80/20 split, pipeline, fit, held-out metrics, OLS inference, importance, drift reference, the model stored`,
    );
    report.details.push(
      `read: loadColumns ${seconds(read.load)} s (${((n * (FEATURES + 1) * 8) / 1e6 / read.load).toFixed(0)} MB/s of float64; ${Math.ceil(n / CHUNK_ROWS) * (FEATURES + 1)} chunks of ≤ ${CHUNK_ROWS} rows), columns → design matrix (feature pipeline fit + transform) ${seconds(read.assemble)} s; peak RSS during the read ${mib(read.peak)} (raw X ${mib(n * FEATURES * 8)})`,
      `fit: LinearRegression on the matrix read, best of 3`,
    );
    return report;
  } finally {
    await database.close();
  }
}

/** A NUMBER-only dataset in DatasetService's layout (dataset, column rows with statistics, chunks). */
async function storeDataset(prisma: PrismaClient, workspaceId: string, columns: Column[], rowCount: number): Promise<string> {
  const id = randomUUID();
  await prisma.dataset.create({
    data: {
      id,
      workspaceId,
      name: "bench-from-db",
      rowCount,
      chunkSize: CHUNK_ROWS,
      columns: { create: columns.map((column, index) => ({ index, name: column.name, type: column.type, stats: columnStats(column) as object })) },
    },
  });
  // One chunk row per INSERT keeps each statement small; no transaction is needed for a benchmark.
  for (const [columnIndex, column] of columns.entries()) {
    for (const [chunkIndex, [start, end]] of chunkRanges(rowCount, CHUNK_ROWS).entries()) {
      await prisma.datasetChunk.create({
        data: { datasetId: id, columnIndex, chunkIndex, rowCount: end - start, data: encodeColumnChunk(column.values, start, end) as Uint8Array<ArrayBuffer> },
      });
    }
  }
  return id;
}
