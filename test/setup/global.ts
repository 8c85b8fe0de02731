/**
 * Vitest global setup: every test run gets a real Postgres database with the committed
 * migrations applied. With DATABASE_URL set (as .ci/run does) that database is used; without
 * it a fresh database is created on the local server (127.0.0.1:5432, user postgres) and
 * dropped at the end. Test files isolate themselves by workspace or by their own ids.
 */
import type { TestProject } from "vitest/node";
import pg from "pg";
import { applyMigrations } from "../../src/data/migrations.ts";

const LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres";

export default async function setup(project: TestProject) {
  let url = process.env.DATABASE_URL;
  let drop: (() => Promise<void>) | undefined;
  if (!url) {
    const name = `modelql_test_${process.pid}_${Date.now()}`;
    await adminQuery(`CREATE DATABASE ${name}`);
    url = LOCAL_SERVER.replace(/\/postgres$/, `/${name}`);
    drop = () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
  await applyMigrations({ kind: "postgres", url });
  project.provide("databaseUrl", url);
  return async () => {
    await drop?.();
  };
}

async function adminQuery(sql: string) {
  const client = new pg.Client({ connectionString: LOCAL_SERVER });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}
