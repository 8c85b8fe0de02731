/**
 * Fits in worker threads. Fitting is CPU-bound and synchronous; on the main thread it would
 * stop the process from answering requests, beating the jobs' heartbeats and hearing a
 * cancellation. Threads are kept warm between fits (starting one loads and compiles the
 * math core, ≈ 1 s). `cancel()` raises the thread's shared flag, which the solvers check
 * between iterations; a thread that does not stop within the grace period (a closed-form
 * solve has no iterations to check between) is terminated and replaced.
 */
import { randomUUID } from "node:crypto";
import { Worker } from "node:worker_threads";
import { DomainError, type ErrorCode } from "../core/errors.ts";
import type { FitRequest, FitResult, TrialScore } from "../services/training/fitting.ts";
import type { JobProgress } from "./progress.ts";

export interface FitInput {
  request: Omit<FitRequest, "budget" | "control" | "hyperparameters">;
  hyperparameters: Record<string, unknown>;
  budgetSeconds?: number;
  /** a search instead of a fit: every candidate scored by cross-validation (result: { trials }) */
  search?: { candidates: Record<string, unknown>[]; folds: number; metric: string };
}

export interface FitJob extends FitInput {
  id: string;
}

export type FitThreadMessage =
  | { type: "progress"; id: string; progress: JobProgress }
  | { type: "done"; id: string; result: FitResult | { trials: TrialScore[] }; retainedBytes?: number }
  | { type: "error"; id: string; error: { name: string; message: string; code?: ErrorCode; details?: Record<string, unknown>; stack?: string }; retainedBytes?: number };

/** The fit itself failed (the solver or the data), as opposed to the thread or the machine. */
export class FitError extends Error {
  constructor(
    message: string,
    readonly causeStack?: string,
  ) {
    super(message);
    this.name = "FitError";
  }
}

/** The fit was stopped by `cancel()`, through the flag or by termination. */
export class FitAbortedError extends Error {
  constructor(readonly reason: string) {
    super(`fit aborted: ${reason}`);
    this.name = "FitAbortedError";
  }
}

export interface RunningFit<T = FitResult> {
  result: Promise<T>;
  /** Stop the fit: the solver sees the flag at its next iteration; after the grace period the thread is ended. */
  cancel(reason: string): void;
}

/**
 * The thread loads our TypeScript through tsx's API, as the process itself is run by tsx
 * (Node 20 does not apply `--import` loader hooks to a worker's entry module).
 */
