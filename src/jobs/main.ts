/**
 * `npm run worker`: a training worker alone, on any machine that reaches the database
 * (DATABASE_URL). It runs WORKERS jobs at once (default 1), logs JSON lines (pino), and on
 * SIGTERM/SIGINT stops taking jobs, lets running ones finish for SHUTDOWN_GRACE_SECONDS,
 * requeues the rest and exits.
 */
import pino from "pino";
import { loadConfig } from "../config.ts";
import { createServices } from "../services/index.ts";
import { openRuntime } from "./runtime.ts";
import { TrainingWorker } from "./worker.ts";

const config = loadConfig();
const log = pino({ level: config.logLevel, base: { role: "worker", pid: process.pid } });
if (!config.databaseUrl) {
  log.warn("DATABASE_URL is not set: the worker uses the embedded database, which only this process can open; `npm start` already runs a worker");
}
const runtime = await openRuntime(config);
const services = createServices(runtime.database.prisma, { pool: runtime.database.pool, events: runtime.events, queue: runtime.queue, maxTrainingSeconds: config.maxTrainingSeconds });
const worker = new TrainingWorker(services.jobs, services.searches, runtime.queue, runtime.events, {
  concurrency: Math.max(1, config.workers),
  staleSeconds: config.jobStaleSeconds,
  graceSeconds: config.shutdownGraceSeconds,
  maxTrainingSeconds: config.maxTrainingSeconds,
  log,
});
await worker.start();
log.info({ concurrency: Math.max(1, config.workers), database: runtime.database.describe }, "training worker started");

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "stopping: no new jobs; running ones finish or are requeued");
  await worker.stop();
  await runtime.close();
  log.info("stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
