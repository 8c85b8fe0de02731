/**
 * The life of a job as its row sees it, shared by training jobs (the Model row) and searches
 * (the Search row): QUEUED → TRAINING → READY | FAILED | CANCELLED, and TRAINING → QUEUED when
 * a try is lost. A claim increments `attempts`, and every later write of that try is
 * conditioned on it (a fencing token, Kleppmann, "How to do distributed locking", 2016): a
 * worker presumed dead, or whose job was cancelled, cannot overwrite what happened since.
 */
import { Prisma, type PrismaClient } from "../../generated/prisma/client.ts";
import type { JobQueue } from "../../jobs/queue.ts";

export type JobTable = "Model" | "Search";

export interface LostTry {
  id: string;
  workspaceId: string;
  attempts: number;
  jobId: string | null;
}

export class JobRows {
  private readonly table: Prisma.Sql;
  /** Model keeps an updatedAt that raw SQL must set itself */
  private readonly touch: Prisma.Sql;

  constructor(
    private readonly prisma: PrismaClient,
    table: JobTable,
  ) {
    this.table = Prisma.raw(`"${table}"`);
    this.touch = Prisma.raw(table === "Model" ? `, "updatedAt" = now()` : "");
  }

  /** QUEUED (or TRAINING left by a lost try) → TRAINING; the try's attempt number, or null when there is nothing to run. */
  async claim(id: string): Promise<number | null> {
    const rows = await this.prisma.$queryRaw<{ attempts: number }[]>`
      UPDATE ${this.table}
         SET status = 'TRAINING', attempts = attempts + 1, "startedAt" = now(), "heartbeatAt" = now(), progress = NULL ${this.touch}
       WHERE id = ${id}::uuid AND status IN ('QUEUED', 'TRAINING')
   RETURNING attempts`;
    return rows[0]?.attempts ?? null;
  }

  /** The try is alive (and where it is). False when it no longer owns the row (cancelled, reaped, deleted). */
  async heartbeat(id: string, attempt: number, progress?: object): Promise<boolean> {
    const set = progress === undefined ? Prisma.empty : Prisma.sql`, progress = ${JSON.stringify(progress)}::jsonb`;
    return (
      (await this.prisma.$executeRaw`
        UPDATE ${this.table} SET "heartbeatAt" = now() ${set}
         WHERE id = ${id}::uuid AND attempts = ${attempt} AND status = 'TRAINING'`) === 1
    );
  }

  /** The try ended the job: FAILED with the reason. False when it no longer owned the row. */
  async fail(id: string, attempt: number, reason: string): Promise<boolean> {
    return (
      (await this.prisma.$executeRaw`
        UPDATE ${this.table} SET status = 'FAILED', error = ${reason}, "finishedAt" = now() ${this.touch}
         WHERE id = ${id}::uuid AND attempts = ${attempt} AND status = 'TRAINING'`) === 1
    );
  }

  /** QUEUED or TRAINING → CANCELLED. False when the job had already ended. */
  async cancel(id: string): Promise<boolean> {
    return (
      (await this.prisma.$executeRaw`
        UPDATE ${this.table} SET status = 'CANCELLED', error = 'Cancelled.', "finishedAt" = now() ${this.touch}
         WHERE id = ${id}::uuid AND status IN ('QUEUED', 'TRAINING')`) === 1
    );
  }

  /** Tries whose worker stopped beating `staleSeconds` ago: it died (SIGKILL, a lost machine). */
  stale(staleSeconds: number): Promise<LostTry[]> {
    return this.prisma.$queryRaw<LostTry[]>`
      SELECT id::text AS id, "workspaceId"::text AS "workspaceId", attempts, "jobId"
        FROM ${this.table}
       WHERE status = 'TRAINING' AND "heartbeatAt" < now() - make_interval(secs => ${staleSeconds})
       LIMIT 100`;
  }

  /**
   * Hand a try that will not finish back (its worker died or shut down, or it hit an error
   * that is not the data's): the row to QUEUED and the job to the queue's retry (with
   * backoff), or FAILED when its attempts are used up.
   */
  async recoverLost(queue: JobQueue, lost: LostTry, reason: string): Promise<"retry" | "failed" | "skipped"> {
    const requeued = await this.prisma.$executeRaw`
      UPDATE ${this.table} SET status = 'QUEUED', error = ${reason}, "heartbeatAt" = NULL ${this.touch}
       WHERE id = ${lost.id}::uuid AND attempts = ${lost.attempts} AND status = 'TRAINING'`;
    if (requeued === 0) return "skipped";
    const state = lost.jobId ? await queue.failLost(lost.jobId, reason) : "failed";
    if (state === "retry" || state === "created") return "retry";
    await this.prisma.$executeRaw`
      UPDATE ${this.table} SET status = 'FAILED', error = ${`${reason} No attempts are left.`}, "finishedAt" = now() ${this.touch}
       WHERE id = ${lost.id}::uuid AND attempts = ${lost.attempts} AND status = 'QUEUED'`;
    return "failed";
  }
}
