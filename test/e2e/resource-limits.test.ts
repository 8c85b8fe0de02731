/**
 * Issue 22's resource limits over real HTTP: what one dataset page or upload may hold in
 * memory, slow request bodies, subscriptions per key, failed authentications per address, and
 * upload spool files left by a killed process. Each abusive request runs while /healthz is
 * polled and must keep answering within 1 s.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { openTestDatabase } from "../support/database.ts";
import { postGraphQL, startTestServer, type TestServer } from "../support/http.ts";
import { pollHealthz } from "../support/healthz.ts";
import { startServerProcess } from "../support/process.ts";
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
    const health = pollHealthz(server.url);
    for (const first of [101, 1000]) {
      const { data, errors } = await page(first);
      expect(data?.dataset ?? null).toBeNull();
      expect(errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", limit: "MAX_PAGE_CELLS", cells: first * 1000 });
      expect(errors![0].message).toMatch(/ask for at most 100 rows/);
    }
    expect((await health.stop()).slowestMs).toBeLessThan(1000);
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
    const over = await upload(budgeted.url, budgeted.key, "cells-over", csvOf(10, 101, (i, j) => String(i + j)));
    expect(over.status).toBe(400);
    expect(over.body.errors[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", limit: 1000, line: 102 });
    expect(over.body.errors[0].message).toMatch(/more than 1000 cells .*MAX_UPLOAD_CELLS/);
    // Counted by name: other test files create datasets at the same time.
    expect(await database.prisma.dataset.count({ where: { name: "cells-over" } })).toBe(0);
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
    const health = pollHealthz(server.url);
    const result = await upload(server.url, server.key, "large", stream);
    const { slowestMs } = await health.stop();
    expect(result.status).toBe(201);
    expect(result.body.data.rowCount).toBe(rows);
    expect(slowestMs).toBeLessThan(1000);
  }, 120_000);
});

describe("slow clients, subscriptions per key, failed authentications (4)", () => {
  it("closes a request whose body arrives a byte at a time once REQUEST_TIMEOUT_SECONDS has passed", async () => {
    const timed = await startTestServer(database, { timeouts: { requestSeconds: 2, headersSeconds: 2 } });
    const health = pollHealthz(timed.url);
    try {
      const { port } = new URL(timed.url);
      const sockets = Array.from({ length: 20 }, () => createConnection({ host: "127.0.0.1", port: Number(port) }));
      const started = performance.now();
      const closed = sockets.map(
        (socket) =>
          new Promise<{ seconds: number; answer: string }>((resolve) => {
            let answer = "";
            socket.on("data", (d) => (answer += d));
            socket.on("error", () => {});
            socket.on("close", () => resolve({ seconds: (performance.now() - started) / 1000, answer }));
            socket.write(`POST /datasets?name=slow HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${timed.key}\r\ncontent-type: text/csv\r\ncontent-length: 100000\r\n\r\n`);
          }),
      );
      // One byte per 300 ms per socket, for at most 15 s: the server must close them first.
      const drip = setInterval(() => sockets.forEach((s) => !s.destroyed && s.write("1")), 300);
      const bound = setTimeout(() => sockets.forEach((s) => s.destroy()), 15_000);
      const results = await Promise.all(closed);
      clearInterval(drip);
      clearTimeout(bound);
      for (const { seconds, answer } of results) {
        expect(seconds).toBeLessThan(10); // 2 s plus Node's check interval (0.5 s here), with room
        expect(answer).toMatch(/^HTTP\/1\.1 408/);
      }
      expect((await health.stop()).slowestMs).toBeLessThan(1000);
    } finally {
      await health.stop();
      await timed.close();
    }
  }, 60_000);

  it("refuses subscriptions beyond MAX_SUBSCRIPTIONS_PER_KEY with BAD_USER_INPUT, and frees a slot when one completes", async () => {
    const capped = await startTestServer(database, { maxSubscriptionsPerKey: 3 });
    const client = createClient({ url: `${capped.url.replace("http", "ws")}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${capped.key}` }, retryAttempts: 0, lazy: false });
    const other = createClient({ url: `${capped.url.replace("http", "ws")}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${capped.key}` }, retryAttempts: 0 });
    try {
      const errors: unknown[][] = [];
      const subscribe = (c: Client) => {
        const index = errors.push([]) - 1;
        return c.subscribe({ query: `subscription { modelEvents { type } }` }, { next: () => {}, error: (e) => errors[index].push(e), complete: () => {} });
      };
      const disposers = [subscribe(client), subscribe(client), subscribe(other)];
      await new Promise((r) => setTimeout(r, 1000));
      expect(errors.flat()).toEqual([]);
      // The fourth, on either connection, is one too many for the key.
      subscribe(client);
      await vi.waitFor(() => expect(errors[3]).toHaveLength(1), { timeout: 10_000 });
      expect((errors[3][0] as any)[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", limit: "MAX_SUBSCRIPTIONS_PER_KEY" });
      disposers[2]();
      await new Promise((r) => setTimeout(r, 500));
      subscribe(client);
      await new Promise((r) => setTimeout(r, 1000));
      expect(errors[4]).toEqual([]);
    } finally {
      await client.dispose();
      await other.dispose();
      await capped.close();
    }
  }, 60_000);

  it("answers 429 with Retry-After after AUTH_FAILURES_PER_WINDOW failed authentications from an address, even to a good key", async () => {
    const throttled = await startTestServer(database, { authFailures: { max: 5, windowSeconds: 60 } });
    try {
      const ask = (key: string) => fetch(`${throttled.url}/graphql`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify({ query: "{ algorithms { algorithm } }" }) });
      expect((await ask(throttled.key)).status).toBe(200);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await ask(`mql_wrong_${i}_${"x".repeat(20)}`)).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401]);
      for (const key of ["mql_wrong_again_xxxxxxxxxxxxxxx", throttled.key]) {
        const refused = await ask(key);
        expect(refused.status).toBe(429);
        expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
        expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(60);
        expect(((await refused.json()) as any).errors[0].extensions).toMatchObject({ code: "RATE_LIMITED", limit: "AUTH_FAILURES_PER_WINDOW" });
      }
      // The upload route shares the count.
      const upload = await fetch(`${throttled.url}/datasets?name=x`, { method: "POST", headers: { authorization: `Bearer ${throttled.key}`, "content-type": "text/csv" }, body: "a\n1\n" });
      expect(upload.status).toBe(429);
    } finally {
      await throttled.close();
    }
  });
});

describe("upload spool files (10)", () => {
  it("removes on start the spool of a server SIGKILLed mid-upload, and those of dead processes, keeping live ones", async () => {
    const uploadDir = await mkdtemp(join(tmpdir(), "modelql-spool-test-"));
    try {
      // A dead pid: a child that has exited. A live one: this process. Plus one of a live pid older than a day.
      const dead = spawn(process.execPath, ["-e", ""]);
      await new Promise((r) => dead.once("exit", r));
      for (const name of [`${dead.pid}-aaaaaa`, `${process.pid}-bbbbbb`, `${process.pid}-cccccc`]) {
        await mkdir(join(uploadDir, name));
        await writeFile(join(uploadDir, name, "upload.csv"), "a\n1\n");
      }
      const dayAgo = new Date(Date.now() - 25 * 3600 * 1000);
      await utimes(join(uploadDir, `${process.pid}-cccccc`), dayAgo, dayAgo);

      // A real server process, killed while an upload streams into its spool.
      const key = "spool-test-bootstrap-key-0123456789";
      const first = await startServerProcess({ UPLOAD_DIR: uploadDir, MODELQL_BOOTSTRAP_KEY: key });
      const { port } = new URL(first.base);
      const socket = createConnection({ host: "127.0.0.1", port: Number(port) });
      socket.on("error", () => {});
      socket.write(`POST /datasets?name=killed HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${key}\r\ncontent-type: text/csv\r\ncontent-length: 10000000\r\n\r\na,b\n` + "1,2\n".repeat(10_000));
      const spool = () => readdir(uploadDir).then((names) => names.filter((n) => n.startsWith(`${first.child.pid}-`)));
      await vi.waitFor(async () => expect(await spool()).toHaveLength(1), { timeout: 30_000, interval: 200 });
      await first.stop("SIGKILL");
      socket.destroy();
      const left = await spool();
      expect(left).toHaveLength(1);

      const second = await startServerProcess({ UPLOAD_DIR: uploadDir, MODELQL_BOOTSTRAP_KEY: key });
      try {
        const names = await readdir(uploadDir);
        expect(names).not.toContain(left[0]);
        expect(names).not.toContain(`${dead.pid}-aaaaaa`);
        expect(names).not.toContain(`${process.pid}-cccccc`);
        expect(names).toContain(`${process.pid}-bbbbbb`);
        // Uploads still work, and leave nothing behind.
        const done = await upload(second.base, key, "after", "a,b\n1,2\n");
        expect(done.status).toBe(201);
        // (removed just after the answer is sent)
        await vi.waitFor(async () => expect((await readdir(uploadDir)).filter((n) => n.startsWith(`${second.child.pid}-`))).toEqual([]), { timeout: 10_000 });
      } finally {
        await second.stop();
      }
    } finally {
      await rm(uploadDir, { recursive: true, force: true });
    }
  }, 240_000);
});
