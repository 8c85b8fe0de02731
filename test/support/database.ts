/**
 * A Prisma client on the run's real Postgres database (see test/setup/global.ts), and a fresh
 * workspace per caller so that test files never see each other's rows.
 */
import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { openDatabase, type Database } from "../../src/data/database.ts";

export async function openTestDatabase(): Promise<Database> {
  return openDatabase({ databaseUrl: inject("databaseUrl"), migrate: false });
}

export async function createWorkspace(database: Database): Promise<string> {
  const workspace = await database.prisma.workspace.create({ data: { name: `test-${randomUUID()}` } });
  return workspace.id;
}
