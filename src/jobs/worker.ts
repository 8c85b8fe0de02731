/**
 * The training worker: takes jobs from the queue, fits each in a worker thread, keeps the
 * model's heartbeat, and stores the outcome. It runs inside `npm start` (WORKERS, default 1)
 * and alone as `npm run worker`, on any machine that reaches the database.
 *
 * Failures, by kind:
 * - the data or the solver (a DomainError or FitError): FAILED with the reason, no retry;
 * - the try itself (database error, thread crash): back to QUEUED, and the queue retries with
 *   backoff until its retry limit (JOB_RETRY_LIMIT), then FAILED;
 * - the worker dies (SIGKILL, a lost machine): its heartbeat goes stale, and the reaper of any
 *   live worker hands the job back to the queue's retry (TrainingJobs.recoverLost);
 * - cancelTraining: the fit stops at its next iteration and the job ends;
 * - SIGTERM (`stop()`): no new jobs; the running fits get `graceSeconds` to finish, then are
 *   stopped and requeued for another worker.
 */
import type { EventBus } from "../services/events.ts";
import type { Claim, TrainingJobs } from "../services/training-jobs.ts";
import { DomainError } from "../core/errors.ts";
import { FitAbortedError, FitError, FitThread } from "./fit-thread.ts";
import type { JobQueue, ClaimedJob } from "./queue.ts";
import type { JobProgress } from "./progress.ts";

export interface WorkerOptions {
  /** jobs run at once by this process (WORKERS) */
  concurrency: number;
  /** a TRAINING model whose heartbeat is older than this is presumed lost (JOB_STALE_SECONDS) */
  staleSeconds: number;
  /** on stop(), how long running fits may go on before they are requeued (SHUTDOWN_GRACE_SECONDS) */
  graceSeconds: number;
  /** MAX_TRAINING_SECONDS */
  maxTrainingSeconds: number;
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

const HEARTBEAT_MS = 1000;
const REAPER_MS = 5000;

interface Running {
  claim: Claim;
  thread?: FitThread;
  /** set when this worker gave the try up (shutdown) rather than the user or the reaper */
  abort?: "shutdown";
}

export class TrainingWorker {
  private readonly running = new Map<string, Running>();
  /** every handler from its first line (a claim in flight is not yet in `running`) */
  private readonly inFlight = new Set<Promise<void>>();
  /** set once the grace period is over: fits still running, or about to start, are given up */
  private givingUp = false;
  private readonly controller = new AbortController();
  private reaper: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly jobs: TrainingJobs,
    private readonly queue: JobQueue,
    private readonly events: EventBus,
    private readonly options: WorkerOptions,
  ) {}

  async start(): Promise<void> {
    if (this.options.concurrency > 0) {
      await this.queue.work(this.options.concurrency, (job) => this.track(this.run(job)));
      void this.listen();
    }
    // Every process with the queue reaps, even with WORKERS=0: a lone API node still notices
    // that the worker machine died.
    this.reaper = setInterval(() => void this.reap(), REAPER_MS);
    this.reaper.unref();
  }

  /** Jobs are announced (CREATED) so an idle worker starts at once; cancellations reach a running fit. */
  private async listen(): Promise<void> {
    for await (const event of this.events.subscribe((e) => e.type === "CREATED" || e.type === "CANCELLED", this.controller.signal)) {
      if (event.type === "CREATED") this.queue.wake();
      else this.running.get(event.modelId)?.thread?.cancel("cancelled");
    }
  }

  private async track(handler: Promise<void>): Promise<void> {
    this.inFlight.add(handler);
    try {
      await handler;
    } finally {
      this.inFlight.delete(handler);
    }
  }

  private async run(job: ClaimedJob): Promise<void> {
    const claim = await this.jobs.claim(job.data.modelId);
    if (!claim) return; // cancelled or deleted while queued: nothing to do
    const running: Running = { claim };
    this.running.set(claim.model.id, running);
    let latest: JobProgress | undefined;
    const beat = setInterval(() => {
      this.jobs
        .heartbeat(claim, latest)
        .then((owned) => {
          if (!owned) running.thread?.cancel("lost");
        })
        .catch(() => {}); // a missed beat is not a lost job; the reaper's threshold allows for several
    }, HEARTBEAT_MS);
    try {
      const plan = await this.jobs.plan(claim);
      const { budget: _budget, control: _control, hyperparameters: _h, ...request } = plan.request(claim.model.algorithm as never);
      running.thread = new FitThread(
        { request, hyperparameters: claim.model.hyperparameters as Record<string, unknown>, budgetSeconds: this.options.maxTrainingSeconds },
        (progress) => {
          latest = progress;
          this.jobs.publishProgress(claim, progress);
        },
      );
      if (this.givingUp) running.abort = "shutdown";
      if (running.abort) running.thread.cancel(running.abort);
      const fitted = await running.thread.result;
      await this.jobs.succeed(claim, fitted);
    } catch (error) {
      await this.settle(running, error);
    } finally {
      clearInterval(beat);
      this.running.delete(claim.model.id);
    }
  }

  /**
   * Decide what a try that threw means for its job (see the header). A try to retry is handed
   * back to the queue explicitly (not by throwing from the handler: a handler that ends after
   * its pg-boss worker was stopped, at shutdown, would leave the job active until it expires).
   */
  private async settle(running: Running, error: unknown): Promise<void> {
    const { claim } = running;
    const lost = { id: claim.model.id, workspaceId: claim.model.workspaceId, attempts: claim.attempt, jobId: claim.model.jobId };
    if (error instanceof FitAbortedError && error.reason !== "shutdown") return; // cancelled, or reaped: the row says so
    if (running.abort === "shutdown" || (error instanceof FitAbortedError && error.reason === "shutdown")) {
      await this.jobs.recoverLost(lost, "The worker shut down during training; the job was requeued.").catch(() => {});
      return;
    }
    if (error instanceof DomainError || error instanceof FitError) {
      await this.jobs.fail(claim, error.message);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.options.log?.error({ err: error, modelId: claim.model.id, attempt: claim.attempt }, "training attempt failed");
    await this.jobs.recoverLost(lost, `Attempt ${claim.attempt} failed (${message}).`).catch(() => {});
  }

  /** Tries whose worker died: back to the queue. Several processes may reap at once; fencing makes it safe. */
  private async reap(): Promise<void> {
    try {
      for (const lost of await this.jobs.stale(this.options.staleSeconds)) {
        if (this.running.has(lost.id)) continue; // ours, and alive: its beats are just late
        const outcome = await this.jobs.recoverLost(lost, `The worker training this model stopped responding (attempt ${lost.attempts}).`);
        if (outcome !== "skipped") this.options.log?.warn({ modelId: lost.id, attempt: lost.attempts, outcome }, "recovered a training job whose worker was lost");
      }
    } catch {
      // the database is away; the next round tries again
    }
  }

  /** Graceful stop: take no new job, give running fits `graceSeconds`, then requeue them. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.reaper);
      await this.queue.stopFetching();
      const grace = new Promise((r) => setTimeout(r, this.options.graceSeconds * 1000).unref());
      await Promise.race([Promise.allSettled([...this.inFlight]), grace]);
      this.givingUp = true;
      for (const running of this.running.values()) {
        running.abort = "shutdown";
        running.thread?.cancel("shutdown");
      }
      await Promise.allSettled([...this.inFlight]);
      this.controller.abort();
    })();
    return this.stopping;
  }
}