const BOOTSTRAP = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then(({ tsImport }) => tsImport(${JSON.stringify(
  new URL("./fit-thread-entry.ts", import.meta.url).href,
)}, ${JSON.stringify(import.meta.url)}))`;
const CANCEL_GRACE_MS = 5000;
/**
 * A thread still holding more than this outside its heap when a fit ends (an SVM's kernel
 * cache, up to cache_size MB; the columns) is replaced rather than kept warm: idle, it would
 * never collect that garbage (a 7000-row SVM left ~250 MB held after it finished or was
 * cancelled). A fresh thread costs ≈ 1 s of start-up, in the background.
 */
export const RECYCLE_RETAINED_BYTES = 128 * 2 ** 20;

interface Thread {
  worker: Worker;
  flag: Int32Array;
}

export class FitThreads {
  private readonly idle: Thread[] = [];
  private closed = false;

  /**
   * @param warm threads kept ready between fits (the worker's concurrency)
   * @param recycleRetainedBytes replace a thread that still holds more than this outside its heap after a fit
   */
  constructor(
    private readonly warm: number,
    private readonly recycleRetainedBytes = RECYCLE_RETAINED_BYTES,
  ) {}

  /** Thread ids of the warm threads waiting for a fit (to tell a reused thread from a fresh one). */
  idleThreadIds(): number[] {
    return this.idle.map((t) => t.worker.threadId);
  }

  /** Start the warm threads now, so that the first job does not wait for one. */
  prestart(): void {
    while (this.idle.length < this.warm) this.idle.push(this.spawn());
  }

  /**
   * Fit `input` on a warm thread. With `handOver`, the columns' memory moves to the thread
   * (transferred, not copied: a structured clone of 1M × 21 values took ~0.2 s between the
   * two threads) and the caller's arrays are left empty.
   */
  run(input: FitInput & { search?: undefined }, onProgress: (progress: JobProgress) => void, options?: RunOptions): RunningFit<FitResult>;
  run(input: FitInput & { search: NonNullable<FitInput["search"]> }, onProgress: (progress: JobProgress) => void, options?: RunOptions): RunningFit<{ trials: TrialScore[] }>;
  run(input: FitInput, onProgress: (progress: JobProgress) => void, { handOver = false }: RunOptions = {}): RunningFit<unknown> {
    const thread = this.idle.pop() ?? this.spawn();
    const id = randomUUID();
    Atomics.store(thread.flag, 0, 0);
    let abortReason: string | undefined;
    let settled = false;
    let grace: NodeJS.Timeout | undefined;
    const result = new Promise<unknown>((resolve, reject) => {
      /** reuse: back to the warm threads; recycle: replaced by a fresh one (its memory); drop: it failed. */
      const finish = (action: () => void, next: "reuse" | "recycle" | "drop") => {
        if (settled) return;
        settled = true;
        clearTimeout(grace);
        thread.worker.off("message", onMessage).off("error", onError).off("exit", onExit);
        if (next === "reuse" && !this.closed && this.idle.length < this.warm) this.idle.push(thread);
        else {
          void thread.worker.terminate();
          // A thread recycled for its memory is replaced now, so that the next fit need not wait for one.
          if (next === "recycle" && !this.closed && this.idle.length < this.warm) this.idle.push(this.spawn());
        }
        action();
      };
      const aborted = () => new FitAbortedError(abortReason!);
      const onMessage = (message: FitThreadMessage) => {
        if (message.id !== id) return;
        if (message.type === "progress") return onProgress(message.progress);
        // A cancelled fit's thread is replaced whatever it reports: cancelling asks for the resources back.
        const keep = abortReason === undefined && (message.retainedBytes ?? 0) <= this.recycleRetainedBytes ? "reuse" : "recycle";
        if (message.type === "done") finish(() => resolve(message.result), keep);
        else finish(() => reject(abortReason ? aborted() : revive(message.error)), keep);
      };
      const onError = (error: Error) => finish(() => reject(abortReason ? aborted() : error), "drop");
      const onExit = (code: number) => finish(() => reject(abortReason ? aborted() : new Error(`fit thread exited with code ${code} before answering`)), "drop");
      thread.worker.on("message", onMessage).on("error", onError).on("exit", onExit);
    });
    thread.worker.postMessage({ id, ...input } satisfies FitJob, handOver ? columnBuffers(input.request) : []);
    return {
      result,
      cancel: (reason) => {
        if (abortReason || settled) return;
        abortReason = reason;
        Atomics.store(thread.flag, 0, 1);
        grace = setTimeout(() => void thread.worker.terminate(), CANCEL_GRACE_MS);
        grace.unref();
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.idle.splice(0).map((t) => t.worker.terminate()));
  }

  private spawn(): Thread {
    const cancel = new SharedArrayBuffer(4);
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { cancel } });
    // An idle thread that dies is simply not reused.
    worker.on("error", () => {});
    worker.on("exit", () => {
      const at = this.idle.findIndex((t) => t.worker === worker);
      if (at >= 0) this.idle.splice(at, 1);
    });
    worker.unref();
    return { worker, flag: new Int32Array(cancel) };
  }
}

export interface RunOptions {
  /** move the request's column arrays to the thread instead of copying them (the caller is done with them) */
  handOver?: boolean;
}

/** The distinct transferable buffers under a request's columns (shared memory is already shared). */
function columnBuffers(request: FitInput["request"]): ArrayBuffer[] {
  const columns = [request.target, ...request.features, ...(request.inputs ?? [])];
  const buffers = new Set<ArrayBuffer>();
  for (const column of columns) if (column.values.buffer instanceof ArrayBuffer) buffers.add(column.values.buffer);
  return [...buffers];
}

/** Errors cross the thread boundary as plain data: domain errors come back as themselves. */
function revive(error: { name: string; message: string; code?: ErrorCode; details?: Record<string, unknown>; stack?: string }): Error {
  if (error.code) {
    const revived = new DomainError(error.code, error.message, error.details ?? {});
    Object.defineProperty(revived, "name", { value: error.name });
    return revived;
  }
  return new FitError(error.message, error.stack);
}
