/**
 * `npm run drill:restart -- [--down 5]`: the real thing the outage test imitates with a TCP
 * proxy. A ModelQL server (its own process, on a fresh database `modelql_bench`) takes a steady
 * stream of predictions while a training job runs; the local Postgres cluster is stopped with
 * `pg_ctlcluster --skip-systemctl-redirect 15 main stop` for `--down` seconds, then started.
 * Reports what clients saw during the outage, how long after the start requests succeeded
 * again, whether every acknowledged prediction is in the log, and how the training ended.
 * It stops the whole cluster: never run it while anything else uses that Postgres (CI does not
 * run it). Exits 1 when a promise is broken.
 */
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import pg from "pg";
import { benchDatabase, BENCH_KEY } from "../bench/lib/server.ts";
import { inputRecord, servingData, startOurs, TRAIN_ROWS } from "../bench/lib/served.ts";

const { values } = parseArgs({ options: { down: { type: "string", default: "5" }, cluster: { type: "string", default: "15 main" } } });
const downSeconds = Number(values.down);
const [version, cluster] = values.cluster!.split(" ");
const pgctl = (action: string) => execFileSync("pg_ctlcluster", ["--skip-systemctl-redirect", version, cluster, action], { stdio: "inherit" });

const db = await benchDatabase();
if ("error" in db) throw new Error(db.error);
const data = servingData(42, 1);
console.error("drill: starting ModelQL, creating the dataset and training …");
const ours = await startOurs(db.url, data);
const base = ours.server.base;
const call = async (query: string, variables: Record<string, unknown>) => {
  const started = performance.now();
  try {
    const response = await fetch(`${base}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${BENCH_KEY}` },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await response.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] };
    return { status: response.status, body, ms: performance.now() - started };
  } catch (error) {
    return { status: 0, body: { errors: [{ extensions: { code: (error as Error).name } }] }, ms: performance.now() - started };
  }
};

let failed = false;
const check = (ok: boolean, what: string) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failed = true;
};

try {
  // 3000 noisy rows a linear SVM cannot fit to tol 1e-15: it runs all max_iter passes (≈ 10 s per fit here, 3 fits).
  const csv = ["x,z,label", ...Array.from({ length: 3000 }, (_, i) => `${(i * 7919) % 1000},${(i * 104729) % 997},${(i * 31) % 2 === 0 ? "a" : "b"}`)].join("\n");
  const slow = (await call(`mutation($csv: String!) { createDataset(input: { name: "drill-slow", csv: $csv }) { id } }`, { csv })).body.data.createDataset.id;
  const training = (
    await call(`mutation($d: ID!) { trainModel(input: { datasetId: $d, name: "drill", algorithm: LINEAR_SVM, target: "label", folds: 2, hyperparameters: { max_iter: 100000, tol: 1e-15 } }) { id } }`, { d: slow })
  ).body.data.trainModel.id;

  // A client predicting in a loop: what it saw, when.
  const acknowledged: string[] = [];
  const seen: { at: number; status: number; code: string | null; ms: number }[] = [];
  let stop = false;
  const t0 = performance.now();
  const client = (async () => {
    while (!stop) {
      const r = await call(`mutation($id: ID!, $inputs: [JSON!]!) { predict(modelId: $id, inputs: $inputs) { id } }`, { id: ours.modelId, inputs: [inputRecord(data.X, TRAIN_ROWS)] });
      seen.push({ at: performance.now() - t0, status: r.status, code: r.body.errors?.[0]?.extensions?.code ?? null, ms: r.ms });
      if (r.body.data?.predict) acknowledged.push(r.body.data.predict[0].id);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();

  // Stop once the training is running.
  for (let status = ""; status !== "TRAINING"; await new Promise((r) => setTimeout(r, 100))) {
    status = (await call(`query($id: ID!) { model(id: $id) { status } }`, { id: training })).body.data.model.status;
  }
  await new Promise((r) => setTimeout(r, 2000));
  const progress = (await call(`query($id: ID!) { model(id: $id) { status progress { fraction } } }`, { id: training })).body.data.model;
  console.log(`training when Postgres stops: ${JSON.stringify(progress)}`);
  console.error(`drill: stopping Postgres for ${downSeconds} s …`);
  pgctl("stop");
  // (execFileSync holds this process's event loop while the cluster shuts down: the outage is counted from here)
  const stoppedAt = performance.now() - t0;
  await new Promise((r) => setTimeout(r, downSeconds * 1000));
  pgctl("start");
  const startedAt = performance.now() - t0;
  console.error("drill: Postgres started again");
  // Until requests succeed again (up to 60 s), then a little more.
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline && !seen.some((s) => s.at > startedAt && s.status === 200)) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 1000));
  stop = true;
  await client;

  const during = seen.filter((s) => s.at > stoppedAt + 100 && s.at < startedAt - 100);
  const firstOk = seen.find((s) => s.at > startedAt && s.status === 200);
  const codes = [...new Set(during.map((s) => `${s.status} ${s.code}`))];
  console.log(`during the ${downSeconds} s stop: ${during.length} requests answered ${codes.join(", ")}; slowest ${Math.max(0, ...during.map((s) => s.ms)).toFixed(0)} ms`);
  check(during.length > 0 && during.every((s) => s.status === 503 && s.code === "SERVICE_UNAVAILABLE"), "every request during the outage got 503 SERVICE_UNAVAILABLE");
  check(during.every((s) => s.ms < 10_000), "none hung past 10 s");
  const recovery = firstOk ? (firstOk.at - startedAt) / 1000 : Infinity;
  console.log(`first successful predict ${recovery.toFixed(2)} s after Postgres started`);
  check(recovery <= 5, "recovered within 5 s of the database returning");
  check((await call("{ __typename }", {})).status === 200, "the server process is still up");

  const log = new pg.Client({ connectionString: db.url });
  await log.connect();
  const found = Number((await log.query(`SELECT count(*) AS n FROM "Prediction" WHERE id = ANY($1::bigint[])`, [acknowledged])).rows[0].n);
  await log.end();
  console.log(`acknowledged predictions: ${acknowledged.length}, in the log: ${found}`);
  check(found === acknowledged.length, "every acknowledged prediction is in the log");

  let model: any;
  for (const until = Date.now() + 180_000; Date.now() < until; await new Promise((r) => setTimeout(r, 500))) {
    model = (await call(`query($id: ID!) { model(id: $id) { status error attempts } }`, { id: training })).body.data?.model;
    if (model && ["READY", "FAILED", "CANCELLED"].includes(model.status)) break;
  }
  console.log(`training job: ${JSON.stringify(model)}`);
  check(model?.status === "READY", "the training job finished READY");
} finally {
  try {
    pgctl("start");
  } catch {
    // already running
  }
  await ours.server.stop();
}
process.exitCode = failed ? 1 : 0;
