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
import type { TrainingJobs } from "../services/training/training-jobs.ts";
import type { SearchJobs } from "../services/training/search-jobs.ts";
import type { LostTry } from "../services/training/job-rows.ts";
import type { FitResult, TrialScore } from "../services/training/fitting.ts";
import type { TrainingPlan } from "../services/training/training.ts";
import type { Algorithm } from "../core/estimators/index.ts";
import { DomainError } from "../core/errors.ts";
import { isDatabaseUnavailable } from "../data/availability.ts";
import { FitAbortedError, FitError, FitThreads, type FitInput } from "./fit-thread.ts";
import type { JobQueue, ClaimedJob } from "./queue.ts";
import type { JobProgress } from "./progress.ts";

/**
 * What the worker needs of a kind of job (a training, a search), so that claiming, beating,
 * settling and reaping are written once.
 */
interface JobKind<C> {
  noun: string;
  claim(id: string): Promise<C | null>;
  lostTry(claim: C): LostTry;
  heartbeat(claim: C, progress: JobProgress | undefined): Promise<boolean>;
  /** read the data and say what the fit thread runs */
  input(claim: C, budgetSeconds: number): Promise<FitInput>;
  onProgress(claim: C, progress: JobProgress): void;
  succeed(claim: C, result: unknown): Promise<unknown>;
  fail(claim: C, reason: string): Promise<void>;
  stale(staleSeconds: number): Promise<LostTry[]>;
  recoverLost(lost: LostTry, reason: string): Promise<"retry" | "failed" | "skipped">;
}

/** A plan's fit request as a fit thread takes it: the budget and hooks are the thread's own. */
function threadRequest(plan: TrainingPlan, algorithm: Algorithm): FitInput["request"] {
  const { budget: _budget, control: _control, hyperparameters: _hyperparameters, ...request } = plan.request(algorithm);
  return request;
}

function trainingKind(jobs: TrainingJobs): JobKind<Awaited<ReturnType<TrainingJobs["claim"]>> & object> {
  return {
    noun: "training",
    claim: (id) => jobs.claim(id),
    lostTry: (c) => ({ id: c.model.id, workspaceId: c.model.workspaceId, attempts: c.attempt, jobId: c.model.jobId }),
    heartbeat: (c, p) => jobs.heartbeat(c, p),
    input: async (c, budgetSeconds) => ({
      request: threadRequest(await jobs.plan(c), c.input.algorithm),
      hyperparameters: c.model.hyperparameters as Record<string, unknown>,
      budgetSeconds,
    }),
    onProgress: (c, p) => jobs.publishProgress(c, p),
    succeed: (c, result) => jobs.succeed(c, result as FitResult),
    fail: (c, reason) => jobs.fail(c, reason),
    stale: (s) => jobs.stale(s),
    recoverLost: (lost, reason) => jobs.recoverLost(lost, reason),
  };
}

function searchKind(searches: SearchJobs): JobKind<Awaited<ReturnType<SearchJobs["claim"]>> & object> {
  return {
    noun: "search",
    claim: (id) => searches.claim(id),
    lostTry: (c) => ({ id: c.search.id, workspaceId: c.search.workspaceId, attempts: c.attempt, jobId: c.search.jobId }),
    heartbeat: (c, p) => searches.heartbeat(c, p),
    input: async (c, budgetSeconds) => {
      const { algorithm, candidates, folds, metric } = c.request;
      return { request: threadRequest(await searches.plan(c), algorithm), hyperparameters: {}, budgetSeconds, search: { candidates, folds, metric } };
    },
    onProgress: () => {},
    succeed: (c, result) => searches.succeed(c, (result as { trials: TrialScore[] }).trials),
    fail: (c, reason) => searches.fail(c, reason),
    stale: (s) => searches.stale(s),
    recoverLost: (lost, reason) => searches.recoverLost(lost, reason),
  };
}

export interface WorkerOptions {
  /** jobs run at once by this process (WORKERS) */
  concurrency: number;
  /** a TRAINING model whose heartbeat is older than this is presumed lost (JOB_STALE_SECONDS) */
  staleSeconds: number;
  /** on stop(), how long running fits may go on before they are requeued (SHUTDOWN_GRACE_SECONDS) */
  graceSeconds: number;
  /** MAX_TRAINING_SECONDS */
  maxTrainingSeconds: number;
  /** how long a try waits for an unreachable database to store its outcome (default 60 s) */
  outageSeconds?: number;
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/**
 * Run `write`, again every second while the database is unreachable, for up to `seconds`;
 * any other error, or an outage longer than that, is thrown.
 */
async function whileDatabaseAway<T>(write: () => Promise<T>, seconds = 60): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      return await write();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

const HEARTBEAT_MS = 1000;
const REAPER_MS = 5000;

interface Running {
  thread?: { cancel(reason: string): void };
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
  private readonly threads: FitThreads;

