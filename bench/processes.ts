/**
 * Past one machine, on one: throughput of two API processes against one Postgres vs one
 * process (issue "Training as durable jobs … more than one machine"). Both sides serve the
 * same model and take the same load, single-row predicts (every one durably logged) from wrk
 * with 16 connections in all: one process gets all 16, or each of two processes gets 8. API
 * nodes keep no state of their own (the served model is cached per process, the log is in
 * Postgres), so the figure says what a second node buys before Postgres or the CPU is the
 * limit. On these 2-core machines the two processes, Postgres and wrk share the same cores.
 *
 *   npm run bench -- processes [--quick] [--seconds S]
 */
import { rmSync } from "node:fs";
import { fmtMs, fmtRate, skippedRow, type BenchOptions, type PartReport } from "./lib/report.ts";
import { BENCH_KEY, benchDatabase, startModelQL } from "./lib/server.ts";
import { inputRecord, PREDICT, servingData, startOurs, TRAIN_ROWS } from "./lib/served.ts";
import { missing, wrk } from "./lib/tools.ts";
import { runWrk, type LoadResult } from "./lib/wrk.ts";

const CONNECTIONS = 16;

export async function run(opts: BenchOptions): Promise<PartReport> {
  const report: PartReport = { part: "processes", rows: [], details: [], notes: [] };
  const what = `single-row predict, ${CONNECTIONS} connections: 2 API processes vs 1`;
  if (!wrk().ok) {
    report.rows.push(skippedRow(what, "report", missing("wrk", wrk())));
    return report;
  }
  const db = await benchDatabase();
  if ("error" in db) {
    report.rows.push(skippedRow(what, "report", db.error));
    return report;
  }
  const data = servingData(opts.seed, 1);
  const warm = Math.min(3, opts.seconds);
  // API nodes only: training runs elsewhere (WORKERS=0), as in the deployment we describe.
  const env = { WORKERS: "0" };
  try {
    console.error("processes: starting the first API process, creating the dataset and training …");
    const first = await startOurs(db.url, data, { WORKERS: "1" });
    const second = await startModelQL(db.url, env);
    try {
      const body = JSON.stringify({ query: PREDICT, variables: { id: first.modelId, inputs: [inputRecord(data.X, TRAIN_ROWS)] } });
      const load = (base: string, connections: number, seconds: number) =>
        runWrk({ url: `${base}/graphql`, body, headers: { Authorization: `Bearer ${BENCH_KEY}` }, connections, threads: 1, seconds });

      console.error(`processes: one process, ${warm} s warm-up + ${opts.seconds} s …`);
      await load(first.server.base, CONNECTIONS, warm);
      const one = await load(first.server.base, CONNECTIONS, opts.seconds);

      console.error(`processes: two processes, ${warm} s warm-up + ${opts.seconds} s …`);
      await Promise.all([load(first.server.base, CONNECTIONS / 2, warm), load(second.base, CONNECTIONS / 2, warm)]);
      const two = await Promise.all([load(first.server.base, CONNECTIONS / 2, opts.seconds), load(second.base, CONNECTIONS / 2, opts.seconds)]);
      const twoRate = two[0].requestsPerSecond + two[1].requestsPerSecond;
      const twoP99 = Math.max(two[0].p99, two[1].p99);
      report.rows.push({
        what: `${what}: requests/s`,
        ours: `${fmtRate(twoRate, "req")} (2 processes)`,
        reference: `${fmtRate(one.requestsPerSecond, "req")} (1 process)`,
        ratio: `${(twoRate / one.requestsPerSecond).toFixed(2)}x`,
        target: "report",
        met: null,
      });
      report.rows.push({
        what: `${what}: p99 latency`,
        ours: `${fmtMs(twoP99)} (worse of the 2)`,
        reference: `${fmtMs(one.p99)} (1 process)`,
        ratio: (twoP99 / one.p99).toFixed(2),
        target: "report",
        met: null,
      });
      const line = (name: string, r: LoadResult) => `${name}: ${r.requests.toLocaleString("en-US")} requests, ${fmtRate(r.requestsPerSecond, "req")}, p50 ${fmtMs(r.p50)} p99 ${fmtMs(r.p99)}, errors ${r.errors}, non-2xx ${r.non2xx}`;
      report.details.push(`load: wrk (1 thread per target), ${warm} s warm-up then ${opts.seconds} s; one Postgres; the first process trained the model (its worker idles during the load), the second has WORKERS=0`);
      report.details.push(line("1 process, 16 connections", one));
      report.details.push(line("2 processes, process A, 8 connections", two[0]));
      report.details.push(line("2 processes, process B, 8 connections", two[1]));
      for (const r of [one, ...two]) if (r.errors || r.non2xx) report.notes.push(`processes: ${r.errors} socket errors and ${r.non2xx} non-2xx responses`);
    } finally {
      await second.stop();
      await first.server.stop();
    }
    return report;
  } finally {
    rmSync(data.dir, { recursive: true, force: true });
  }
}
