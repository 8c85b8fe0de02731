/**
 * A ModelQL server in its own process, started the way `npm start` starts it, on a free port.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { inject } from "vitest";
import { testQueueSchema } from "./queue.ts";

export interface ServerProcess {
  child: ChildProcess;
  base: string;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The job queue's schema shared by the processes one test file starts (each file imports
 * this module afresh), so that its servers and workers share jobs and no other file's.
 */
export const FILE_JOBS_SCHEMA = testQueueSchema();

export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let output = "";
  const child = spawn(process.execPath, ["--import", "tsx", "src/http/main.ts"], {
    env: { ...process.env, DATABASE_URL: inject("databaseUrl"), JOBS_SCHEMA: FILE_JOBS_SCHEMA, PORT: String(port), LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  // Generous: a first start on PGlite applies every migration, on two cores shared with other tests.
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/healthz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not become healthy; output:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, base, output: () => output, stop: stopper(child) };
}

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `npm run worker` in its own process, on the run's Postgres and this file's queue; resolves once it takes jobs. */
export async function startWorkerProcess(env: Record<string, string> = {}): Promise<WorkerProcess> {
  let output = "";
  const child = spawn(process.execPath, ["--import", "tsx", "src/jobs/main.ts"], {
    env: { ...process.env, DATABASE_URL: inject("databaseUrl"), JOBS_SCHEMA: FILE_JOBS_SCHEMA, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const started = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start; output:\n${output}`)), 90_000);
    const onData = (d: Buffer) => {
      output += d;
      if (output.includes("training worker started")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before starting; output:\n${output}`));
    });
  });
  await started;
  return { child, output: () => output, stop: stopper(child) };
}

function stopper(child: ChildProcess) {
  return async (signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> => {
    // A child killed by a signal has exitCode null and signalCode set: it has exited all
    // the same, and its "exit" event has already fired, so waiting for it would hang.
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    child.kill(signal);
    // A process that does not finish its graceful shutdown in time is killed outright.
    const forced = setTimeout(() => child.kill("SIGKILL"), 20_000);
    try {
      return await exited;
    } finally {
      clearTimeout(forced);
    }
  };
}
