/**
 * The durable prediction log, written by group commit: predictions that arrive while an
 * INSERT is in flight wait for it, then go together in the next one. Each caller's promise
 * settles only after the INSERT holding its rows has committed, so an acknowledged
 * prediction is always in Postgres, while under load many requests share one round trip and
 * one WAL flush (the technique of database group commit, applied one level up).
 *
 * A row the database refuses fails only the request that sent it: the group is split and
 * written again around it (see write). Any other failed INSERT fails every request in its
 * group (none of them is acknowledged).
 */
import type { Pool } from "pg";
import { InvalidInputError } from "../../core/errors.ts";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { PredictionOutput } from "./served-model.ts";

/** A logged prediction as read back from the Prediction table. */
export interface PredictionRecord {
  id: bigint;
  modelId: string;
  input: unknown;
  output: PredictionOutput;
  latencyMs: number;
  createdAt: Date;
  actual?: unknown;
  outcomeAt?: Date | null;
}

export interface LogEntry {
  workspaceId: string;
  modelId: string;
  input: unknown;
  output: PredictionOutput;
  latencyMs: number;
}

interface Pending {
  entries: LogEntry[];
  resolve: (rows: PredictionRecord[]) => void;
  reject: (error: unknown) => void;
}

/**
 * INSERTs in flight at once: two let Postgres use a second core for a batch's rows while another
 * batch is written (10k-row batches: 27k → 44k rows/s), but only once SECOND_INSERT_MIN_ROWS
 * rows wait; with single rows a second INSERT halved the groups and raised p99 (8 → 11.5 ms).
 */
const MAX_CONCURRENT_INSERTS = 2;
const SECOND_INSERT_MIN_ROWS = 1_000;

/** Upper bound on rows per INSERT (a request is never split, so one batch may be larger). */
const MAX_ROWS_PER_INSERT = 10_000;

export class PredictionLog {
  private queue: Pending[] = [];
  /** INSERTs in flight (each a loop draining the queue), and the rows waiting for one */
  private flushers = 0;
  private queuedRows = 0;
  /** INSERT statements issued, and rows written (for tests and /metrics). */
  readonly stats = { inserts: 0, rows: 0 };

  constructor(
    private readonly prisma: PrismaClient,
    /** on Postgres, the pool under Prisma: the INSERT goes straight to pg (see insert) */
    private readonly pool?: Pool,
  ) {}

