/**
 * Fits in worker threads: the same result as in the process, errors that keep their code,
 * cancellation through the shared flag, and warm threads reused between fits.
 */
import { afterAll, describe, expect, it } from "vitest";
import { FitAbortedError, FitThreads, type FitInput } from "../../../src/jobs/fit-thread.ts";
import { fitModel } from "../../../src/services/training/fitting.ts";
import type { DomainError } from "../../../src/core/errors.ts";
import type { JobProgress } from "../../../src/jobs/progress.ts";

const threads = new FitThreads(1);
afterAll(() => threads.close());

function noisy(n: number): FitInput["request"] {
  const x = Float64Array.from({ length: n }, (_, i) => (i * 7919) % 1000);
  const z = Float64Array.from({ length: n }, (_, i) => (i * 104729) % 997);
  const label = Int32Array.from({ length: n }, (_, i) => ((i * 31) % 2 === 0 ? 0 : 1));
  return {
    algorithm: "LINEAR_SVM",
    target: { name: "label", type: "CATEGORY", values: label, categories: ["a", "b"] },
    features: [
      { name: "x", type: "NUMBER", values: x },
      { name: "z", type: "NUMBER", values: z },
    ],
    testFraction: 0.2,
    seed: 3,
  };
}

describe("FitThreads", () => {
  it("fits exactly as the process would, reporting progress", async () => {
    const request = noisy(500);
    const hyperparameters = { C: 0.5, max_iter: 200, tol: 1e-15 };
    const progress: JobProgress[] = [];
    const inThread = await threads.run({ request, hyperparameters }, (p) => progress.push(p)).result;
    const inProcess = fitModel({ ...request, hyperparameters });
    expect(inThread.metrics).toEqual(inProcess.metrics);
    expect(inThread.state.estimator).toEqual(JSON.parse(JSON.stringify(inProcess.state.estimator)));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.fraction >= 0 && p.fraction < 1)).toBe(true);
  });

  it("moves the columns to the thread when handed over: the same fit, and the caller's arrays are left empty", async () => {
    const request = noisy(500);
    const hyperparameters = { C: 0.5, max_iter: 200, tol: 1e-15 };
    const inProcess = fitModel({ ...request, hyperparameters });
    const inThread = await threads.run({ request, hyperparameters }, () => {}, { handOver: true }).result;
    expect(inThread.metrics).toEqual(inProcess.metrics);
    expect(inThread.state.estimator).toEqual(JSON.parse(JSON.stringify(inProcess.state.estimator)));
    expect([request.target, ...request.features].map((column) => column.values.length)).toEqual([0, 0, 0]);
  });

  it("runs a large logistic fit with its loss helper thread inside the fit thread, as the process would", async () => {
    // 210,000 rows × 5: the design matrix lands in shared memory and the loss splits over a
    // helper thread started from inside the fit thread (solvers/logistic-loss.ts).
    const n = 210_000;
    const features = Array.from({ length: 5 }, (_, j) => ({ name: `x${j}`, type: "NUMBER" as const, values: Float64Array.from({ length: n }, (_, i) => (((i + 1) * (7919 + 104 * j)) % 1000) / 100) }));
    const label = Int32Array.from({ length: n }, (_, i) => (features[0].values[i] + features[1].values[i] - features[2].values[i] + ((i * 31) % 7) > 9 ? 1 : 0));
    const request: FitInput["request"] = { algorithm: "LOGISTIC_REGRESSION", target: { name: "label", type: "CATEGORY", values: label, categories: ["a", "b"] }, features, testFraction: 0, seed: 1 };
    const inThread = await threads.run({ request, hyperparameters: {} }, () => {}).result;
    const inProcess = fitModel({ ...request, hyperparameters: {} });
    expect(inThread.state.estimator).toEqual(JSON.parse(JSON.stringify(inProcess.state.estimator)));
    expect(inThread.metrics).toEqual(inProcess.metrics);
  });

  it("stops a long fit at its next iteration when cancelled, and the warm thread takes the next fit", async () => {
    let first: JobProgress | undefined;
    let resolveStarted!: () => void;
    const started = new Promise<void>((r) => (resolveStarted = r));
    const running = threads.run({ request: noisy(3000), hyperparameters: { max_iter: 10_000_000, tol: 1e-15 } }, (p) => {
      first ??= p;
      resolveStarted();
    });
    await started;
    const cancelledAt = performance.now();
    running.cancel("cancelled");
    const error = await running.result.catch((e) => e);
    expect(error).toBeInstanceOf(FitAbortedError);
    expect((error as FitAbortedError).reason).toBe("cancelled");
    expect(performance.now() - cancelledAt).toBeLessThan(2000); // the flag, not the 5 s termination
    expect(first!.iteration).toBeGreaterThan(0);
    // The same (warm) thread answers the next fit, with its flag cleared.
    const next = await threads.run({ request: noisy(200), hyperparameters: { max_iter: 50 } }, () => {}).result;
    expect(next.metrics.evaluatedOn).toBe("TEST");
  });

  it("brings a domain error back with its code and details", async () => {
    const request = noisy(200);
    const error = (await threads.run({ request: { ...request, testFraction: 0.2, folds: 1000 }, hyperparameters: {} }, () => {}).result.catch((e) => e)) as DomainError;
    expect(error.code).toBe("BAD_USER_INPUT");
    expect(error.details).toMatchObject({ field: "folds" });
    expect(error.message).toMatch(/folds must be an integer/);
  });
});

