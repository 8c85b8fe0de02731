/**
 * Training as durable jobs, with real processes: API servers that only queue (WORKERS=0) and
 * `npm run worker` processes, all on the run's Postgres and one pg-boss schema. A worker is
 * killed with SIGKILL mid-training and the job is retried to READY; SIGTERM requeues a running
 * job; a queued or running job is cancelled; and a client subscribed on server A follows a
 * training queued through server B and run by the worker.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { openTestDatabase } from "../support/database.ts";
import { postGraphQL } from "../support/http.ts";
import { startServerProcess, startWorkerProcess, type ServerProcess, type WorkerProcess } from "../support/process.ts";
import type { Database } from "../../src/data/database.ts";

const KEY = "mql_jobs_test_key_0123456789abcdef";
const STALE_SECONDS = 3;
let database: Database;
let a: ServerProcess;
let b: ServerProcess;
let datasetId: string;
const workers: WorkerProcess[] = [];
const clients: Client[] = [];

const gql = (server: ServerProcess, query: string, variables?: Record<string, unknown>) => postGraphQL(`${server.base}/graphql`, query, variables, KEY);

// 3000 noisy rows a linear SVM cannot fit to tol 1e-15: it runs exactly max_iter passes, so
// max_iter sets how long a training takes (≈ 0.1 ms per pass here).
const CSV = ["x,z,label", ...Array.from({ length: 3000 }, (_, i) => `${(i * 7919) % 1000},${(i * 104729) % 997},${(i * 31) % 2 === 0 ? "a" : "b"}`)].join("\n");
const FOREVER = 10_000_000;

async function train(server: ServerProcess, name: string, maxIter: number, extra = "") {
  const response = await gql(
    server,
    `mutation($d: ID!, $h: JSON) { trainModel(input: { datasetId: $d, name: "${name}", algorithm: LINEAR_SVM, target: "label", hyperparameters: $h ${extra} }) { id status attempts } }`,
    { d: datasetId, h: { max_iter: maxIter, tol: 1e-15 } },
  );
  expect(response.errors).toBeUndefined();
  return response.data.trainModel as { id: string; status: string; attempts: number };
}

const MODEL = `query($id: ID!) { model(id: $id) { id status error attempts startedAt finishedAt progress { iteration objective fraction } metrics { accuracy } } }`;
const readModel = async (id: string) => (await gql(a, MODEL, { id })).data.model;

/** Poll the model until `done` holds (or fail after `seconds`). */
async function until(id: string, done: (model: any) => boolean, seconds = 60): Promise<any> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const model = await readModel(id);
    if (done(model)) return model;
    if (Date.now() > deadline) throw new Error(`model ${id} never reached the state; last: ${JSON.stringify(model)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function worker(env: Record<string, string> = {}): Promise<WorkerProcess> {
  const started = await startWorkerProcess({ JOB_STALE_SECONDS: String(STALE_SECONDS), ...env });
  workers.push(started);
  return started;
}

beforeAll(async () => {
  database = await openTestDatabase();
  const env = { WORKERS: "0", MODELQL_BOOTSTRAP_KEY: KEY, JOB_STALE_SECONDS: String(STALE_SECONDS) };
  [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  const created = await gql(a, `mutation($csv: String!) { createDataset(input: { name: "jobs", csv: $csv }) { id } }`, { csv: CSV });
  datasetId = created.data.createDataset.id;
}, 120_000);

afterAll(async () => {
  for (const client of clients) await client.dispose();
  for (const w of workers) await w.stop("SIGKILL");
  await a?.stop();
  await b?.stop();
  await database?.close();
});

describe("a training job", () => {
  it("is QUEUED at once, can be cancelled while queued, and is trained by a worker process", async () => {
    const started = performance.now();
    const queued = await train(a, "queued", 100);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(queued).toMatchObject({ status: "QUEUED", attempts: 0 });
    // No worker is running: it stays queued.
    await new Promise((r) => setTimeout(r, 1000));
    expect((await readModel(queued.id)).status).toBe("QUEUED");

    const cancelled = await gql(a, `mutation($id: ID!) { cancelTraining(id: $id) { id status error finishedAt } }`, { id: queued.id });
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data.cancelTraining).toMatchObject({ status: "CANCELLED" });
    expect(cancelled.data.cancelTraining.finishedAt).not.toBeNull();
    const again = await gql(a, `mutation($id: ID!) { cancelTraining(id: $id) { id } }`, { id: queued.id });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "id" });

    const next = await train(a, "queued", 100);
    const w = await worker();
    const ready = await until(next.id, (m) => m.status === "READY");
    expect(ready.attempts).toBe(1);
    expect(ready.progress.fraction).toBe(1);
    expect(ready.metrics.accuracy).toBeGreaterThan(0);
    expect(new Date(ready.finishedAt).getTime()).toBeGreaterThanOrEqual(new Date(ready.startedAt).getTime());
    // The cancelled one was never trained.
    expect((await readModel(queued.id)).status).toBe("CANCELLED");
    await w.stop();
  });

  it("stops a running fit when cancelled, freeing the worker for the next job", async () => {
    const w = await worker();
    const slow = await train(a, "cancelled-running", FOREVER);
    await until(slow.id, (m) => m.status === "TRAINING" && m.progress !== null);
    const cancelled = await gql(b, `mutation($id: ID!) { cancelTraining(id: $id) { status } }`, { id: slow.id });
    expect(cancelled.data.cancelTraining.status).toBe("CANCELLED");
    // The worker runs one job at a time: the next one finishing means the cancelled fit stopped.
    const next = await train(a, "after-cancel", 100);
    await until(next.id, (m) => m.status === "READY", 30);
    expect((await readModel(slow.id)).status).toBe("CANCELLED");
    expect(w.output()).not.toMatch(/training attempt failed/);
    await w.stop();
  });

  it("survives its worker's SIGKILL: the job is retried by another worker and ends READY", async () => {
    const first = await worker();
    const job = await train(a, "killed", 60_000);
    await until(job.id, (m) => m.status === "TRAINING" && m.progress !== null);
    first.child.kill("SIGKILL");
    const killedAt = performance.now();
    await first.stop(); // waits for the exit
    const second = await worker();
    const retried = await until(job.id, (m) => m.attempts === 2 && m.status !== "QUEUED");
    const pickup = (performance.now() - killedAt) / 1000;
    console.log(`a SIGKILLed worker's job was started again ${pickup.toFixed(1)} s after the kill (JOB_STALE_SECONDS=${STALE_SECONDS}, reaper every 5 s)`);
    expect(pickup).toBeLessThan(STALE_SECONDS + 5 + 30);
    const ready = await until(retried.id, (m) => m.status === "READY", 120);
    expect(ready.attempts).toBe(2);
    expect(ready.error).toBeNull();
    await second.stop();
  });

  it("on SIGTERM, a worker requeues its running job and exits; another worker finishes it", async () => {
    const leaving = await worker({ SHUTDOWN_GRACE_SECONDS: "1" });
    const job = await train(a, "requeued", 40_000);
    await until(job.id, (m) => m.status === "TRAINING" && m.progress !== null);
    const stopped = performance.now();
    expect(await leaving.stop("SIGTERM")).toBe(0);
    expect(performance.now() - stopped).toBeLessThan(15_000);
    expect(leaving.output()).toMatch(/"msg":"stopped"/);
    const requeued = await readModel(job.id);
    expect(requeued.status).toBe("QUEUED");
    expect(requeued.error).toMatch(/shut down/);

    const staying = await worker();
    const ready = await until(job.id, (m) => m.status === "READY", 120);
    expect(ready.attempts).toBe(2);
    await staying.stop();
  });

  it("on SIGTERM, a worker lets a job that ends within the grace period finish", async () => {
    const leaving = await worker({ SHUTDOWN_GRACE_SECONDS: "60" });
    const job = await train(a, "finished-at-shutdown", 20_000);
    await until(job.id, (m) => m.status === "TRAINING");
    expect(await leaving.stop("SIGTERM")).toBe(0);
    const model = await readModel(job.id);
    expect(model).toMatchObject({ status: "READY", attempts: 1 });
  });
});

