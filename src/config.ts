/**
 * Configuration from the environment, read once at start-up. Every variable is documented in
 * README.md ("Configuration"); invalid values stop the process with a message naming them.
 */
export interface Config {
  /** TCP port of the HTTP server (PORT, default 4000). */
  port: number;
  /** Interface to bind (HOST, default 127.0.0.1: not reachable from other machines). */
  host: string;
  /** Postgres connection string (DATABASE_URL); absent → embedded PGlite under dataDir. */
  databaseUrl: string | undefined;
  /** Where the embedded database keeps its files (DATA_DIR, default ./data). */
  dataDir: string;
  /** Largest accepted HTTP request body in bytes (MAX_BODY_BYTES, default 64 MiB: CSV text travels inside GraphQL requests). */
  maxBodyBytes: number;
  /** development: stack traces in logs are verbose. Never sent to clients. */
  nodeEnv: string;
  /** pino level (LOG_LEVEL, default info; "silent" in tests). */
  logLevel: string;
  /** MODELQL_BOOTSTRAP_KEY: value of the first ADMIN key (else a random one is printed once). */
  bootstrapKey: string | undefined;
  /** INTROSPECTION (default true): schema introspection and field suggestions; turn off in production if wanted. */
  introspection: boolean;
  /** MAX_DEPTH, MAX_ALIASES, MAX_TOKENS, MAX_COST: per-operation limits (src/graphql/limits.ts). */
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxCost: number;
  /** RATE_LIMIT_PER_SECOND (default 1000; 0 = off) and RATE_LIMIT_BURST (default 2× the rate), per key per process. */
  rateLimitPerSecond: number;
  rateLimitBurst: number;
  /** MAX_UPLOAD_BYTES (default 2 GiB): largest CSV file accepted by POST /datasets (streamed to disk, never held in memory). */
  maxUploadBytes: number;
  /** REQUEST_TIMEOUT_SECONDS (default 300): time to receive a whole request, body included (an upload too); HEADERS_TIMEOUT_SECONDS (default 30): its headers. */
  requestTimeoutSeconds: number;
  headersTimeoutSeconds: number;
  /** AUTH_FAILURES_PER_WINDOW (default 20; 0 = off) failed authentications per client address per AUTH_FAILURE_WINDOW_SECONDS (default 60), then 429. */
  authFailuresPerWindow: number;
  authFailureWindowSeconds: number;
  /** MAX_SUBSCRIPTIONS_PER_KEY (default 100): active subscriptions one API key may hold, per process. */
  maxSubscriptionsPerKey: number;
  /** UPLOAD_DIR (default <os tmpdir>/modelql-uploads): where uploads are spooled; spools of dead processes are removed on start. */
  uploadDir: string | undefined;
  /** MAX_PAGE_CELLS (default 100 000): most cells (rows × columns) one `Dataset.rows` page returns. */
  maxPageCells: number;
  /** MAX_UPLOAD_CELLS (default 50 000 000): most cells (data rows × columns) one CSV may have; bounds ingest memory. */
  maxUploadCells: number;
  /** MAX_UPLOAD_CATEGORIES (default 1 000 000): most distinct text values over all columns of one CSV. */
  maxUploadCategories: number;
  /** MAX_TRAINING_SECONDS (default 300): wall-clock budget of one training request, checked between solver iterations. */
  maxTrainingSeconds: number;
  /** WORKERS (default 1): training jobs this process runs at once; 0 = an API node that only queues. */
  workers: number;
  /** JOBS_SCHEMA (default pgboss): the Postgres schema of the job queue's tables. */
  jobsSchema: string;
  /** JOB_RETRY_LIMIT (default 3): retries of a training job whose try was lost, with exponential backoff. */
  jobRetryLimit: number;
  /** JOB_STALE_SECONDS (default 15): a training job whose worker has not beaten its heartbeat for this long is retried. */
  jobStaleSeconds: number;
  /** SHUTDOWN_GRACE_SECONDS (default 10): on SIGTERM, how long requests in flight and running trainings may finish before their connections are closed and the trainings requeued. */
  shutdownGraceSeconds: number;
}

