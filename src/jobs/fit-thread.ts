/**
 * A fit in a worker thread. Fitting is CPU-bound and synchronous; on the main thread it would
 * stop the process from answering requests, beating the job's heartbeat and hearing a
 * cancellation. Here the main thread stays free: `cancel()` raises a shared flag the solvers
 * check between iterations, and a thread that does not stop within the grace period (a
 * closed-form solve has no iterations to check between) is terminated.
 */
import { Worker } from "node:worker_threads";
import { DomainError, type ErrorCode } from "../core/errors.ts";
import type { FitRequest, FitResult } from "../services/fitting.ts";
import type { JobProgress } from "./progress.ts";

export interface FitThreadInput {
  request: Omit<FitRequest, "budget" | "control" | "hyperparameters">;
  hyperparameters: Record<string, unknown>;
  /** Int32 flag: 1 = cancelled */
  cancel: SharedArrayBuffer;
  budgetSeconds?: number;
}

export type FitThreadMessage =
  | { type: "progress"; progress: JobProgress }
  | { type: "done"; result: FitResult }
  | { type: "error"; error: { name: string; message: string; code?: ErrorCode; details?: Record<string, unknown>; stack?: string } };

/** The fit itself failed (the solver or the data), as opposed to the thread or the machine. */
export class FitError extends Error {
  constructor(message: string, readonly causeStack?: string) {
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

/**
 * The thread loads our TypeScript through tsx's API, as the process itself is run by tsx
 * (Node 20 does not apply `--import` loader hooks to a worker's entry module).
 */
const BOOTSTRAP = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then(({ tsImport }) => tsImport(${JSON.stringify(
  new URL("./fit-thread-entry.ts", import.meta.url).href,
)}, ${JSON.stringify(import.meta.url)}))`;
const CANCEL_GRACE_MS = 5000;

export class FitThread {
  private readonly flag = new SharedArrayBuffer(4);
  private readonly worker: Worker;
  private abortReason: string | undefined;
  readonly result: Promise<FitResult>;

  constructor(input: Omit<FitThreadInput, "cancel">, onProgress: (progress: JobProgress) => void) {
    this.worker = new Worker(BOOTSTRAP, { eval: true, workerData: { ...input, cancel: this.flag } satisfies FitThreadInput });
    this.result = new Promise<FitResult>((resolve, reject) => {
      let settled = false;
      const settle = (action: () => void) => {
        if (settled) return;
        settled = true;
        action();
        void this.worker.terminate();
      };
      this.worker.on("message", (message: FitThreadMessage) => {
        if (message.type === "progress") onProgress(message.progress);
        else if (message.type === "done") settle(() => resolve(message.result));
        else settle(() => reject(this.abortReason ? new FitAbortedError(this.abortReason) : revive(message.error)));
      });
      this.worker.on("error", (error) => settle(() => reject(this.abortReason ? new FitAbortedError(this.abortReason) : error)));
      this.worker.on("exit", (code) =>
        settle(() => reject(this.abortReason ? new FitAbortedError(this.abortReason) : new Error(`fit thread exited with code ${code} before answering`))),
      );
    });
  }

  /** Stop the fit: the solver sees the flag at its next iteration; after the grace period the thread is ended. */
  cancel(reason: string): void {
    if (this.abortReason) return;
    this.abortReason = reason;
    Atomics.store(new Int32Array(this.flag), 0, 1);
    const timer = setTimeout(() => void this.worker.terminate(), CANCEL_GRACE_MS);
    timer.unref();
    this.result.catch(() => {}).finally(() => clearTimeout(timer));
  }
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
