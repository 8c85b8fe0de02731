/**
 * Readiness (`GET /readyz`): the database answers and every committed migration is applied.
 * `/healthz` says the process can reach the database; `/readyz` says it can serve this build:
 * a load balancer should route to a node only once a deploy's migrations have run.
 */
import { readdirSync } from "node:fs";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { defaultMigrationsDir } from "../data/migrations.ts";

export type Readiness = { ready: true } | { ready: false; reason: string; pending?: string[] };

/** The migrations this build ships (Prisma's layout: one directory per migration). */
export function committedMigrations(dir: string = defaultMigrationsDir): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

export function createReadinessCheck(prisma: PrismaClient, migrations: string[] = committedMigrations()): () => Promise<Readiness> {
  return async () => {
    try {
      await prisma.$queryRaw`SELECT 1`;
    } catch {
      return { ready: false, reason: "database unreachable" };
    }
    let applied: { migration_name: string }[];
    try {
      // Prisma Migrate's own bookkeeping (written by the schema engine, src/data/migrations.ts):
      // a migration counts once it finished and was not rolled back.
      applied = await prisma.$queryRaw`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
    } catch {
      return { ready: false, reason: "migrations table missing: no migration has been applied", pending: migrations };
    }
    const done = new Set(applied.map((row) => row.migration_name));
    const pending = migrations.filter((name) => !done.has(name));
    return pending.length === 0 ? { ready: true } : { ready: false, reason: "migrations pending", pending };
  };
}
