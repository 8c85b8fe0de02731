/**
 * Errors outside GraphQL's own answers have GraphQL's shape and a stable code:
 * `{ errors: [{ message, extensions: { code } }] }` as JSON, whether Fastify raises them (no
 * route, a body over the limit, JSON that does not parse, a content type no route takes) or
 * POST /datasets refuses a body that is not CSV. An automatic persisted query whose hash is not
 * its query's is the client's error: 400 PERSISTED_QUERY_HASH_MISMATCH, not a masked
 * INTERNAL_SERVER_ERROR logged as a bug.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../support/database.ts";
import { startTestServer, type TestServer } from "../support/http.ts";
import { startServerProcess } from "../support/process.ts";
import type { Database } from "../../src/data/database.ts";

const MAX_BODY_BYTES = 64 * 1024;

let database: Database;
let server: TestServer;

beforeAll(async () => {
  database = await openTestDatabase();
  server = await startTestServer(database, { maxBodyBytes: MAX_BODY_BYTES });
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

interface ErrorBody {
  errors: { message: string; extensions: Record<string, unknown> & { code: string } }[];
}

/** The response's status and JSON body, checked to be in the project's error shape. */
async function errorOf(response: Response): Promise<{ status: number; message: string; extensions: Record<string, unknown> }> {
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const body = (await response.json()) as ErrorBody;
  expect(Object.keys(body)).toEqual(["errors"]);
  expect(body.errors).toHaveLength(1);
  const [error] = body.errors;
  expect(typeof error.message).toBe("string");
  expect(error.message.length).toBeGreaterThan(0);
  expect(error.extensions.code).toMatch(/^[A-Z_]+$/);
  return { status: response.status, message: error.message, extensions: error.extensions };
}

describe("POST /datasets with a body that is not CSV", () => {
  it.each([
    ["application/xml", "<rows/>"],
    ["application/json", `{"a": 1}`],
    ["multipart/form-data; boundary=x", "--x\r\n\r\na,b\r\n--x--\r\n"],
    ["text/plain", "a,b\n1,2\n"],
  ])("%s: 415 UNSUPPORTED_MEDIA_TYPE saying text/csv is expected", async (type, body) => {
    const response = await fetch(`${server.url}/datasets?name=not-csv`, { method: "POST", headers: { "content-type": type, authorization: `Bearer ${server.key}` }, body });
    const error = await errorOf(response);
    expect(error.status).toBe(415);
    expect(error.extensions).toEqual({ code: "UNSUPPORTED_MEDIA_TYPE", expected: "text/csv" });
    expect(error.message).toContain("Content-Type: text/csv");
    expect(error.message).toContain(type.split(";")[0]);
    expect(await database.prisma.dataset.count({ where: { name: "not-csv" } })).toBe(0);
  });

  it("still takes text/csv (with parameters) and application/csv", async () => {
    for (const type of ["text/csv; charset=utf-8", "application/csv"]) {
      const response = await fetch(`${server.url}/datasets?name=csv-types`, { method: "POST", headers: { "content-type": type, authorization: `Bearer ${server.key}` }, body: "a,b\n1,2\n" });
      expect(response.status).toBe(201);
    }
  });
});

