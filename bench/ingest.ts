/**
 * CSV ingest of n × 20 features + a target (1M × 21 columns, ~200 MB of CSV with 6 decimals)
 * into ModelQL, against psql's `\copy … csv header` of the same file into a plain table of
 * 21 double precision columns, in the same Postgres.
 *
 * Ours is the path for files of this size: `POST /datasets?name=…` with the file as the body
 * (Content-Type text/csv) to a server started as `npm start`, timed from the first byte sent
 * to the committed dataset's answer (spool to disk, streamed parse, type inference, column
 * statistics, columnar chunks written in one transaction). psql is timed as a process,
 * reading the file itself. The streamed parse alone (readCsv, in this process) is timed too,
 * to show where the time goes.
 *
 *   npm run bench -- ingest [--quick]
 */
import { spawnSync } from "node:child_process";
import { createReadStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { readCsv } from "../src/core/dataset/csv.ts";
import { csvColumns, generate, writeCsv } from "./lib/data.ts";
import { fmtRate, skippedRow, type BenchOptions, type PartReport } from "./lib/report.ts";
import { BENCH_KEY, benchDatabase, startModelQL } from "./lib/server.ts";
import { missing, psql } from "./lib/tools.ts";

const FEATURES = 20;
const TARGET = 0.5;

export async function run(opts: BenchOptions): Promise<PartReport> {
  const report: PartReport = { part: "ingest", rows: [], details: [], notes: [] };
  const n = opts.quick ? 100_000 : 1_000_000;
  const size = `${n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`}×${FEATURES}`;
  const what = `CSV ingest ${size} (+ target column)`;
  const db = await benchDatabase();
  if ("error" in db) {
    report.rows.push(skippedRow(what, `>= ${TARGET}x psql rows/s`, db.error));
    return report;
  }
  const dir = mkdtempSync(join(tmpdir(), "modelql-ingest-"));
  try {
    console.error(`ingest: generating ${size} and writing the CSV …`);
    const file = join(dir, "data.csv");
    const bytes = await (async () => {
      const { X, yReg } = generate(n, FEATURES, opts.seed);
      return writeCsv(file, X, yReg);
    })();
    report.details.push(`file: ${n.toLocaleString("en-US")} rows × ${FEATURES + 1} columns, ${(bytes / 1e6).toFixed(0)} MB of CSV (6 decimals)`);

    // ---- psql \copy into a plain table
    let psqlSeconds: number | null = null;
    if (!psql().ok) report.notes.push(missing("psql", psql()));
    else {
      const columns = csvColumns(FEATURES).map((c) => `${c} double precision`).join(", ");
      const setup = spawnSync("psql", [db.url, "-v", "ON_ERROR_STOP=1", "-q", "-c", `CREATE TABLE bench_plain (${columns})`], { encoding: "utf8" });
      if (setup.status !== 0) throw new Error(`psql: ${setup.stderr}`);
      console.error("ingest: psql \\copy …");
      const t0 = performance.now();
      const copy = spawnSync("psql", [db.url, "-v", "ON_ERROR_STOP=1", "-c", `\\copy bench_plain from '${file}' csv header`], { encoding: "utf8" });
      psqlSeconds = (performance.now() - t0) / 1000;
      if (copy.status !== 0) throw new Error(`psql \\copy: ${copy.stderr}`);
    }

    // ---- ours: the streaming upload over HTTP
    console.error("ingest: POST /datasets (streaming upload) …");
    const server = await startModelQL(db.url);
    let ours: number | null = null;
    let error: string | null = null;
    try {
      const t0 = performance.now();
      const res = await fetch(`${server.base}/datasets?name=bench-ingest`, {
        method: "POST",
        headers: { "content-type": "text/csv", "content-length": String(statSync(file).size), authorization: `Bearer ${BENCH_KEY}` },
        body: Readable.toWeb(createReadStream(file)) as ReadableStream,
        duplex: "half",
      } as RequestInit);
      const answer = (await res.json()) as { data?: { rowCount: number }; errors?: { message: string }[] };
      const elapsed = (performance.now() - t0) / 1000;
      if (res.ok && answer.data?.rowCount === n) ours = elapsed;
      else error = `HTTP ${res.status}: ${answer.errors?.[0]?.message ?? JSON.stringify(answer)} (after ${elapsed.toFixed(1)} s)`;
    } finally {
      await server.stop();
    }

    console.error("ingest: readCsv alone …");
    global.gc?.();
    const t0 = performance.now();
    await readCsv(() => createReadStream(file));
    const parseSeconds = (performance.now() - t0) / 1000;

    const ourRate = ours === null ? null : n / ours;
    const refRate = psqlSeconds === null ? null : n / psqlSeconds;
    const ratio = ourRate !== null && refRate !== null ? ourRate / refRate : null;
    report.rows.push({
      what,
      ours: ours === null ? `failed: ${error?.slice(0, 60)}…` : `${fmtRate(ourRate!, "rows")} (${ours.toFixed(1)} s)`,
      reference: refRate === null ? "— (psql missing)" : `${fmtRate(refRate, "rows")} (${psqlSeconds!.toFixed(1)} s, psql \\copy csv)`,
      ratio: ratio === null ? "—" : `${ratio.toFixed(2)}x`,
      target: `>= ${TARGET}x psql rows/s`,
      met: ours === null ? false : ratio === null ? null : ratio >= TARGET,
    });
    report.details.push(
      `ours: POST /datasets ${ours === null ? `failed: ${error}` : `${ours.toFixed(2)} s`}; the streamed parse alone (readCsv in one process) takes ${parseSeconds.toFixed(2)} s (${fmtRate(n / parseSeconds, "rows")})`,
    );
    if (psqlSeconds !== null) report.details.push(`psql: \\copy bench_plain from the file, csv header: ${psqlSeconds.toFixed(2)} s wall, process start included`);
    return report;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
