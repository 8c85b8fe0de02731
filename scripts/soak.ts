/**
 * `npm run soak -- [--seconds 60] [--fraction 0.7]`: a ModelQL server of its own (on a fresh
 * database `modelql_bench`, as the benchmarks use) under predict load at a fraction of its
 * measured peak with training jobs queued every 5 s (bench/soak.ts). Exits 1 when a request
 * failed, a training did not end READY, or the resident set grew by more than half.
 */
import { parseArgs } from "node:util";
import { formatSoak, soak } from "../bench/soak.ts";
import { benchDatabase, BENCH_KEY } from "../bench/lib/server.ts";
import { inputRecord, servingData, startOurs, TRAIN_ROWS } from "../bench/lib/served.ts";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "60" }, fraction: { type: "string", default: "0.7" } } });
const seconds = Number(values.seconds);
const fraction = Number(values.fraction);
if (!(seconds >= 10) || !(fraction > 0 && fraction <= 1)) throw new Error("--seconds must be at least 10, --fraction in (0, 1]");

const db = await benchDatabase();
if ("error" in db) {
  console.error(db.error);
  process.exit(2);
}
const data = servingData(42, 1);
console.error("soak: starting ModelQL, creating the dataset and training …");
const ours = await startOurs(db.url, data);
try {
  const datasetId = await datasetOf(ours.server.base, ours.modelId);
  const report = await soak({
    base: ours.server.base,
    key: BENCH_KEY,
    pid: ours.server.child.pid!,
    modelId: ours.modelId,
    datasetId,
    target: "y",
    input: inputRecord(data.X, TRAIN_ROWS),
    seconds,
    fraction,
    log: (line) => console.error(`soak: ${line}`),
  });
  console.log(`ModelQL soak — ${new Date().toISOString().replace("T", " ").slice(0, 19)} UTC, command: npm run soak -- --seconds ${seconds} --fraction ${fraction}`);
  console.log(formatSoak(report));
  const failed = report.errors > 0 || report.trainings.ready !== report.trainings.queued || report.rssEndMiB > 1.5 * report.rssStartMiB;
  process.exitCode = failed ? 1 : 0;
} finally {
  await ours.server.stop();
}

async function datasetOf(base: string, modelId: string): Promise<string> {
  const response = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${BENCH_KEY}` },
    body: JSON.stringify({ query: "query($id: ID!) { model(id: $id) { dataset { id } } }", variables: { id: modelId } }),
  });
  return ((await response.json()) as { data: { model: { dataset: { id: string } } } }).data.model.dataset.id;
}
