/**
 * The durable prediction log, written by group commit: predictions that arrive while an
 * INSERT is in flight wait for it, then go together in the next one. Each caller's promise
 * settles only after the INSERT holding its rows has committed, so an acknowledged
 * prediction is always in Postgres, while under load many requests share one round trip and
 * one WAL flush (the technique of database group commit, applied one level up).
 *
 * A failed INSERT fails every request in its group (none of them is acknowledged).
 */
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { PredictionRecord } from "./predictions.ts";
import type { PredictionOutput } from "./served-model.ts";

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

/** Upper bound on rows per INSERT (Postgres allows 65535 bind parameters; 5 per row). */
const MAX_ROWS_PER_INSERT = 10_000;

export class PredictionLog {
  private queue: Pending[] = [];
  private flushing = false;
  /** INSERT statements issued, and rows written (for tests and /metrics). */
  readonly stats = { inserts: 0, rows: 0 };

  constructor(private readonly prisma: PrismaClient) {}

  /** Resolves with the logged rows, in the order given, once they are committed. */
  append(entries: LogEntry[]): Promise<PredictionRecord[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ entries, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        // Take whole requests up to the row bound (a request is never split across INSERTs).
        const group: Pending[] = [];
        let rows = 0;
        while (this.queue.length > 0 && (group.length === 0 || rows + this.queue[0].entries.length <= MAX_ROWS_PER_INSERT)) {
          const next = this.queue.shift()!;
          group.push(next);
          rows += next.entries.length;
        }
        await this.write(group);
      }
    } finally {
      this.flushing = false;
    }
  }

  private async write(group: Pending[]): Promise<void> {
    try {
      // One statement with five array parameters, whatever the row count: Prisma's
      // createManyAndReturn builds (and compiles) a statement per row count, which cost most of
      // a batch request's time (README, Performance: Batch). Ids come from one sequence in the
      // order unnest yields the rows.
      const entries = group.flatMap((p) => p.entries);
      const written = await this.prisma.$queryRaw<PredictionRecord[]>`
        INSERT INTO "Prediction" ("workspaceId", "modelId", "input", "output", "latencyMs")
        SELECT * FROM unnest(
          ${entries.map((e) => e.workspaceId)}::uuid[],
          ${entries.map((e) => e.modelId)}::uuid[],
          ${entries.map((e) => JSON.stringify(e.input))}::jsonb[],
          ${entries.map((e) => JSON.stringify(e.output))}::jsonb[],
          ${entries.map((e) => e.latencyMs)}::float8[])
        RETURNING id, "modelId", "input", "output", "latencyMs", "createdAt"`;
      this.stats.inserts++;
      this.stats.rows += written.length;
      // Ids come from one sequence in VALUES order: sorting restores the order of `data`.
      const rows = written.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      let offset = 0;
      for (const p of group) {
        p.resolve(rows.slice(offset, offset + p.entries.length));
        offset += p.entries.length;
      }
    } catch (e) {
      for (const p of group) p.reject(e);
    }
  }
}
