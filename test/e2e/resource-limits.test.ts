/**
 * Issue 22's resource limits over real HTTP: what one dataset page or upload may hold in
 * memory, slow request bodies, subscriptions per key, failed authentications per address, and
 * upload spool files left by a killed process. Each abusive request runs while /healthz is
 * polled and must keep answering within 1 s.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../support/database.ts";
import { postGraphQL, startTestServer, type TestServer } from "../support/http.ts";
import type { Database } from "../../src/data/database.ts";

let database: Database;
let server: TestServer;

beforeAll(async () => {
  database = await openTestDatabase();
  server = await startTestServer(database);
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

/** Polls GET /healthz every 100 ms until stopped; returns the slowest answer's time in ms. */
function pollHealth(base: string) {
  let slowest = 0;
  let failures = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const response = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5000) });
        if (response.status !== 200) failures++;
      } catch {
        failures++;
      }
      slowest = Math.max(slowest, performance.now() - started);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return async () => {
    running = false;
    await loop;
    return { slowest, failures };
  };
}

async function upload(base: string, key: string, name: string, body: string | ReadableStream<Uint8Array>) {
  const response = await fetch(`${base}/datasets?name=${name}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "text/csv" },
    body,
    duplex: "half",
  } as RequestInit);
  return { status: response.status, body: (await response.json()) as any };
}

const csvOf = (columns: number, rows: number, cell: (row: number, column: number) => string) =>
  [Array.from({ length: columns }, (_, j) => `c${j}`).join(","), ...Array.from({ length: rows }, (_, i) => Array.from({ length: columns }, (_, j) => cell(i, j)).join(","))].join("\n") + "\n";

describe("dataset pages scale with their width (3c)", () => {
  it("refuses a page over MAX_PAGE_CELLS (rows × columns) with BAD_USER_INPUT, at the limit", async () => {
    // 1000 columns (the most a CSV may have) × 150 rows.
    const created = await server.gql(`mutation($csv: String!) { createDataset(input: { name: "wide", csv: $csv }) { id } }`, { csv: csvOf(1000, 150, (i, j) => String(i * 1000 + j)) });
    expect(created.errors).toBeUndefined();
    const page = (first: number | null) =>
      server.gql(`query($id: ID!, $first: Int) { dataset(id: $id) { rows(first: $first) { edges { node } pageInfo { hasNextPage } } } }`, { id: created.data.createDataset.id, first });
    // 100 rows × 1000 columns = 100 000 cells: the default limit, answered (and the default page).
    for (const first of [100, null]) {
      const { data, errors } = await page(first);
      expect(errors).toBeUndefined();
      expect(data.dataset.rows.edges).toHaveLength(100);
      expect(data.dataset.rows.edges[99].node).toMatchObject({ c0: 99_000, c999: 99_999 });
    }
    const stop = pollHealth(server.url);
    for (const first of [101, 1000]) {
      const { data, errors } = await page(first);
      expect(data?.dataset ?? null).toBeNull();
      expect(errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", limit: "MAX_PAGE_CELLS", cells: first * 1000 });
      expect(errors![0].message).toMatch(/ask for at most 100 rows/);
    }
    const health = await stop();
    expect(health).toMatchObject({ failures: 0 });
    expect(health.slowest).toBeLessThan(1000);
  });

  it("reads only the page's rows of each chunk, across a chunk boundary, for every column type", async () => {
    const lines = ["n,t,b"];
    for (let i = 0; i < 65_536 + 20; i++) lines.push(`${i},${i % 3 === 0 ? "" : `k${i % 7}`},${i % 2 === 0}`);
    const created = await server.gql(`mutation($csv: String!) { createDataset(input: { name: "chunks", csv: $csv }) { id } }`, { csv: lines.join("\n") });
    expect(created.errors).toBeUndefined();
    const after = Buffer.from(JSON.stringify(65_530)).toString("base64url");
    const { data, errors } = await server.gql(`query($id: ID!, $after: String) { dataset(id: $id) { rows(first: 12, after: $after) { edges { node } } } }`, { id: created.data.createDataset.id, after });
    expect(errors).toBeUndefined();
    expect(data.dataset.rows.edges.map((e: any) => e.node)).toEqual(
      Array.from({ length: 12 }, (_, k) => {
        const i = 65_530 + k;
        return { n: i, t: i % 3 === 0 ? null : `k${i % 7}`, b: i % 2 === 0 };
      }),
    );
  });
});

describe("an upload's memory is bounded (3b)", () => {
  let budgeted: TestServer;
  beforeAll(async () => {
    budgeted = await startTestServer(database, { datasetLimits: { maxUploadCells: 1000, maxUploadCategories: 50 } });
  });
  afterAll(async () => budgeted?.close());

  it("refuses a file over MAX_UPLOAD_CELLS (rows × columns) with BAD_USER_INPUT, and nothing is stored", async () => {
    const ok = await upload(budgeted.url, budgeted.key, "cells-ok", csvOf(10, 100, (i, j) => String(i + j)));
    expect(ok.status).toBe(201);
    expect(ok.body.data.rowCount).toBe(100);
    const before = await database.prisma.dataset.count();
    const over = await upload(budgeted.url, budgeted.key, "cells-over", csvOf(10, 101, (i, j) => String(i + j)));
    expect(over.status).toBe(400);
    expect(over.body.errors[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", limit: 1000, line: 102 });
    expect(over.body.errors[0].message).toMatch(/more than 1000 cells .*MAX_UPLOAD_CELLS/);
    expect(await database.prisma.dataset.count()).toBe(before);
    // The GraphQL mutation has the same budget.
    const viaGraphQL = await postGraphQL(`${budgeted.url}/graphql`, `mutation($csv: String!) { createDataset(input: { name: "x", csv: $csv }) { id } }`, { csv: csvOf(10, 101, () => "1") }, budgeted.key);
    expect(viaGraphQL.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", limit: 1000 });
  });

  it("refuses a file over MAX_UPLOAD_CATEGORIES distinct text values (an id column), at the limit", async () => {
    const ok = await upload(budgeted.url, budgeted.key, "ids-ok", csvOf(2, 200, (i, j) => (j === 0 ? `id-${i % 45}` : `v${i % 5}`)));
    expect(ok.status).toBe(201);
    const over = await upload(budgeted.url, budgeted.key, "ids-over", csvOf(2, 200, (i, j) => (j === 0 ? `id-${i % 46}` : `v${i % 5}`)));
    expect(over.status).toBe(400);
    expect(over.body.errors[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", limit: 50 });
    expect(over.body.errors[0].message).toMatch(/more than 50 distinct text values .*MAX_UPLOAD_CATEGORIES/);
  });

  it("keeps /healthz answering within 1 s while a large CSV is ingested", async () => {
    // ~45 MB streamed: 20 number columns and one distinct-valued text column, 300k rows.
    const rows = 300_000;
    let row = -1;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const lines: string[] = [];
        if (row < 0) lines.push([...Array.from({ length: 20 }, (_, j) => `x${j}`), "id"].join(","));
        for (let k = 0; k < 2000 && row < rows; k++, row++) if (row >= 0) lines.push([...Array.from({ length: 20 }, (_, j) => ((row * 31 + j * 17) % 10007) / 7), `user-${row}-${row * 7919}`].join(","));
        if (row < 0) row = 0;
        if (lines.length === 0) controller.close();
        else controller.enqueue(new TextEncoder().encode(lines.join("\n") + "\n"));
      },
    });
    const stop = pollHealth(server.url);
    const result = await upload(server.url, server.key, "large", stream);
    const health = await stop();
    expect(result.status).toBe(201);
    expect(result.body.data.rowCount).toBe(rows);
    expect(health).toMatchObject({ failures: 0 });
    expect(health.slowest).toBeLessThan(1000);
  }, 120_000);
});
