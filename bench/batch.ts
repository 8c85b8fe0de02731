/**
 * Batch predict over HTTP: 10,000 rows per request, a linear model (OLS on 20 features), end
 * to end (JSON in, validation, the pipeline, X w + b, every row durably logged, JSON out),
 * against numpy X @ w + b in the process that holds X (bench/numpy_matvec.py): the
 * memory-bound limit of the arithmetic alone.
 *
 * The client is a closed loop in this process (CONNECTIONS requests in flight, each sent again
 * as soon as it is answered) rather than wrk: a request takes seconds, so a fixed wrk window
 * would cut most of them off. Throughput = rows answered / wall time from the first send to
 * the last answer, the requests still in flight at the deadline included.
 *
 *   npm run bench -- batch [--quick] [--seconds S]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generate, writeF64 } from "./lib/data.ts";
import { fmtMs, fmtRate, skippedRow, type BenchOptions, type PartReport } from "./lib/report.ts";
import { BENCH_KEY, benchDatabase } from "./lib/server.ts";
import { inputRecord, PREDICT, servingData, startOurs, TRAIN_ROWS } from "./lib/served.ts";
import { missing, numpy, PYTHON } from "./lib/tools.ts";

const BATCH = 10_000;
const CONNECTIONS = 2;
const TARGET_ROWS_PER_S = 1_000_000;
const TARGET_OF_LIMIT = 0.3;

export async function run(opts: BenchOptions): Promise<PartReport> {
  const report: PartReport = { part: "batch", rows: [], details: [], notes: [] };
  const what = `batch predict, ${BATCH.toLocaleString("en-US")} rows/request`;
  const target = `>= ${TARGET_ROWS_PER_S / 1e6}M rows/s and >= ${TARGET_OF_LIMIT}x limit`;
  const db = await benchDatabase();
  if ("error" in db) {
    report.rows.push(skippedRow(what, target, db.error));
    return report;
  }

  // ---- the limit: numpy X @ w on n × 20 in memory
  let limit: { rows: number; seconds: number; rows_per_second: number } | null = null;
  if (!numpy().ok) report.notes.push(missing("numpy", numpy()));
  else {
    const n = opts.quick ? 100_000 : 1_000_000;
    const dir = mkdtempSync(join(tmpdir(), "modelql-matvec-"));
    try {
      const { X } = generate(n, 20, opts.seed);
      writeF64(join(dir, "X.f64"), X.data);
      writeFileSync(join(dir, "meta.json"), JSON.stringify({ rows: n, features: 20 }));
      const r = spawnSync(PYTHON, [fileURLToPath(new URL("./numpy_matvec.py", import.meta.url)), dir], { encoding: "utf8" });
      if (r.status !== 0) report.notes.push(`numpy_matvec.py failed: ${r.stderr}`);
      else limit = JSON.parse(r.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  // ---- ours: predict with 10k inputs per request
  const data = servingData(opts.seed, BATCH);
  let load: ClosedLoop;
  let bodyBytes: number;
  let responseBytes: number;
  try {
    console.error("batch: starting ModelQL, creating the dataset and training …");
    const ours = await startOurs(db.url, data);
    try {
      const inputs = Array.from({ length: BATCH }, (_, k) => inputRecord(data.X, TRAIN_ROWS + k));
      const body = JSON.stringify({ query: PREDICT, variables: { id: ours.modelId, inputs } });
      bodyBytes = Buffer.byteLength(body);
      const check = await fetch(`${ours.server.base}/graphql`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${BENCH_KEY}` }, body });
      const text = await check.text();
      responseBytes = Buffer.byteLength(text);
      const answer = JSON.parse(text) as { data?: { predict: { output: number }[] }; errors?: unknown };
      if (!answer.data || answer.data.predict.length !== BATCH) throw new Error(`batch predict failed: ${JSON.stringify(answer.errors).slice(0, 500)}`);
      console.error(`batch: ours, ${opts.seconds} s of ${CONNECTIONS} concurrent requests …`);
      load = await closedLoop(`${ours.server.base}/graphql`, body, CONNECTIONS, opts.seconds);
    } finally {
      await ours.server.stop();
    }
  } finally {
    rmSync(data.dir, { recursive: true, force: true });
  }

  const rowsPerSecond = (load.requests * BATCH) / load.seconds;
  const ofLimit = limit ? rowsPerSecond / limit.rows_per_second : null;
  const met = rowsPerSecond >= TARGET_ROWS_PER_S && (ofLimit === null || ofLimit >= TARGET_OF_LIMIT);
  report.rows.push({
    what: `${what}, end to end`,
    ours: fmtRate(rowsPerSecond, "rows"),
    reference: limit ? `${fmtRate(limit.rows_per_second, "rows")} (numpy X @ w in memory, ${limit.rows.toLocaleString("en-US")} × 20)` : "— (numpy missing)",
    ratio: ofLimit === null ? "—" : ofLimit < 0.01 ? ofLimit.toExponential(1) : ofLimit.toFixed(3),
    target,
    met,
  });
  report.details.push(
    `load: ${CONNECTIONS} requests in flight for ${opts.seconds} s (closed loop, after one request that also checks the answer); request body ${(bodyBytes / 2 ** 20).toFixed(1)} MiB (10,000 inputs of 20 features), response ${(responseBytes / 2 ** 20).toFixed(2)} MiB; every row logged`,
    `ours: ${load.requests} requests in ${load.seconds.toFixed(1)} s, latency min ${fmtMs(load.min)} median ${fmtMs(load.median)} max ${fmtMs(load.max)}, failed ${load.failed}`,
  );
  if (limit) report.details.push(`limit: numpy X @ w + b on ${limit.rows.toLocaleString("en-US")} × 20, best of 20: ${(limit.seconds * 1000).toFixed(2)} ms`);
  if (load.failed) report.notes.push(`batch: ${load.failed} requests failed`);
  return report;
}

interface ClosedLoop {
  requests: number;
  failed: number;
  seconds: number;
  min: number;
  median: number;
  max: number;
}

/** `concurrency` loops each sending `body` again as soon as the last answer is read, until `seconds` have passed. */
async function closedLoop(url: string, body: string, concurrency: number, seconds: number): Promise<ClosedLoop> {
  const latencies: number[] = [];
  let failed = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${BENCH_KEY}` }, body });
      const text = await res.text();
      if (res.ok && !text.includes('"errors"')) latencies.push(performance.now() - t0);
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, failed, seconds: elapsed, min: latencies[0] ?? NaN, median: latencies[Math.floor(latencies.length / 2)] ?? NaN, max: latencies[latencies.length - 1] ?? NaN };
}