  // Each kind has its own claim type; the worker only hands a kind's claims back to it.
  private readonly trainings: JobKind<any>;
  private readonly searches: JobKind<any>;

  constructor(
    jobs: TrainingJobs,
    searches: SearchJobs,
    private readonly queue: JobQueue,
    private readonly events: EventBus,
    private readonly options: WorkerOptions,
  ) {
    this.threads = new FitThreads(options.concurrency);
    this.trainings = trainingKind(jobs);
    this.searches = searchKind(searches);
  }

  async start(): Promise<void> {
    if (this.options.concurrency > 0) {
      this.threads.prestart();
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

  private run(job: ClaimedJob): Promise<void> {
    return job.data.modelId ? this.runKind(this.trainings, job.data.modelId) : this.runKind(this.searches, job.data.searchId!);
  }

  private async runKind<C>(kind: JobKind<C>, id: string): Promise<void> {
    const claim = await kind.claim(id);
    if (!claim) return; // cancelled or deleted while queued: nothing to do
    const running: Running = {};
    this.running.set(id, running);
    let latest: JobProgress | undefined;
    const beat = setInterval(() => {
      kind
        .heartbeat(claim, latest)
        .then((owned) => {
          if (!owned) running.thread?.cancel("lost");
        })
        .catch(() => {}); // a missed beat is not a lost job; the reaper's threshold allows for several
    }, HEARTBEAT_MS);
    try {
      const input = await kind.input(claim, this.options.maxTrainingSeconds);
      // The columns were read for this fit alone: they move to the thread rather than being copied.
      const fit = this.threads.run(
        input as FitInput & { search: undefined },
        (progress) => {
          latest = progress;
          kind.onProgress(claim, progress);
        },
        { handOver: true },
      );
      running.thread = fit;
      if (this.givingUp) running.abort = "shutdown";
      if (running.abort) fit.cancel(running.abort);
      const result = await fit.result;
      // A finished fit is worth waiting for the database to come back for.
      await whileDatabaseAway(() => kind.succeed(claim, result), this.options.outageSeconds);
    } catch (error) {
      await this.settle(kind, claim, running, error);
    } finally {
      clearInterval(beat);
      this.running.delete(id);
    }
  }

  /**
   * Decide what a try that threw means for its job (see the header). A try to retry is handed
   * back to the queue explicitly (not by throwing from the handler: a handler that ends after
   * its pg-boss worker was stopped, at shutdown, would leave the job active until it expires).
   */
  private async settle<C>(kind: JobKind<C>, claim: C, running: Running, error: unknown): Promise<void> {
    const lost = kind.lostTry(claim);
    if (error instanceof FitAbortedError && error.reason !== "shutdown") return; // cancelled, or reaped: the row says so
    if (running.abort === "shutdown" || (error instanceof FitAbortedError && error.reason === "shutdown")) {
      await kind.recoverLost(lost, `The worker shut down during the ${kind.noun}; the job was requeued.`).catch(() => {});
      return;
    }
    if (error instanceof DomainError || error instanceof FitError) {
      await kind.fail(claim, error.message);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.options.log?.error({ err: error, id: lost.id, attempt: lost.attempts }, `${kind.noun} attempt failed`);
    // Handing the try back needs the database too; the handler holds its job (active) meanwhile.
    await whileDatabaseAway(() => kind.recoverLost(lost, `Attempt ${lost.attempts} failed (${message}).`), this.options.outageSeconds).catch(() => {});
  }

  /** Tries whose worker died: back to the queue. Several processes may reap at once; fencing makes it safe. */
  private async reap(): Promise<void> {
    for (const kind of [this.trainings, this.searches]) {
      try {
        for (const lost of await kind.stale(this.options.staleSeconds)) {
          if (this.running.has(lost.id)) continue; // ours, and alive: its beats are just late
          const outcome = await kind.recoverLost(lost, `The worker running this ${kind.noun} stopped responding (attempt ${lost.attempts}).`);
          if (outcome !== "skipped") this.options.log?.warn({ id: lost.id, attempt: lost.attempts, outcome }, `recovered a ${kind.noun} job whose worker was lost`);
        }
      } catch {
        // the database is away; the next round tries again
      }
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
      await this.threads.close();
    })();
    return this.stopping;
  }
}