describe("trainingProgress across processes", () => {
  it("a client subscribed on server A sees every progress event of a training queued through B and run by a worker", async () => {
    // Queued through B while no worker runs, so the subscription is in place before it starts.
    const job = await train(b, "followed", 30_000, ", folds: 3");
    const client = createClient({ url: `${a.base.replace("http", "ws")}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${KEY}` }, retryAttempts: 0, lazy: true });
    clients.push(client);
    const events: { status: string; iteration: number | null; objective: number | null; fraction: number | null }[] = [];
    const done = new Promise<void>((resolve, reject) => {
      client.subscribe<{ trainingProgress: (typeof events)[number] }>(
        { query: `subscription($id: ID!) { trainingProgress(modelId: $id) { status iteration objective fraction } }`, variables: { id: job.id } },
        { next: (r) => (r.errors ? reject(new Error(JSON.stringify(r.errors))) : events.push(r.data!.trainingProgress)), error: reject, complete: resolve },
      );
    });
    await until(job.id, () => events.length > 0, 10);
    const w = await worker();
    await done;
    await w.stop();

    expect(events[0]).toMatchObject({ status: "QUEUED", fraction: 0 });
    expect(events.at(-1)).toMatchObject({ status: "READY", fraction: 1 });
    const progress = events.filter((e) => e.status === "TRAINING" && e.iteration !== null);
    // ≈ 4 fits (the model and 3 folds) of a few seconds each, reported up to ten times a second.
    expect(progress.length).toBeGreaterThanOrEqual(4);
    const fractions = progress.map((e) => e.fraction!);
    expect(fractions.every((f, i) => f >= 0 && f < 1 && (i === 0 || f >= fractions[i - 1]))).toBe(true);
    expect(fractions.at(-1)!).toBeGreaterThan(0.75); // into the last fold
    expect(progress.every((e) => Number.isFinite(e.objective))).toBe(true);
  });
});
