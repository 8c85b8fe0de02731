/**
 * The first-start key, each in a database of its own (the suite's database already has keys):
 * it is the operator (instance-wide role), a chosen MODELQL_BOOTSTRAP_KEY shows none of its
 * characters in `apiKeys`, and a database from before OPERATOR keeps its bootstrap key working.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { openDatabase, type Database } from "../../src/data/database.ts";
import { postGraphQL } from "../support/http.ts";
import { buildApp } from "../../src/http/app.ts";
import { openTestQueue } from "../support/queue.ts";

/** The run's server (the local one or the npm-shipped one: test/setup/global.ts), where each test makes its own database. */
const SERVER_URL = inject("postgresServerUrl");
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function freshDatabase(): Promise<Database> {
  const name = `modelql_bootstrap_test_${randomUUID().replaceAll("-", "")}`;
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  cleanups.push(async () => {
    const c = new pg.Client({ connectionString: SERVER_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), migrate: true });
  cleanups.push(() => database.close());
  return database;
}

async function start(database: Database, bootstrapKey?: string) {
  const queue = await openTestQueue();
  const app = await buildApp({ prisma: database.prisma, pool: database.pool, queue, workers: 0, maxBodyBytes: 1 << 20, logLevel: "silent", bootstrapKey });
  await app.fastify.listen({ port: 0, host: "127.0.0.1" });
  const url = `http://127.0.0.1:${(app.fastify.server.address() as { port: number }).port}/graphql`;
  return { app, url, close: async () => (await app.fastify.close(), await queue.close()) };
}

describe("the bootstrap key", () => {
  it("a chosen key is the operator and `apiKeys` shows none of its characters (issue 22)", async () => {
    const database = await freshDatabase();
    const chosen = "team-secret-bootstrap-value-0001";
    const server = await start(database, chosen);
    try {
      const { data, errors } = await postGraphQL(server.url, `{ apiKeys { name prefix scopes } }`, {}, chosen);
      expect(errors).toBeUndefined();
      expect(data.apiKeys).toEqual([{ name: "bootstrap", prefix: "(configured)", scopes: ["OPERATOR"] }]);
      expect(JSON.stringify(data)).not.toContain(chosen.slice(0, 4));
      expect((await postGraphQL(server.url, `mutation { createWorkspace(name: "team-b") { id } }`, {}, chosen)).errors).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it("a random first-start key is the operator and keeps its prefix", async () => {
    const database = await freshDatabase();
    const server = await start(database);
    try {
      const key = server.app.createdBootstrapKey!;
      const { data } = await postGraphQL(server.url, `{ apiKeys { prefix scopes } }`, {}, key);
      expect(data.apiKeys).toEqual([{ prefix: key.slice(0, 12), scopes: ["OPERATOR"] }]);
    } finally {
      await server.close();
    }
  });

  it("a database from before OPERATOR: its bootstrap ADMIN key (random or chosen) becomes the operator on start, and shows no chosen prefix", async () => {
    const database = await freshDatabase();
    const first = await start(database);
    const random = first.app.createdBootstrapKey!;
    await first.close();
    const chosen = "older-chosen-bootstrap-key-0002";
    // As the former code wrote them: ADMIN, and the chosen key's first 12 characters.
    await database.prisma.apiKey.updateMany({ data: { scopes: ["ADMIN"] } });
    const workspaceId = (await database.prisma.workspace.findFirstOrThrow({ where: { name: "default" } })).id;
    const { createHash } = await import("node:crypto");
    await database.prisma.apiKey.create({ data: { workspaceId, name: "bootstrap", prefix: chosen.slice(0, 12), hash: createHash("sha256").update(chosen).digest("hex"), scopes: ["ADMIN"] } });
    const server = await start(database, chosen);
    try {
      for (const key of [random, chosen]) {
        expect((await postGraphQL(server.url, `mutation($n: String!) { createWorkspace(name: $n) { id } }`, { n: randomUUID() }, key)).errors, key.slice(0, 4)).toBeUndefined();
      }
      const { data } = await postGraphQL(server.url, `{ apiKeys { prefix } }`, {}, random);
      expect(data.apiKeys.map((k: { prefix: string }) => k.prefix).sort()).toEqual(["(configured)", random.slice(0, 12)].sort());
    } finally {
      await server.close();
    }
  });
});
