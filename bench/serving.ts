/**
 * Single-row predict over HTTP, every prediction durably logged, against the seed's Flask app
 * (bench/seed_service.py: fitted once at start, no logging) under gunicorn with 2 sync workers.
 * Same load generator (wrk, 1 thread), same 16 connections, same duration, same model (OLS
 * on the same 10,000 seeded rows × 20), each request one row.
 *
 * Ours is `predict(modelId, inputs: [row]) { output }` over GraphQL, answered only once its
 * row is committed to the prediction log. The part checks that both sides answer the same
 * prediction for the row they are sent, and that the log holds a row per answered request.
 *
 *   npm run bench -- serving [--quick] [--seconds S]
 */
import { rmSync } from "node:fs";
import pg from "pg";
import { fmtMs, fmtRate, skippedRow, type BenchOptions, type PartReport, type Row } from "./lib/report.ts";
import { BENCH_KEY, benchDatabase } from "./lib/server.ts";
import { inputRecord, PREDICT, servingData, startOurs, startSeed, TRAIN_ROWS } from "./lib/served.ts";
import { gunicorn, missing, wrk } from "./lib/tools.ts";
import { runWrk, type LoadResult } from "./lib/wrk.ts";

const CONNECTIONS = 16;
const TARGET_SPEEDUP = 5;
const TARGET_P99_MS = 10;