describe("errors Fastify raises, on every REST route", () => {
  const post = (path: string, body: string | null, headers: Record<string, string>) => fetch(`${server.url}${path}`, { method: "POST", headers: { authorization: `Bearer ${server.key}`, ...headers }, body });

  it.each([
    ["GET", "/nothing-here"],
    ["POST", "/nothing-here"],
    ["GET", "/assets/no-such-file.js"],
    ["DELETE", "/graphql"],
  ])("%s %s: 404 NOT_FOUND", async (method, path) => {
    const error = await errorOf(await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${server.key}` } }));
    expect(error.status).toBe(404);
    expect(error.extensions).toEqual({ code: "NOT_FOUND" });
    expect(error.message).toContain(path);
  });

  it("a body over MAX_BODY_BYTES: 413 PAYLOAD_TOO_LARGE naming the limit (at the limit + 1 byte)", async () => {
    const envelope = JSON.stringify({ query: "{ algorithms { algorithm } }", variables: { pad: "" } });
    const over = envelope.replace(`"pad":""`, `"pad":"${"x".repeat(MAX_BODY_BYTES + 1 - envelope.length)}"`);
    expect(Buffer.byteLength(over)).toBe(MAX_BODY_BYTES + 1);
    const error = await errorOf(await post("/graphql", over, { "content-type": "application/json" }));
    expect(error.status).toBe(413);
    expect(error.extensions).toEqual({ code: "PAYLOAD_TOO_LARGE", limit: "MAX_BODY_BYTES" });
    expect(error.message).toContain(String(MAX_BODY_BYTES));
    // At the limit itself the request goes through.
    const at = envelope.replace(`"pad":""`, `"pad":"${"x".repeat(MAX_BODY_BYTES - envelope.length)}"`);
    expect(Buffer.byteLength(at)).toBe(MAX_BODY_BYTES);
    expect((await post("/graphql", at, { "content-type": "application/json" })).status).toBe(200);
  });

  it.each([
    ["JSON that does not parse", `{"query": "{ algorithms { algorithm } }"`],
    ["a truncated body", `{"query": "{ algori`],
    ["an empty JSON body", ""],
  ])("%s: 400 BAD_REQUEST", async (_case, body) => {
    const error = await errorOf(await post("/graphql", body, { "content-type": "application/json" }));
    expect(error.status).toBe(400);
    expect(error.extensions).toEqual({ code: "BAD_REQUEST" });
  });

  it.each([
    ["/graphql", "application/xml"],
    ["/graphql", "image/png"],
  ])("POST %s with %s: 415 UNSUPPORTED_MEDIA_TYPE", async (path, type) => {
    const error = await errorOf(await post(path, "<x/>", { "content-type": type }));
    expect(error.status).toBe(415);
    expect(error.extensions).toEqual({ code: "UNSUPPORTED_MEDIA_TYPE" });
    expect(error.message).toContain("application/json");
  });

  it("a body without a Content-Type: 415 UNSUPPORTED_MEDIA_TYPE", async () => {
    for (const path of ["/graphql", "/datasets?name=untyped"]) {
      const error = await errorOf(await fetch(`${server.url}${path}`, { method: "POST", headers: { authorization: `Bearer ${server.key}` }, body: new Blob(["a,b\n1,2\n"]) }));
      expect(error.status).toBe(415);
      expect(error.extensions.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    }
  });
});

describe("automatic persisted queries", () => {
  const QUERY = "{ algorithms { algorithm } }";
  const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
  const apq = (base: string, key: string, hash: string, query?: string) =>
    fetch(`${base}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ ...(query === undefined ? {} : { query }), extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
    });

  it("a hash that is not the query's: 400 PERSISTED_QUERY_HASH_MISMATCH", async () => {
    const error = await errorOf(await apq(server.url, server.key, sha256(QUERY + " "), QUERY));
    expect(error.status).toBe(400);
    expect(error.extensions).toEqual({ code: "PERSISTED_QUERY_HASH_MISMATCH" });
    expect(error.message).toMatch(/sha256Hash/);
  });

  it("the query's own hash registers it, and the hash alone then runs it", async () => {
    const hash = sha256(QUERY);
    expect((await apq(server.url, server.key, hash)).status).toBe(200); // PERSISTED_QUERY_NOT_FOUND, in a 200 as Apollo answers it
    const registered = await apq(server.url, server.key, hash, QUERY);
    expect(registered.status).toBe(200);
    const byHash = (await (await apq(server.url, server.key, hash)).json()) as { data?: { algorithms: unknown[] } };
    expect(byHash.data?.algorithms.length).toBeGreaterThan(0);
  });

  it("a hash mismatch is not logged as an unexpected error", async () => {
    const key = "mql_rest_errors_bootstrap_key_0123456789";
    const process = await startServerProcess({ MODELQL_BOOTSTRAP_KEY: key, LOG_LEVEL: "info" });
    try {
      const response = await apq(process.base, key, sha256("something else"), QUERY);
      expect(response.status).toBe(400);
      expect(((await response.json()) as ErrorBody).errors[0].extensions.code).toBe("PERSISTED_QUERY_HASH_MISMATCH");
      // A request the server then answers in full shows that the mismatch's log lines (if any) were written.
      expect((await fetch(`${process.base}/healthz`)).status).toBe(200);
      let lines: Record<string, unknown>[] = [];
      for (let i = 0; i < 50; i++) {
        lines = process
          .output()
          .split("\n")
          .filter((l) => l.startsWith("{"))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        if (lines.some((l) => (l.req as { url?: string } | undefined)?.url === "/healthz")) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(lines.some((l) => (l.res as { statusCode?: number } | undefined)?.statusCode === 400)).toBe(true);
      expect(lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
    } finally {
      await process.stop();
    }
  }, 180_000);
});
