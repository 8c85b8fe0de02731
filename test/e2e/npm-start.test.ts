/**
 * The documented commands, `npm start` and `npm run worker`, run through npm itself and
 * stopped the way a supervisor stops them: SIGTERM to the process it started (npm). The
 * server must drain (a request in flight finishes, an open subscription is told the server is
 * going away), stop answering, and every process of the tree (npm, a shell, node, esbuild)
 * must exit. npm forwards SIGTERM to its child only; a shell between npm and node dies of it
 * and leaves node running, orphaned, with the port still open.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { FILE_JOBS_SCHEMA, freePort, startServerProcess } from "../support/process.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const KEY = "mql_npm_start_bootstrap_key_0123456789";
/** How long the whole tree may take to exit after SIGTERM: the grace below, then closing the database, on a loaded machine. */
const EXIT_BOUND_MS = 30_000;
/** SHUTDOWN_GRACE_SECONDS of the server under test: how long a request in flight may take to finish. */
const GRACE_SECONDS = 4;

const started: { child: ChildProcess; tree: Set<number> }[] = [];
afterEach(() => {
  // Whatever a failed test left running is killed outright, by its own process ids.
  for (const { child, tree } of started.splice(0)) {
    for (const pid of [child.pid!, ...tree, ...descendants(child.pid!)]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
});

/** Every live descendant of `pid` (Linux /proc). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ")".
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/** A process that has exited and been reaped, or is a zombie waiting for its parent. */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] === "Z";
  } catch {
    return true;
  }
}

function npm(script: "start" | "worker", env: Record<string, string>) {
  let output = "";
  // NODE_ENV=production as deployed (Apollo installs its own signal handlers outside "test").
  const child = spawn("npm", script === "start" ? ["start"] : ["run", "worker"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production", DATABASE_URL: inject("databaseUrl"), JOBS_SCHEMA: FILE_JOBS_SCHEMA, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const entry = { child, tree: new Set<number>() };
  started.push(entry);
  return { child, exited, output: () => output, tree: entry.tree };
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms: number, output: () => string) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms; output:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `promise`, or a failure that says what did not happen and shows the server's output. */
async function within<T>(what: string, promise: Promise<T>, ms: number, output: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms; output:\n${output()}`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A CSV upload whose body stays open: the header and one row are sent, `request.end(rest)` sends the rest. */
function startUpload(url: string) {
  const upload = request(url, { method: "POST", headers: { authorization: `Bearer ${KEY}`, "content-type": "text/csv" } });
  const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
    upload.on("response", (response) => {
      let body = "";
      response.on("data", (d) => (body += d));
      response.on("end", () => resolve({ status: response.statusCode!, body }));
      response.on("error", reject);
    });
    upload.on("error", reject);
  });
  // Settled by the test; a rejection that arrives first must not count as unhandled.
  answered.catch(() => {});
  upload.write("x,y\n1,2\n");
  return { request: upload, answered };
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

describe("npm start", () => {
  it("on SIGTERM to npm: finishes the request in flight, closes subscriptions, stops answering, and every process exits 0", async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // Uploads spool under UPLOAD_DIR, one directory each: one there shows the request is in its handler.
    const spoolRoot = mkdtempSync(join(tmpdir(), "modelql-npm-start-"));
    const spools = () => (existsSync(spoolRoot) ? readdirSync(spoolRoot).length : 0);
    try {
      const server = npm("start", { PORT: String(port), MODELQL_BOOTSTRAP_KEY: KEY, UPLOAD_DIR: spoolRoot, SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS) });
      await until("healthz answered 200", async () => (await answers(`${base}/healthz`)) && (await fetch(`${base}/healthz`)).status === 200, 150_000, server.output);
      for (const pid of [server.child.pid!, ...descendants(server.child.pid!)]) server.tree.add(pid);
      expect(server.tree.size).toBeGreaterThan(1);

      // An open subscription: the server must end it (graphql-ws: 1001 going away), not wait on it.
      let closeCode: number | undefined;
      const subscriptionClosed = new Promise<void>((resolve) => {
        const client = createClient({ url: `ws://127.0.0.1:${port}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${KEY}` }, retryAttempts: 0 });
        client.on("closed", (event) => {
          closeCode = (event as { code?: number }).code;
          resolve();
        });
        client.subscribe({ query: "subscription { modelEvents { type } }" }, { next: () => {}, error: () => resolve(), complete: () => resolve() });
      });

      // Two uploads in flight, headers and the first line sent: one sends the rest after
      // SIGTERM (it must be answered), the other never does (it must not hold the process
      // past the grace period).
      const upload = startUpload(`${base}/datasets?name=drained`);
      const stalled = startUpload(`${base}/datasets?name=stalled`);
      await until("both uploads reached their handler", () => spools() === 2, 30_000, server.output);

      const signalled = Date.now();
      server.child.kill("SIGTERM");
      // The listening socket closes first: new connections are refused while the upload drains.
      await until("the port stopped accepting connections", async () => !(await answers(`${base}/healthz`)), EXIT_BOUND_MS, server.output);
      upload.request.end("2,4\n3,6\n");
      const answer = await within("the upload in flight was answered", upload.answered, EXIT_BOUND_MS, server.output);
      expect(answer.status, answer.body).toBe(201);
      expect(JSON.parse(answer.body).data).toMatchObject({ name: "drained", rowCount: 3 });

      await within("the subscription was closed", subscriptionClosed, EXIT_BOUND_MS, server.output);
      expect(closeCode).toBe(1001);

      const { code, signal } = await within("npm exited", server.exited, EXIT_BOUND_MS, server.output);
      // The stalled upload's connection was closed after SHUTDOWN_GRACE_SECONDS.
      await expect(stalled.answered).rejects.toThrow();
      expect(Date.now() - signalled).toBeGreaterThanOrEqual(GRACE_SECONDS * 1000);
      await until("every process of the tree exited", () => [...server.tree].every(gone), EXIT_BOUND_MS - (Date.now() - signalled), server.output);
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(Date.now() - signalled).toBeLessThan(EXIT_BOUND_MS);
      expect(await answers(`${base}/healthz`)).toBe(false);
    } finally {
      rmSync(spoolRoot, { recursive: true, force: true });
    }
  }, 300_000);
});

