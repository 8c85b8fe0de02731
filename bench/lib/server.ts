/**
 * What the HTTP and database benchmarks need: a Postgres database of their own, a ModelQL
 * server process started the way `npm start` starts it, and a GraphQL client for it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { applyMigrations } from "../../src/data/migrations.ts";

/** Where the benchmark database is created: BENCH_ADMIN_URL, else the local server as `postgres`. */
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const DB_NAME = "modelql_bench";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The benchmark's API key (MODELQL_BOOTSTRAP_KEY of the servers it starts). */
export const BENCH_KEY = "mql_bench_key_0123456789abcdef";

/**
 * A fresh database `modelql_bench` (dropped first when it exists, so that earlier runs'
 * prediction logs do not weigh on this one) with the committed migrations applied; or the
 * reason there is none (no Postgres reachable).
 */
export async function benchDatabase(): Promise<{ url: string } | { error: string }> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DB_NAME}`);
  } catch (e) {
    return { error: `no Postgres at ${ADMIN_URL.replace(/:[^:@/]*@/, ":***@")} (${e instanceof Error ? e.message : String(e)}); set BENCH_ADMIN_URL` };
  } finally {
    await admin.end().catch(() => {});
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DB_NAME}`;
  await applyMigrations({ kind: "postgres", url: url.toString() });
  return { url: url.toString() };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface Process {
  child: ChildProcess;
  base: string;
  output(): string;
  stop(): Promise<void>;
}

/** Spawn a server and wait until `healthPath` answers 200. */
export async function startProcess(command: string, args: string[], options: { env: Record<string, string>; port: number; healthPath: string; cwd?: string }): Promise<Process> {
  const base = `http://127.0.0.1:${options.port}`;
  let output = "";
  const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d) => (output = (output + d).slice(-20_000)));
  child.stderr!.on("data", (d) => (output = (output + d).slice(-20_000)));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGTERM");
    const forced = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(forced);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${base}${options.healthPath}`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`${command} did not become healthy; output:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, base, output: () => output, stop };
}

/**
 * `npm start` as a child process on a free port: production mode, the benchmark's key, no
 * rate limit (it would cap the measurement at 1000 requests/s per key), and LOG_LEVEL warn,
 * i.e. no per-request access log line (gunicorn, the reference, writes none by default).
 */
export async function startModelQL(databaseUrl: string, env: Record<string, string> = {}): Promise<Process> {
  const port = await freePort();
  // BENCH_PROFILE=DIR: the server writes a V8 CPU profile there when it stops (node --cpu-prof).
  const profile = process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  return startProcess(process.execPath, [...profile, "--import", "tsx", "src/http/main.ts"], {
    port,
    healthPath: "/healthz",
    env: { DATABASE_URL: databaseUrl, PORT: String(port), HOST: "127.0.0.1", NODE_ENV: "production", LOG_LEVEL: "warn", MODELQL_BOOTSTRAP_KEY: BENCH_KEY, RATE_LIMIT_PER_SECOND: "0", ...env },
  });
}

/** POST a GraphQL operation; throws on HTTP or GraphQL errors. */
export async function graphql<T = Record<string, unknown>>(base: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${BENCH_KEY}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (!res.ok || body.errors?.length) throw new Error(`GraphQL ${res.status}: ${JSON.stringify(body.errors ?? body).slice(0, 500)}`);
  return body.data!;
}
