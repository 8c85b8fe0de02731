/**
 * Binary COPY out of the run's real Postgres (src/data/copy-binary.ts): the bytes that went in
 * come back, NULLs and stream chunking included, a failed COPY leaves the pool usable, and a
 * connection cut in the middle of a COPY fails it as "database unavailable" without an uncaught
 * 'error' (which would end the process: pg-pool does not listen on checked-out clients).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { inject } from "vitest";
import pg from "pg";
import type { Database } from "../../src/data/database.ts";
import { copyOutColumn } from "../../src/data/copy-binary.ts";
import { isDatabaseUnavailable } from "../../src/data/availability.ts";
import { openTestDatabase } from "../support/database.ts";
import { startTcpProxy } from "../support/tcp-proxy.ts";

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

async function copyOut(select: string) {
  const rows: (number[] | null)[] = [];
  const count = await copyOutColumn(database.pool!, select, {
    begin: (length) => void rows.push(length < 0 ? null : []),
    bytes: (part) => {
      const row = rows[rows.length - 1]!;
      for (const b of part) row.push(b);
    },
  });
  return { rows, count };
}

it("streams bytea values as their raw bytes, NULL and empty values included", async () => {
  const { rows, count } = await copyOut(`SELECT v FROM (VALUES (1, '\\x00ff10'::bytea), (2, NULL), (3, ''::bytea)) AS t(k, v) ORDER BY k`);
  expect(count).toBe(3);
  expect(rows).toEqual([[0x00, 0xff, 0x10], null, []]);
});

it("reads values larger than a stream chunk whole (1 MiB, crossing many 64 KiB chunks)", async () => {
  let total = 0;
  let sum = 0;
  await copyOutColumn(database.pool!, `SELECT decode(repeat('0102', 524288), 'hex')`, {
    begin: (length) => expect(length).toBe(1 << 20),
    bytes: (part) => {
      total += part.length;
      for (const b of part) sum += b;
    },
  });
  expect(total).toBe(1 << 20);
  expect(sum).toBe((1 << 19) * 3);
});

it("fails a bad query with Postgres's error and the pool still serves the next one", async () => {
  await expect(copyOut(`SELECT no_such_column FROM (VALUES (1)) AS t(k)`)).rejects.toThrow(/no_such_column/);
  await expect(copyOut(`SELECT v FROM (VALUES ('\\x01'::bytea)) AS t(v)`)).resolves.toEqual({ rows: [[1]], count: 1 });
});

it("fails a COPY whose connection is cut mid-stream as the database being away, and keeps the process up", async () => {
  const url = new URL(inject("databaseUrl"));
  const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  url.port = String(proxy.port);
  const pool = new pg.Pool({ connectionString: url.toString() });
  pool.on("error", () => {});
  try {
    let received = 0;
    const copying = copyOutColumn(pool, `SELECT decode(repeat('00', 1048576), 'hex') FROM generate_series(1, 200)`, {
      begin: () => {},
      bytes: (part) => {
        received += part.length;
        if (received > 4 << 20) void proxy.cut();
      },
    });
    const error = await copying.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).not.toBeNull();
    expect(isDatabaseUnavailable(error)).toBe(true);
    await proxy.restore();
    // The broken client was destroyed, not pooled: the next COPY works.
    await expect(copyOutColumn(pool, `SELECT '\\x02'::bytea`, { begin: () => {}, bytes: () => {} })).resolves.toBe(1);
  } finally {
    await pool.end();
    await proxy.close();
  }
});
