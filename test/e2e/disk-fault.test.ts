/**
 * A disk fault on ingest: the server's temporary directory (where `POST /datasets` spools an
 * upload) is unusable. The upload is refused with 503 SERVICE_UNAVAILABLE, nothing is stored,
 * and the server goes on serving.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { openTestDatabase } from "../support/database.ts";
import { postGraphQL } from "../support/http.ts";
import { startServerProcess, type ServerProcess } from "../support/process.ts";
import type { Database } from "../../src/data/database.ts";

const KEY = "mql_disk_fault_test_key_0123456789ab";
let server: ServerProcess;
let database: Database;

beforeAll(async () => {
  database = await openTestDatabase();
  // A temporary directory that cannot exist (under a character device), whoever runs the
  // tests, root included; tsx's own cache (also under TMPDIR) is turned off for the process.
  server = await startServerProcess({ MODELQL_BOOTSTRAP_KEY: KEY, TMPDIR: "/dev/null/modelql-spool", TSX_DISABLE_CACHE: "1" });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

it("refuses an upload it cannot spool with 503, stores nothing, and keeps serving", async () => {
  const name = `disk-fault-${Date.now()}`;
  const response = await fetch(`${server.base}/datasets?name=${name}`, { method: "POST", headers: { "content-type": "text/csv", authorization: `Bearer ${KEY}` }, body: "a,b\n1,2\n3,4\n" });
  expect(response.status).toBe(503);
  const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
  expect(body.errors[0].extensions.code).toBe("SERVICE_UNAVAILABLE");
  expect(body.errors[0].message).toMatch(/nothing was stored/);
  expect(JSON.stringify(body)).not.toMatch(/dev\/null|ENOTDIR/);
  expect(await database.prisma.dataset.count({ where: { name } })).toBe(0);
  // The GraphQL path does not spool: it still works.
  const created = await postGraphQL(`${server.base}/graphql`, `mutation($n: String!) { createDataset(input: { name: $n, csv: "a,b\\n1,2\\n" }) { rowCount } }`, { n: `${name}-graphql` }, KEY);
  expect(created.data.createDataset.rowCount).toBe(1);
});