export const DEFAULT_MAX_TRAINING_SECONDS = 300;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: integer(env, "PORT", 4000, 0, 65535),
    host: env.HOST || "127.0.0.1",
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.DATA_DIR || "./data",
    maxBodyBytes: integer(env, "MAX_BODY_BYTES", 64 * 1024 * 1024, 1024, 2 ** 31 - 1),
    nodeEnv: env.NODE_ENV || "production",
    logLevel: env.LOG_LEVEL || "info",
    bootstrapKey: bootstrapKey(env.MODELQL_BOOTSTRAP_KEY),
    introspection: (env.INTROSPECTION ?? "true") !== "false",
    maxDepth: integer(env, "MAX_DEPTH", 12, 2, 100),
    maxAliases: integer(env, "MAX_ALIASES", 20, 1, 1000),
    maxTokens: integer(env, "MAX_TOKENS", 5000, 100, 1_000_000),
    maxCost: integer(env, "MAX_COST", 200_000, 10, 1e9),
    rateLimitPerSecond: integer(env, "RATE_LIMIT_PER_SECOND", 1000, 0, 1e9),
    rateLimitBurst: integer(env, "RATE_LIMIT_BURST", 2 * integer(env, "RATE_LIMIT_PER_SECOND", 1000, 0, 1e9), 1, 1e9),
    maxUploadBytes: integer(env, "MAX_UPLOAD_BYTES", 2 * 1024 ** 3, 1024, Number.MAX_SAFE_INTEGER),
    requestTimeoutSeconds: integer(env, "REQUEST_TIMEOUT_SECONDS", 300, 1, 86_400),
    headersTimeoutSeconds: integer(env, "HEADERS_TIMEOUT_SECONDS", 30, 1, 3600),
    authFailuresPerWindow: integer(env, "AUTH_FAILURES_PER_WINDOW", 20, 0, 1e6),
    authFailureWindowSeconds: integer(env, "AUTH_FAILURE_WINDOW_SECONDS", 60, 1, 86_400),
    maxSubscriptionsPerKey: integer(env, "MAX_SUBSCRIPTIONS_PER_KEY", 100, 1, 1e6),
    uploadDir: env.UPLOAD_DIR || undefined,
    maxPageCells: integer(env, "MAX_PAGE_CELLS", 100_000, 1000, 1e8),
    maxUploadCells: integer(env, "MAX_UPLOAD_CELLS", 50_000_000, 1, 2 ** 31 - 1),
    maxUploadCategories: integer(env, "MAX_UPLOAD_CATEGORIES", 1_000_000, 1, 2 ** 31 - 1),
    maxTrainingSeconds: integer(env, "MAX_TRAINING_SECONDS", DEFAULT_MAX_TRAINING_SECONDS, 1, 86_400),
    workers: integer(env, "WORKERS", 1, 0, 64),
    jobsSchema: identifier(env, "JOBS_SCHEMA", "pgboss"),
    jobRetryLimit: integer(env, "JOB_RETRY_LIMIT", 3, 0, 100),
    jobStaleSeconds: integer(env, "JOB_STALE_SECONDS", 15, 2, 3600),
    shutdownGraceSeconds: integer(env, "SHUTDOWN_GRACE_SECONDS", 10, 0, 3600),
  };
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(raw)}`);
  }
  return value;
}

function identifier(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name] || fallback;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(raw)) throw new Error(`${name} must be a lower-case SQL identifier, got ${JSON.stringify(raw)}`);
  return raw;
}

function bootstrapKey(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (raw.length < 16) throw new Error("MODELQL_BOOTSTRAP_KEY must be at least 16 characters long");
  return raw;
}
