/**
 * Binary logistic loss and its gradient, in scikit-learn's lbfgs scaling
 * (sklearn/linear_model/_linear_loss.py `LinearModelLoss` with `HalfBinomialLoss`,
 * l2_reg_strength = 1/C):
 *
 *     f(w, b) = Σ_i [log(1 + exp(z_i)) − y_i z_i] + ‖w‖² / (2C),   z_i = x_iᵀw + b,
 *     ∇_w f   = Xᵀ(σ(z) − y) + w / C,      ∂_b f = Σ_i (σ(z_i) − y_i),
 *
 * i.e. (1/C) × the objective C·Σ logloss + ½‖w‖² of the estimator's documentation; the
 * minimiser is the same and `tol` compares with this gradient as it does in sklearn.
 * The intercept b is not penalised.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Matrix } from "../../matrix.ts";
import type { ObjectiveWithGradient } from "./lbfgs.ts";
import { accumulateLoss, BLOCK, evaluateChunks, type ChunkedLoss } from "./logistic-kernel.js";

/**
 * σ(z) = 1 / (1 + e^{−z}) without overflow: e^{−|z|} ≤ 1 is the only exponential taken.
 */
export function sigmoid(z: number): number {
  const e = Math.exp(-Math.abs(z));
  return z >= 0 ? 1 / (1 + e) : e / (1 + e);
}

/** Rows from which the loss is evaluated in chunks, on two threads when it can. */
export const PARALLEL_MIN_ROWS = 200_000;
/** Chunks per evaluation: enough for the two threads to even out (a cold or late helper takes fewer). */
const CHUNKS = 32;

/** How long the fitting thread waits for the helper's chunks before giving up on it. */
const HELPER_TIMEOUT_MS = 120_000;

export type LogisticObjective = ObjectiveWithGradient & {
  /** Stops the helper thread, if any (idempotent). */
  close(): void;
  /** 2 when a helper thread shares the evaluations. */
  readonly threads: number;
};

/**
 * The objective above as a function of θ = (w_1..w_p[, b]) for L-BFGS, in one pass over X
 * per call (solvers/logistic-kernel.js: margins, loss and residuals, then Xᵀr, a block of
 * rows at a time while they are in cache).
 *
 * Measured on 800k × 20 at a fitted θ (2-core EPYC, node 20): 75 ms per call with one fused
 * loop per row, 46 ms with the margins in a loop of their own (the out-of-line `Math.exp` /
 * `Math.log1p` calls in the dot product's loop halve its throughput), ~33 ms with the 4/8-row
 * blocking and the table-driven e^{−a} and log1p in place of V8's fdlibm ports.
 *
 * From PARALLEL_MIN_ROWS rows the rows go in CHUNKS chunks, each summed on its own and the sums
 * added in chunk order; when X lives in a SharedArrayBuffer (matrix() puts large matrices
 * there) and a second core exists, a helper thread claims chunks too, as scikit-learn's
 * products run on BLAS threads. Which thread took which chunk changes nothing in the result,
 * which is the same with or without the helper. On 800k × 20 (Intel Xeon, 2 cores): 50 ms per
 * call on one thread, ~26 ms on two. Call `close()` when done.
 *
 * @param X n × p
 * @param y length n, values 0/1
 */
export function logisticObjective(X: Matrix, y: Float64Array, C: number, fitIntercept: boolean, options: { threads?: number } = {}): LogisticObjective {
  const { rows: n, cols: p, data } = X;
  const penalised = (theta: Float64Array, grad: Float64Array, loss: number, gb: number) => {
    let ww = 0;
    for (let j = 0; j < p; j++) {
      ww += theta[j] * theta[j];
      grad[j] += theta[j] / C;
    }
    if (fitIntercept) grad[p] = gb;
    return loss + ww / (2 * C);
  };
  if (n < PARALLEL_MIN_ROWS) {
    const margin = new Float64Array(BLOCK);
    const residual = new Float64Array(BLOCK);
    const objective = (theta: Float64Array, grad: Float64Array) => {
      grad.fill(0);
      const [loss, gb] = accumulateLoss(data, p, y, theta, fitIntercept ? theta[p] : 0, 0, n, grad, margin, residual);
      return penalised(theta, grad, loss, gb);
    };
    return Object.assign(objective, { close: () => {}, threads: 1 });
  }

  const threads = options.threads ?? (data.buffer instanceof SharedArrayBuffer ? Math.min(2, availableParallelism()) : 1);
  const helped = threads > 1;
  // The helper reads X where it is (shared); y, θ and the chunk sums go in shared memory for it.
  const array = (length: number) => (helped ? new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT)) : new Float64Array(length));
  const chunkRows = Math.ceil(n / CHUNKS / BLOCK) * BLOCK;
  const task: ChunkedLoss = {
    data,
    p,
    y: helped ? array(n) : y,
    theta: array(p + 1),
    fitIntercept,
    n,
    chunkRows,
    chunks: Math.ceil(n / chunkRows),
    partials: array(CHUNKS * (p + 2)),
  };
  if (helped) task.y.set(y);
  const control = new Int32Array(helped ? new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT) : new ArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));
  const helper = helped ? new Worker(new URL("./logistic-kernel-worker.js", import.meta.url), { workerData: { ...task, control } }) : null;
  if (helper) {
    // It must never keep a process alive, nor its failure go unheard (the wait below times out).
    helper.unref();
    helper.on("error", () => {});
  }
  let generation = 0;
  const objective = (theta: Float64Array, grad: Float64Array) => {
    task.theta.set(theta.subarray(0, Math.min(theta.length, p + 1)));
    generation = (generation % 2_000_000) + 1;
    Atomics.store(control, 2, 0);
    Atomics.store(control, 1, generation << 10);
    if (helper) {
      Atomics.store(control, 0, generation);
      Atomics.notify(control, 0);
    }
    evaluateChunks(task, control, generation);
    const deadline = performance.now() + HELPER_TIMEOUT_MS;
    for (let done = Atomics.load(control, 2); done < task.chunks; done = Atomics.load(control, 2)) {
      if (Atomics.load(control, 3)) throw new Error("logistic loss: the helper thread's evaluation failed");
      if (performance.now() > deadline) throw new Error(`logistic loss: the helper thread left chunks unfinished for ${HELPER_TIMEOUT_MS / 1000} s`);
      Atomics.wait(control, 2, done, 1000);
    }
    grad.fill(0);
    let loss = 0;
    let gb = 0;
    const { partials, chunks } = task;
    for (let k = 0; k < chunks; k++) {
      const o = k * (p + 2);
      for (let j = 0; j < p; j++) grad[j] += partials[o + j];
      loss += partials[o + p];
      gb += partials[o + p + 1];
    }
    return penalised(theta, grad, loss, gb);
  };
  let closed = false;
  const close = () => {
    if (closed || !helper) return;
    closed = true;
    Atomics.store(control, 0, -1);
    Atomics.notify(control, 0);
    void helper.terminate();
  };
  return Object.assign(objective, { close, threads: helper ? 2 : 1 });
}
