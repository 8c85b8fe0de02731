/**
 * The application's database: a real Postgres when given a URL, otherwise an embedded Postgres
 * (PGlite) in a data directory. Either way pending migrations are applied before the Prisma client
 * is handed out (src/data/migrations.ts), so a started process always sees the committed schema.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "../generated/prisma/client.ts";
import { applyMigrations } from "./migrations.ts";

export interface Database {
  prisma: PrismaClient;
  kind: "postgres" | "pglite";
  /** Where the data lives, for logs: the URL without its password, or the PGlite directory. */
  describe: string;
  /** postgres: the connection string (the job queue and the event bus open their own connections) */
  url?: string;
  /**
   * postgres: the pg pool Prisma's adapter runs on, for the few hot paths that Prisma's
   * per-row result mapping would dominate (the prediction log, column reads as binary bytea).
   */
  pool?: pg.Pool;
  /** pglite: the one embedded instance everything in the process shares */
  pglite?: PGlite;
  /** Disconnects Prisma and closes PGlite, after which the database keeps nothing alive. Idempotent. */
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A Postgres connection string; without one the embedded PGlite is used. */
  databaseUrl?: string;
  /** PGlite's data directory, created if missing (default ./data/pglite). */
  dataDir?: string;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
}

export const defaultDataDir = "./data/pglite";

export function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  const migrate = options.migrate ?? true;
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, migrate)
    : openPglite(path.resolve(options.dataDir ?? defaultDataDir), migrate);
}

async function openPostgres(url: string, migrate: boolean): Promise<Database> {
  if (migrate) await applyMigrations({ kind: "postgres", url });
  const pool = new pg.Pool({ connectionString: url });
  // An idle connection that dies (a database restart, a cut network) is dropped by the pool and
  // the next query opens another; without a listener the 'error' event would end the process.
  pool.on("error", () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    kind: "postgres",
    describe: withoutPassword(url),
    url,
    pool,
    close: once(async () => {
      await prisma.$disconnect();
      await pool.end();
    }),
  };
}

async function openPglite(dataDir: string, migrate: boolean): Promise<Database> {
  await mkdir(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir);
  try {
    if (migrate) await applyMigrations({ kind: "pglite", pglite });
  } catch (error) {
    await pglite.close();
    throw error;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    prisma,
    kind: "pglite",
    describe: `pglite ${dataDir}`,
    pglite,
    // PGlite keeps the process alive until it is closed, and must outlive Prisma's last query.
    close: once(async () => {
      await prisma.$disconnect();
      await pglite.close();
    }),
  };
}

function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}

function once(action: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= action());
}