describe("FitThreads: memory an ended fit leaves behind (issue 22, item 3)", () => {
  /** An RBF SVM whose kernel cache fills to ~n²·8 bytes (n = 1200: ~11 MB) and is garbage once the fit ends. */
  function svm(n: number): FitInput["request"] {
    const x = Float64Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 100);
    const z = Float64Array.from({ length: n }, (_, i) => ((i * 104729) % 997) / 100);
    const label = Int32Array.from({ length: n }, (_, i) => ((i * 31) % 3 === 0 ? 0 : 1));
    return { algorithm: "SVM", target: { name: "label", type: "CATEGORY", values: label, categories: ["a", "b"] }, features: [{ name: "x", type: "NUMBER", values: x }, { name: "z", type: "NUMBER", values: z }], testFraction: 0, seed: 3 };
  }

  it("replaces a thread that still holds more than the threshold (the kernel cache) after a fit, and keeps one that does not", async () => {
    // An idle thread allocates nothing, so it would never collect the cache: only a fresh thread frees it.
    const recycling = new FitThreads(1, 8 * 2 ** 20);
    try {
      recycling.prestart();
      const [first] = recycling.idleThreadIds();
      // A small fit retains little: the same warm thread comes back.
      await recycling.run({ request: noisy(200), hyperparameters: { max_iter: 50 } }, () => {}).result;
      expect(recycling.idleThreadIds()).toEqual([first]);
      // Finished: the cache (~11 MB) is over the threshold, so the thread is replaced.
      await recycling.run({ request: svm(1200), hyperparameters: { cache_size: 64 } }, () => {}).result;
      const [second] = recycling.idleThreadIds();
      expect(second).toBeDefined();
      expect(second).not.toBe(first);
      // Cancelled mid-fit (at its first iteration, its cache still small): replaced too.
      let resolveStarted!: () => void;
      const started = new Promise<void>((r) => (resolveStarted = r));
      const running = recycling.run({ request: svm(1500), hyperparameters: { cache_size: 64, tol: 1e-12, max_iter: 100_000_000 } }, () => resolveStarted());
      await started;
      running.cancel("cancelled");
      expect(await running.result.catch((e) => e)).toBeInstanceOf(FitAbortedError);
      const [third] = recycling.idleThreadIds();
      expect(third).toBeDefined();
      expect(third).not.toBe(second);
      // The replacement fits as the first thread did.
      const next = await recycling.run({ request: noisy(200), hyperparameters: { max_iter: 50 } }, () => {}).result;
      expect(next.metrics.evaluatedOn).toBe("TEST");
    } finally {
      await recycling.close();
    }
  });
});