export async function run(opts: BenchOptions): Promise<PartReport> {
  const report: PartReport = { part: "serving", rows: [], details: [], notes: [] };
  const what = `single-row predict, ${CONNECTIONS} connections`;
  if (!wrk().ok) {
    report.rows.push(skippedRow(`${what}: requests/s`, `>= ${TARGET_SPEEDUP}x`, missing("wrk", wrk())));
    return report;
  }
  const db = await benchDatabase();
  if ("error" in db) {
    report.rows.push(skippedRow(`${what}: requests/s`, `>= ${TARGET_SPEEDUP}x`, db.error));
    return report;
  }
  const data = servingData(opts.seed, 1);
  const row = TRAIN_ROWS; // the first row after the training rows
  const warm = Math.min(3, opts.seconds);
  try {
    // ---- ours
    console.error("serving: starting ModelQL, creating the dataset and training …");
    const ours = await startOurs(db.url, data);
    let our: LoadResult;
    let ourValue: number;
    let logged: number;
    let commits: number;
    try {
      const body = JSON.stringify({ query: PREDICT, variables: { id: ours.modelId, inputs: [inputRecord(data.X, row)] } });
      const check = await fetch(`${ours.server.base}/graphql`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${BENCH_KEY}` }, body });
      const answer = (await check.json()) as { data?: { predict: { output: number }[] }; errors?: unknown };
      if (!answer.data) throw new Error(`predict failed: ${JSON.stringify(answer.errors)}`);
      ourValue = answer.data.predict[0].output;
      const load = { url: `${ours.server.base}/graphql`, body, headers: { Authorization: `Bearer ${BENCH_KEY}` }, connections: CONNECTIONS, threads: 1 };
      console.error(`serving: ours, ${warm} s warm-up + ${opts.seconds} s …`);
      await runWrk({ ...load, seconds: warm });
      const before = await dbCounters(db.url);
      our = await runWrk({ ...load, seconds: opts.seconds });
      const after = await dbCounters(db.url);
      logged = after.predictions - before.predictions;
      commits = after.commits - before.commits;
    } finally {
      await ours.server.stop();
    }

    // ---- the seed service
    let seed: LoadResult | null = null;
    let seedValue: number | null = null;
    if (!gunicorn().ok) report.notes.push(missing("gunicorn/Flask", gunicorn()));
    else {
      console.error("serving: starting the seed service (gunicorn, 2 sync workers) …");
      const service = await startSeed(data.dir, 2);
      try {
        const x = Array.from(data.X.data.subarray(row * data.X.cols, (row + 1) * data.X.cols));
        const body = JSON.stringify({ X: [x] });
        const check = await fetch(`${service.base}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body });
        seedValue = ((await check.json()) as { prediction: number[] }).prediction[0];
        const load = { url: `${service.base}/predict`, body, headers: {}, connections: CONNECTIONS, threads: 1 };
        console.error(`serving: seed, ${warm} s warm-up + ${opts.seconds} s …`);
        await runWrk({ ...load, seconds: warm });
        seed = await runWrk({ ...load, seconds: opts.seconds });
      } finally {
        await service.stop();
      }
    }

    const speedup = seed ? our.requestsPerSecond / seed.requestsPerSecond : null;
    const rows: Row[] = [
      {
        what: `${what}: requests/s`,
        ours: fmtRate(our.requestsPerSecond, "req"),
        reference: seed ? `${fmtRate(seed.requestsPerSecond, "req")} (seed Flask, gunicorn 2 sync workers)` : "— (gunicorn missing)",
        ratio: speedup === null ? "—" : `${speedup.toFixed(2)}x`,
        target: `>= ${TARGET_SPEEDUP}x`,
        met: speedup === null ? null : speedup >= TARGET_SPEEDUP,
      },
      {
        what: `${what}: p99 latency`,
        ours: fmtMs(our.p99),
        reference: seed ? `${fmtMs(seed.p99)} (seed)` : "—",
        ratio: seed ? (our.p99 / seed.p99).toFixed(2) : "—",
        target: `<= ${TARGET_P99_MS} ms`,
        met: our.p99 <= TARGET_P99_MS,
      },
    ];
    report.rows.push(...rows);
    const line = (name: string, r: LoadResult) =>
      `${name}: ${r.requests.toLocaleString("en-US")} requests in ${r.seconds.toFixed(1)} s, ${fmtRate(r.requestsPerSecond, "req")}, latency p50 ${fmtMs(r.p50)} p90 ${fmtMs(r.p90)} p99 ${fmtMs(r.p99)} max ${fmtMs(r.max)}, errors ${r.errors}, non-2xx ${r.non2xx}`;
    report.details.push(`load: wrk, 1 thread, ${CONNECTIONS} connections, ${warm} s warm-up then ${opts.seconds} s, one row (20 features) per request, same machine as the servers`);
    report.details.push(line("ours", our));
    report.details.push(`ours: ${logged.toLocaleString("en-US")} prediction rows committed during the measured run (requests answered: ${our.requests.toLocaleString("en-US")}; requests still in flight when wrk stops are logged but not counted by it) in ${commits.toLocaleString("en-US")} Postgres commits (${(logged / Math.max(1, commits)).toFixed(1)} rows per group-committed INSERT, ${(commits / our.seconds).toFixed(0)} commits/s)`);
    if (seed) report.details.push(line("seed", seed));
    if (seedValue !== null) {
      const rel = Math.abs(ourValue - seedValue) / Math.max(1, Math.abs(seedValue));
      report.details.push(`same answer: ours ${ourValue} vs seed ${seedValue} (relative difference ${rel.toExponential(1)})`);
      if (rel > 1e-6) report.notes.push(`serving: the two services disagree on the prediction (${ourValue} vs ${seedValue})`);
    }
    if (logged < our.requests - our.errors - our.non2xx) report.notes.push(`serving: only ${logged} predictions logged for ${our.requests} answered requests`);
    if (our.errors || our.non2xx) report.notes.push(`serving: ours had ${our.errors} socket errors and ${our.non2xx} non-2xx responses`);
    return report;
  } finally {
    rmSync(data.dir, { recursive: true, force: true });
  }
}

/** Rows in the prediction log, and transactions committed in the database so far. */
async function dbCounters(url: string): Promise<{ predictions: number; commits: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const predictions = Number((await client.query('SELECT count(*) AS n FROM "Prediction"')).rows[0].n);
    // Shared-memory statistics of this database; the count includes this session's own transactions (one per query here).
    await client.query("SELECT pg_stat_clear_snapshot()");
    const commits = Number((await client.query("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")).rows[0].xact_commit);
    return { predictions, commits };
  } finally {
    await client.end();
  }
}