  /** Resolves with the logged rows, in the order given, once they are committed. */
  append(entries: LogEntry[]): Promise<PredictionRecord[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ entries, resolve, reject });
      this.queuedRows += entries.length;
      // A second INSERT only for batch-sized work: single-row traffic keeps one in flight, so
      // that its groups stay large (fewer commits, lower p99).
      if (this.flushers === 0 || (this.flushers < MAX_CONCURRENT_INSERTS && this.queuedRows >= SECOND_INSERT_MIN_ROWS)) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushers++;
    try {
      while (this.queue.length > 0) {
        // Take whole requests up to the row bound (a request is never split across INSERTs).
        const group: Pending[] = [];
        let rows = 0;
        while (this.queue.length > 0 && (group.length === 0 || rows + this.queue[0].entries.length <= MAX_ROWS_PER_INSERT)) {
          const next = this.queue.shift()!;
          group.push(next);
          rows += next.entries.length;
          this.queuedRows -= next.entries.length;
        }
        await this.write(group);
      }
    } finally {
      this.flushers--;
    }
  }

  private async write(group: Pending[]): Promise<void> {
    const entries = group.flatMap((p) => p.entries);
    let written: { id: string; createdMs: number }[];
    try {
      written = await this.insert(entries);
    } catch (e) {
      const sqlState = sqlStateOf(e);
      // A row Postgres refuses (a value it cannot store, a model deleted meanwhile) fails the
      // whole INSERT; the group's other requests, possibly other workspaces', must not fail with
      // it. Bisect until the offending request is alone: ~2·log2(n) INSERTs per bad request.
      // Not for other errors (the database away, a full disk): every half would fail as well.
      if (group.length > 1 && sqlState !== undefined && ROW_ERRORS.test(sqlState)) {
        const half = Math.ceil(group.length / 2);
        await this.write(group.slice(0, half));
        await this.write(group.slice(half));
        return;
      }
      const error =
        sqlState !== undefined && sqlState.startsWith("22")
          ? new InvalidInputError("The prediction could not be logged: its input holds a value the database cannot store. Send numbers, booleans and valid Unicode text only.", { field: "inputs" })
          : e;
      for (const p of group) p.reject(error);
      return;
    }
    this.stats.inserts++;
    this.stats.rows += written.length;
    // Ids come from one sequence in `n` order (ORDER BY n): sorting restores the entries' order.
    const ids = written.map((w) => ({ id: BigInt(w.id), createdMs: w.createdMs })).sort((a, b) => (a.id < b.id ? -1 : 1));
    const rows = entries.map((e, i): PredictionRecord => ({
      id: ids[i].id,
      modelId: e.modelId,
      input: e.input,
      output: e.output,
      latencyMs: e.latencyMs,
      createdAt: new Date(ids[i].createdMs),
      actual: null,
      outcomeAt: null,
    }));
    let offset = 0;
    for (const p of group) {
      p.resolve(rows.slice(offset, offset + p.entries.length));
      offset += p.entries.length;
    }
  }

  /**
   * One statement whatever the row count (Prisma's createManyAndReturn compiled a statement per
   * row count). The inputs and outputs go as one JSON array each, split by
   * jsonb_array_elements: per-element jsonb[] literals cost 1.6x as much on 10k rows (array
   * escaping in pg, one jsonb parse per element), and RETURNING only what the caller does not
   * already hold (id, time) spares reading 5 MB of JSON back. On Postgres the pool under Prisma
   * runs it: Prisma's raw-query path maps every returned row and parameter once more.
   */
  private async insert(entries: LogEntry[]): Promise<{ id: string; createdMs: number }[]> {
    const sql = `
      INSERT INTO "Prediction" ("workspaceId", "modelId", "input", "output", "latencyMs")
      SELECT r.workspace, r.model, i.value, o.value, r.latency
      FROM unnest($1::uuid[], $2::uuid[], $3::float8[]) WITH ORDINALITY AS r(workspace, model, latency, n)
      JOIN jsonb_array_elements($4::jsonb) WITH ORDINALITY AS i(value, n) USING (n)
      JOIN jsonb_array_elements($5::jsonb) WITH ORDINALITY AS o(value, n) USING (n)
      ORDER BY n
      RETURNING id::text AS id, (extract(epoch FROM "createdAt") * 1000)::float8 AS "createdMs"`;
    const values = [
      entries.map((e) => e.workspaceId),
      entries.map((e) => e.modelId),
      entries.map((e) => e.latencyMs),
      JSON.stringify(entries.map((e) => e.input)),
      JSON.stringify(entries.map((e) => e.output)),
    ];
    if (this.pool) return (await this.pool.query<{ id: string; createdMs: number }>(sql, values)).rows;
    return this.prisma.$queryRawUnsafe(sql, ...values);
  }
}

/** SQLSTATE classes caused by a row's values: 22 data exception, 23 integrity constraint violation. */
const ROW_ERRORS = /^2[23]/;

/** The SQLSTATE of a failed statement: pg's error, or the one inside Prisma's raw-query error (P2010, on PGlite). */
function sqlStateOf(error: unknown): string | undefined {
  const e = error as { name?: unknown; code?: unknown; meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } } | null;
  const code = typeof e?.name === "string" && e.name.startsWith("PrismaClient") ? e.meta?.driverAdapterError?.cause?.originalCode : e?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
