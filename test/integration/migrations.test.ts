/**
 * Migrations through the wasm schema engine against a real Postgres (the run's server) and
 * PGlite. Every test works in databases and directories of its own.
 */
import { createHash, randomUUID } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { openDatabase } from "../../src/data/database.ts";
import {
  applyMigrations,
  checkDrift,
  createMigration,
  defaultMigrationsDir,
  defaultSchemaPath,
  diffSchema,
  MigrationError,
} from "../../src/data/migrations.ts";

/** The run's server (test/setup/global.ts): DATABASE_URL's, the local one or the npm-shipped one. */
const SERVER_URL = inject("postgresServerUrl");

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe("applyMigrations on Postgres", () => {
  it("applies the committed migrations with Prisma's bookkeeping, and nothing the second time", async () => {
    const url = await freshDatabase();
    const committed = await committedMigrations();

    expect(await applyMigrations({ kind: "postgres", url })).toEqual({ applied: committed.map((m) => m.name) });

    const tables = await query<{ table_name: string }>(
      url,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(["Workspace", "Dataset", "DatasetColumn", "DatasetChunk", "Model", "Prediction", "_prisma_migrations"]),
    );
    const rows = await migrationRows(url);
    expect(rows).toEqual(
      committed.map((m) => ({
        migration_name: m.name,
        checksum: sha256(m.sql),
        finished: true,
        rolled_back_at: null,
        logs: null,
        applied_steps_count: 1,
      })),
    );

    expect(await applyMigrations({ kind: "postgres", url })).toEqual({ applied: [] });
    expect(await migrationRows(url)).toEqual(rows);
  });

  it("lets only one of two simultaneous runs apply (Prisma's advisory lock)", async () => {
    const url = await freshDatabase();
    const committed = await committedMigrations();

    const runs = await Promise.all([applyMigrations({ kind: "postgres", url }), applyMigrations({ kind: "postgres", url })]);

    expect(runs.map((run) => run.applied.length).sort()).toEqual([0, committed.length]);
    expect(await migrationRows(url)).toHaveLength(committed.length);
  });

  it("runs hand-written SQL whole: ';' inside strings and $$ bodies", async () => {
    const url = await freshDatabase();
    const migrationsDir = await migrationsWith({
      "99990101000000_hand_written": `COMMENT ON TABLE "Workspace" IS 'tenant; owns everything';
CREATE FUNCTION modelql_answer() RETURNS integer LANGUAGE plpgsql AS $$ BEGIN RETURN 42; END; $$;
`,
    });

    await applyMigrations({ kind: "postgres", url }, { migrationsDir });

    expect(await query(url, "SELECT modelql_answer() AS answer")).toEqual([{ answer: 42 }]);
    expect(await query(url, `SELECT obj_description('"Workspace"'::regclass) AS comment`)).toEqual([
      { comment: "tenant; owns everything" },
    ]);
  });

  it("raises on a broken migration, rolls it back and records it as failed, never as applied", async () => {
    const url = await freshDatabase();
    const broken = "99990101000000_broken";
    const migrationsDir = await migrationsWith({
      [broken]: `CREATE TABLE "Half" (id integer);\nSELECT * FROM "no_such_table";\n`,
    });

    const failure = applyMigrations({ kind: "postgres", url }, { migrationsDir });
    await expect(failure).rejects.toThrow(MigrationError);
    await expect(failure).rejects.toThrow(`Migration \`${broken}\` failed`);

    const row = (await migrationRows(url)).find((r) => r.migration_name === broken);
    expect(row).toMatchObject({ finished: false, applied_steps_count: 0, logs: expect.stringContaining("no_such_table") });
    expect(await query(url, `SELECT to_regclass('"Half"') AS half`)).toEqual([{ half: null }]);

    // Like `prisma migrate deploy`: nothing more is applied until the failure is resolved.
    await expect(applyMigrations({ kind: "postgres", url }, { migrationsDir })).rejects.toThrow(/failed migrations/);
    expect((await migrationRows(url)).filter((r) => r.finished)).toHaveLength((await committedMigrations()).length);
  });
});

