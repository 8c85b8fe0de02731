/**
 * Runs inside a worker thread (fit-thread.ts): one fit request, start to end, off the event
 * loop that answers HTTP and keeps the job's heartbeat. Progress goes back at most every
 * PROGRESS_INTERVAL_MS; cancellation is a shared flag the solvers read between iterations.
 */
import { parentPort, workerData } from "node:worker_threads";
import { DomainError } from "../core/errors.ts";
import { fitPrepared, prepare, type FitRequest } from "../services/fitting.ts";
import { ProgressMeter } from "./progress.ts";
import type { FitThreadInput, FitThreadMessage } from "./fit-thread.ts";

const PROGRESS_INTERVAL_MS = 100;

const { request, hyperparameters, cancel, budgetSeconds } = workerData as FitThreadInput;
const cancelled = new Int32Array(cancel);
const post = (message: FitThreadMessage) => parentPort!.postMessage(message);
const number = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const meter = new ProgressMeter(number(hyperparameters.tol), number(hyperparameters.max_iter));
let lastPost = 0;

try {
  const full: FitRequest = {
    ...request,
    hyperparameters,
    // performance.now() counts from this thread's start: the deadline is set here.
    budget: budgetSeconds ? { seconds: budgetSeconds, deadline: performance.now() + budgetSeconds * 1000 } : undefined,
    control: {
      isCancelled: () => Atomics.load(cancelled, 0) === 1,
      onProgress: (report) => {
        const progress = meter.update(report);
        const now = performance.now();
        if (now - lastPost < PROGRESS_INTERVAL_MS) return;
        lastPost = now;
        post({ type: "progress", progress });
      },
    },
  };
  const result = fitPrepared(prepare(full), hyperparameters);
  post({ type: "done", result });
} catch (error) {
  post({
    type: "error",
    error:
      error instanceof DomainError
        ? { name: error.name, code: error.code, message: error.message, details: error.details }
        : { name: (error as Error)?.name ?? "Error", message: (error as Error)?.message ?? String(error), stack: (error as Error)?.stack },
  });
}