describe("npm run worker", () => {
  it("on SIGTERM to npm: the worker stops and every process exits 0", async () => {
    const worker = npm("worker", {});
    await until("the worker started", () => worker.output().includes("training worker started"), 150_000, worker.output);
    for (const pid of [worker.child.pid!, ...descendants(worker.child.pid!)]) worker.tree.add(pid);
    expect(worker.tree.size).toBeGreaterThan(1);
    const signalled = Date.now();
    worker.child.kill("SIGTERM");
    const { code, signal } = await within("npm exited", worker.exited, EXIT_BOUND_MS, worker.output);
    await until("every process of the tree exited", () => [...worker.tree].every(gone), EXIT_BOUND_MS - (Date.now() - signalled), worker.output);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(worker.output()).toContain('"msg":"stopped"');
  }, 300_000);
});

describe("start-up", () => {
  it("prints no process warning (no Fastify deprecation such as FSTDEP023)", async () => {
    const server = await startServerProcess({ NODE_ENV: "production", LOG_LEVEL: "info", MODELQL_BOOTSTRAP_KEY: KEY });
    try {
      // A request through each layer (HTTP, GraphQL), so that warnings emitted on first use show too.
      expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
      const response = await fetch(`${server.base}/graphql`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` }, body: JSON.stringify({ query: "{ algorithms { algorithm } }" }) });
      expect(response.status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(server.output()).not.toContain("FSTDEP023");
    // Node prints every process warning as "(node:<pid>) [<code>] <Name>Warning: …" on stderr.
    expect(server.output().split("\n").filter((line) => /^\(node:\d+\) /.test(line))).toEqual([]);
  }, 180_000);
});
