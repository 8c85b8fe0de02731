/**
 * The training queue: pg-boss (a maintained Postgres-backed job queue: SKIP LOCKED fetches,
 * retries with exponential backoff, its own schema) on the application's database. On a
 * real Postgres it opens its own small pool; on the embedded PGlite it shares the one
 * instance through pg-boss's `db` adapter.
 *
 * The queue carries only the row's id (a Model's, or a Search's): the request to run is the
 * row's `request`, so the row, not the queue, is the source of truth a user sees (status,
 * attempts, error).
 */
import PgBoss from "pg-boss";
import type { PGlite } from "@electric-sql/pglite";
import type { Database } from "../data/database.ts";

export const TRAINING_QUEUE = "train-model";

/** What a job trains: one model version, or a hyperparameter search. */
export type TrainingJobData = { modelId: string; searchId?: undefined } | { searchId: string; modelId?: undefined };

export interface QueueOptions {
  /** Postgres schema holding pg-boss's tables (JOBS_SCHEMA, default "pgboss"). */
  schema?: string;
  /** Retries after the first attempt (JOB_RETRY_LIMIT, default 3), with exponential backoff from retryDelaySeconds. */
  retryLimit?: number;
  retryDelaySeconds?: number;
  /**
   * pg-boss's own limit on one attempt. Our reaper (worker.ts) notices a dead worker long
   * before this through the model's heartbeat; this is the backstop for a job whose
   * heartbeat keeps beating but never ends.
   */
  expireInSeconds?: number;
  /** How often an idle worker polls for jobs; `wake()` (on a CREATED event) skips the wait. */
  pollingIntervalSeconds?: number;
}

export interface ClaimedJob {
  id: string;
  data: TrainingJobData;
  /** retries so far (0 on the first attempt) and allowed */
  retryCount: number;
  retryLimit: number;
}

export class JobQueue {
  private workerIds: string[] = [];
  private closed = false;

  private constructor(
    private readonly boss: PgBoss,
    readonly options: Required<QueueOptions>,
  ) {}

  static async open(database: Pick<Database, "url" | "pglite">, options: QueueOptions = {}): Promise<JobQueue> {
    const resolved: Required<QueueOptions> = {
      schema: options.schema ?? "pgboss",
      retryLimit: options.retryLimit ?? 3,
      retryDelaySeconds: options.retryDelaySeconds ?? 1,
      expireInSeconds: options.expireInSeconds ?? 3600,
      pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2,
    };
    const connection = database.url ? { connectionString: database.url, max: 4 } : { db: pgliteAdapter(database.pglite!) };
    const boss = new PgBoss({
      ...connection,
      schema: resolved.schema,
      // No cron schedules; maintenance (expiry, archiving) stays on.
      schedule: false,
    });
    // pg-boss reports background failures (maintenance during a database outage) as events;
    // unhandled, an EventEmitter "error" would end the process.
    boss.on("error", () => {});
    await boss.start();
    // Processes starting together on one schema can deadlock in pg-boss's create_queue (its
    // INSERT into the queue table and the partition it creates, taken in opposite orders; seen
    // once in CI as SQLSTATE 40P01): Postgres aborts one of them, which then simply tries again.
    for (let attempt = 1; ; attempt++) {
      try {
        await boss.createQueue(TRAINING_QUEUE, {
          name: TRAINING_QUEUE,
          retryLimit: resolved.retryLimit,
          retryDelay: resolved.retryDelaySeconds,
          retryBackoff: true,
          expireInSeconds: resolved.expireInSeconds,
        });
        break;
      } catch (error) {
        if ((error as { code?: unknown }).code !== "40P01" || attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt + Math.random() * 100));
      }
    }
    return new JobQueue(boss, resolved);
  }

  /** Enqueue the job of a stored QUEUED row under the job id the row already names. */
  async enqueue(data: TrainingJobData, jobId: string): Promise<void> {
    const id = await this.boss.send(TRAINING_QUEUE, data, { id: jobId });
    if (!id) throw new Error("the queue refused the job");
  }

  /**
   * Run `handler` for jobs, `concurrency` at a time. A handler that returns completes its
   * job; one that throws fails this attempt, and pg-boss retries it while attempts remain.
   */
  async work(concurrency: number, handler: (job: ClaimedJob) => Promise<void>): Promise<void> {
    for (let k = 0; k < concurrency; k++) {
      const id = await this.boss.work<TrainingJobData>(
        TRAINING_QUEUE,
        { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: this.options.pollingIntervalSeconds },
        async ([job]) => handler({ id: job.id, data: job.data, retryCount: job.retryCount, retryLimit: job.retryLimit }),
      );
      this.workerIds.push(id);
    }
  }

  /** Poll now instead of at the next interval (a job was just enqueued somewhere). */
  wake(): void {
    for (const id of this.workerIds) this.boss.notifyWorker(id);
  }

  /** Stop fetching new jobs; running handlers go on (graceful shutdown's first step). */
  async stopFetching(): Promise<void> {
    const ids = this.workerIds;
    this.workerIds = [];
    // offWork(name) waits for running handlers; offWork({ id }) per worker returns at once.
    await Promise.all(ids.map((id) => this.boss.offWork({ id }).catch(() => {})));
  }

  async cancel(jobId: string): Promise<void> {
    await this.boss.cancel(TRAINING_QUEUE, jobId);
  }

  /**
   * Fail an attempt whose worker died (its handler will never return): pg-boss schedules the
   * retry, or marks the job failed when none is left. Returns the job's state afterwards.
   */
  async failLost(jobId: string, reason: string): Promise<string | undefined> {
    await this.boss.fail(TRAINING_QUEUE, jobId, { reason });
    const job = await this.boss.getJobById(TRAINING_QUEUE, jobId);
    return job?.state;
  }

  async state(jobId: string): Promise<string | undefined> {
    return (await this.boss.getJobById(TRAINING_QUEUE, jobId))?.state;
  }

  /** Jobs waiting to run (created or waiting for a retry). */
  async depth(): Promise<number> {
    return this.boss.getQueueSize(TRAINING_QUEUE, { before: "active" });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.workerIds = [];
    // Handlers have been dealt with by the worker's shutdown; do not wait on them here.
    await this.boss.stop({ graceful: false, wait: true, close: true, timeout: 1000 }).catch(() => {});
  }
}

/**
 * pg-boss on PGlite: parameterless SQL may hold several statements (its migrations, its
 * locking transactions), which only `exec` runs; parameterized SQL is one statement.
 */
function pgliteAdapter(pglite: PGlite): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[] = []) {
      if (values.length > 0) return { rows: (await pglite.query(text, values)).rows as unknown[] as never[] };
      const results = await pglite.exec(text);
      return { rows: (results.at(-1)?.rows ?? []) as never[] };
    },
  };
}