describe("comparing schema.prisma with the migrations", () => {
  it("finds no drift in the committed state", async () => {
    expect(await checkDrift({ url: SERVER_URL })).toEqual({ drift: false });
    expect(await diffSchema({ url: SERVER_URL })).toBeNull();
  });

  it("reports drift when schema.prisma has changes no migration has", async () => {
    const schemaPath = await schemaWithExtraColumn();

    const report = await checkDrift({ url: SERVER_URL, schemaPath });

    expect(report).toEqual({ drift: true, summary: expect.stringContaining("Added column `notes`") });
    expect(await diffSchema({ url: SERVER_URL, schemaPath })).toContain(`ALTER TABLE "Workspace" ADD COLUMN     "notes" TEXT;`);
  });

  it("turns the change into a migration in Prisma's layout, after which there is no drift", async () => {
    const schemaPath = await schemaWithExtraColumn();
    const migrationsDir = await migrationsWith({});
    await rm(path.join(migrationsDir, "migration_lock.toml"));

    const created = await createMigration("Add notes", {
      url: SERVER_URL,
      schemaPath,
      migrationsDir,
      now: new Date("2030-01-02T03:04:05Z"),
    });

    expect(created?.name).toBe("20300102030405_add_notes");
    expect(await readFile(path.join(migrationsDir, "20300102030405_add_notes", "migration.sql"), "utf8")).toBe(
      `-- AlterTable\nALTER TABLE "Workspace" ADD COLUMN     "notes" TEXT;\n`,
    );
    expect(await readFile(path.join(migrationsDir, "migration_lock.toml"), "utf8")).toContain('provider = "postgresql"');
    expect(await checkDrift({ url: SERVER_URL, schemaPath, migrationsDir })).toEqual({ drift: false });
    expect(await createMigration("again", { url: SERVER_URL, schemaPath, migrationsDir })).toBeNull();
    expect((await readdir(migrationsDir)).filter((entry) => entry.endsWith("_again"))).toEqual([]);
  });

  it("describes schemas with CHECK constraints (adapter-pg's \"char\" columns)", async () => {
    const migrationsDir = await migrationsWith({
      "99990101000000_check": `ALTER TABLE "Dataset" ADD CONSTRAINT "Dataset_rowCount_check" CHECK ("rowCount" >= 0);\n`,
    });

    expect(await checkDrift({ url: SERVER_URL, migrationsDir })).toEqual({ drift: false });
  });

  it("drops its shadow database", async () => {
    const shadowDatabases = async () =>
      (await query<{ datname: string }>(SERVER_URL, "SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'")).map(
        (row) => row.datname,
      );
    const before = await shadowDatabases();

    await checkDrift({ url: SERVER_URL });

    expect((await shadowDatabases()).filter((name) => !before.includes(name))).toEqual([]);
  });
});

describe("PGlite", () => {
  it("opens a new data directory with the migrations applied, and reopening applies nothing", async () => {
    const dataDir = path.join(await temporaryDirectory(), "pglite");

    const first = await openDatabase({ dataDir });
    const { id } = await first.prisma.workspace.create({ data: { name: "pglite" } });
    const rows = await first.prisma.$queryRaw`SELECT id, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name`;
    await first.close();

    const second = await openDatabase({ dataDir });
    try {
      expect(second.kind).toBe("pglite");
      expect(await second.prisma.workspace.findUnique({ where: { id } })).toMatchObject({ name: "pglite" });
      expect(await second.prisma.$queryRaw`SELECT id, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name`).toEqual(
        rows,
      );
      const committed = await committedMigrations();
      expect((rows as Array<{ checksum: string }>).map((r) => r.checksum)).toEqual(committed.map((m) => sha256(m.sql)));
    } finally {
      await second.close();
    }
  });

  it("records a broken migration as failed and rolls it back", async () => {
    const pglite = await PGlite.create();
    cleanups.push(() => pglite.close());
    const migrationsDir = await migrationsWith({
      "99990101000000_broken": `CREATE TABLE "Half" (id integer);\nSELECT * FROM "no_such_table";\n`,
    });

    await expect(applyMigrations({ kind: "pglite", pglite }, { migrationsDir })).rejects.toThrow(MigrationError);

    const { rows } = await pglite.query<{ finished: boolean; half: string | null }>(
      `SELECT finished_at IS NOT NULL AS finished, to_regclass('"Half"')::text AS half
       FROM _prisma_migrations WHERE migration_name = '99990101000000_broken'`,
    );
    expect(rows).toEqual([{ finished: false, half: null }]);
  });
});

// ---------------------------------------------------------------------------------------------

async function freshDatabase(): Promise<string> {
  const name = `modelql_migrations_test_${randomUUID().replaceAll("-", "")}`;
  await query(SERVER_URL, `CREATE DATABASE ${name}`);
  cleanups.push(async () => {
    await query(SERVER_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function query<Row = Record<string, unknown>>(url: string, sql: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Row[];
  } finally {
    await client.end();
  }
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished: boolean;
  rolled_back_at: Date | null;
  logs: string | null;
  applied_steps_count: number;
}

function migrationRows(url: string): Promise<MigrationRow[]> {
  return query<MigrationRow>(
    url,
    `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, rolled_back_at, logs, applied_steps_count
     FROM _prisma_migrations ORDER BY migration_name`,
  );
}

async function committedMigrations(): Promise<Array<{ name: string; sql: string }>> {
  const entries = await readdir(defaultMigrationsDir, { withFileTypes: true });
  const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  return Promise.all(
    names.map(async (name) => ({ name, sql: await readFile(path.join(defaultMigrationsDir, name, "migration.sql"), "utf8") })),
  );
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(path.join(tmpdir(), "modelql-migrations-"));
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

/** A copy of the committed migrations plus extra ones ({ directory name: migration.sql }). */
async function migrationsWith(extra: Record<string, string>): Promise<string> {
  const migrationsDir = path.join(await temporaryDirectory(), "migrations");
  await cp(defaultMigrationsDir, migrationsDir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) {
    await mkdir(path.join(migrationsDir, name));
    await writeFile(path.join(migrationsDir, name, "migration.sql"), sql);
  }
  return migrationsDir;
}

/** A copy of schema.prisma whose Workspace model has one more column. */
async function schemaWithExtraColumn(): Promise<string> {
  const schema = await readFile(defaultSchemaPath, "utf8");
  const changed = schema.replace(/(model Workspace \{\n)/, "$1  notes String?\n");
  expect(changed).not.toBe(schema);
  const schemaPath = path.join(await temporaryDirectory(), "schema.prisma");
  await writeFile(schemaPath, changed);
  return schemaPath;
}
