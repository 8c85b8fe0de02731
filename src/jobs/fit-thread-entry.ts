/**
 * Runs inside a worker thread (fit-thread.ts): fit requests one after another, each start to
 * end, off the event loop that answers HTTP and keeps the jobs' heartbeats. Progress goes
 * back at most every PROGRESS_INTERVAL_MS; cancellation is a shared flag the solvers read
 * between iterations (the main thread clears it before sending the next request).
 */
import { getHeapStatistics } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";
import { DomainError } from "../core/errors.ts";
import { crossValidateCandidates, fitPrepared, prepare, type FitRequest, type StageProgress } from "../services/training/fitting.ts";
import { ProgressMeter } from "./progress.ts";
import type { FitJob, FitThreadMessage } from "./fit-thread.ts";

const PROGRESS_INTERVAL_MS = 100;

const cancelled = new Int32Array((workerData as { cancel: SharedArrayBuffer }).cancel);
/**
 * Every answer says how much memory outside the JS heap (typed arrays: the columns, an SVM's
 * kernel cache) this thread still holds: it is garbage once the fit has ended, but an idle
 * thread allocates nothing, so no collection would free it until the next fit.
 */
const post = (message: FitThreadMessage) => parentPort!.postMessage(message.type === "progress" ? message : { ...message, retainedBytes: getHeapStatistics().external_memory });
const number = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

parentPort!.on("message", ({ id, request, hyperparameters, budgetSeconds, search }: FitJob) => {
  const meter = new ProgressMeter(number(hyperparameters.tol), number(hyperparameters.max_iter));
  let lastPost = 0;
  // A search counts its trials' folds as one sequence of stages.
  let trial = 0;
  const staged = (report: StageProgress): StageProgress =>
    search ? { ...report, stage: trial * search.folds + Math.max(0, report.stage - 1), stages: search.candidates.length * search.folds } : report;
  try {
    const full: FitRequest = {
      ...request,
      hyperparameters,
      // performance.now() counts from this thread's start: the deadline is set here.
      budget: budgetSeconds ? { seconds: budgetSeconds, deadline: performance.now() + budgetSeconds * 1000 } : undefined,
      control: {
        isCancelled: () => Atomics.load(cancelled, 0) === 1,
        onProgress: (report) => {
          const progress = meter.update(staged(report));
          const now = performance.now();
          if (now - lastPost < PROGRESS_INTERVAL_MS) return;
          lastPost = now;
          post({ type: "progress", id, progress });
        },
      },
    };
    if (search) {
      const trials = crossValidateCandidates(prepare(full), search.candidates, search.folds, search.metric, (t) => (trial = t));
      post({ type: "done", id, result: { trials } });
    } else {
      post({ type: "done", id, result: fitPrepared(prepare(full), hyperparameters) });
    }
  } catch (error) {
    post({
      type: "error",
      id,
      error:
        error instanceof DomainError
          ? { name: error.name, code: error.code, message: error.message, details: error.details }
          : { name: (error as Error)?.name ?? "Error", message: (error as Error)?.message ?? String(error), stack: (error as Error)?.stack },
    });
  }
});
