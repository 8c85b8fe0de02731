/**
 * `npm start`: open the database (Postgres from DATABASE_URL, else embedded PGlite under
 * DATA_DIR), apply pending migrations, serve HTTP with an in-process training worker
 * (WORKERS), and shut down cleanly on SIGTERM/SIGINT.
 */
import { loadConfig } from "../config.ts";
import { openRuntime } from "../jobs/runtime.ts";
import { buildApp } from "./app.ts";

const config = loadConfig();
const runtime = await openRuntime(config);
const { database } = runtime;
const { fastify, createdBootstrapKey } = await buildApp({
  prisma: database.prisma,
  pool: database.pool,
  events: runtime.events,
  queue: runtime.queue,
  workers: config.workers,
  worker: { staleSeconds: config.jobStaleSeconds, graceSeconds: config.shutdownGraceSeconds },
  maxBodyBytes: config.maxBodyBytes,
  maxTrainingSeconds: config.maxTrainingSeconds,
  maxUploadBytes: config.maxUploadBytes,
  uploadDir: config.uploadDir,
  datasetLimits: { maxPageCells: config.maxPageCells, maxUploadCells: config.maxUploadCells, maxUploadCategories: config.maxUploadCategories },
  logLevel: config.logLevel,
  bootstrapKey: config.bootstrapKey,
  limits: { maxDepth: config.maxDepth, maxAliases: config.maxAliases, maxTokens: config.maxTokens, maxCost: config.maxCost, introspection: config.introspection },
  rateLimit: { perSecond: config.rateLimitPerSecond, burst: config.rateLimitBurst },
  authFailures: { max: config.authFailuresPerWindow, windowSeconds: config.authFailureWindowSeconds },
  timeouts: { requestSeconds: config.requestTimeoutSeconds, headersSeconds: config.headersTimeoutSeconds },
  maxSubscriptionsPerKey: config.maxSubscriptionsPerKey,
  development: config.nodeEnv === "development",
  // The dashboard and GraphiQL come pre-filled with the bootstrap key, never in production.
  prefillWebKey: config.nodeEnv !== "production",
});

await fastify.listen({ port: config.port, host: config.host });
const base = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${(fastify.server.address() as { port: number }).port}`;
fastify.log.info(`ModelQL is serving on ${database.describe}`);
console.log(
  `\n  GraphQL API   ${base}/graphql\n  Dashboard     ${base}/\n  GraphiQL      ${base}/graphiql\n  Health        ${base}/healthz  ${base}/readyz\n  Metrics       ${base}/metrics\n`,
);
if (createdBootstrapKey) {
  console.log(`  First start: an ADMIN API key was created for the default workspace. It is shown only now:\n\n    ${createdBootstrapKey}\n\n  Send it as  Authorization: Bearer <key>  (or set MODELQL_BOOTSTRAP_KEY to choose it yourself).\n`);
}

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  fastify.log.info({ signal }, "shutting down");
  // New connections are refused at once; requests in flight get SHUTDOWN_GRACE_SECONDS to
  // finish (as running fits do), then their connections are closed, so that a stalled client
  // cannot hold the process (and the supervisor's stop) indefinitely.
  const cut = setTimeout(() => {
    fastify.log.warn({ graceSeconds: config.shutdownGraceSeconds }, "closing the HTTP connections still open after the shutdown grace period");
    fastify.server.closeAllConnections();
  }, config.shutdownGraceSeconds * 1000);
  cut.unref();
  try {
    // Closing the app ends subscriptions and stops its worker: no new jobs, running ones finish or are requeued.
    await fastify.close();
    await runtime.close();
  } catch (error) {
    fastify.log.error({ err: error }, "shutdown failed");
    process.exit(1);
  }
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
