/**
 * The logistic loss on large data: evaluated in chunks whose sums add up in chunk order, on a
 * helper thread too when X is in shared memory. The result must not depend on the threads.
 */
import { describe, expect, it } from "vitest";
import { matrix } from "../../../src/core/matrix.ts";
import { createEstimator, FitCancelledError } from "../../../src/core/estimators/index.ts";
import { logisticObjective, PARALLEL_MIN_ROWS } from "../../../src/core/estimators/solvers/logistic-loss.ts";
import { accumulateLoss, BLOCK } from "../../../src/core/estimators/solvers/logistic-kernel.js";

const n = PARALLEL_MIN_ROWS + 12_345;
const p = 6;
let state = 11;
const next = () => (state = (state * 16807) % 2147483647) / 2147483647;
const X = matrix(n, p);
const y = new Float64Array(n);
for (let i = 0; i < n; i++) {
  let z = 0.3;
  for (let j = 0; j < p; j++) {
    X.data[i * p + j] = 2 * next() - 1;
    z += (j - 2.5) * X.data[i * p + j];
  }
  y[i] = next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
}
const theta = Float64Array.from([0.4, -0.2, 0.1, 0, -0.3, 0.25, 0.05]);

describe("the logistic loss on two threads", () => {
  it("puts large matrices in shared memory, where a helper thread can read them", () => {
    expect(X.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(matrix(10, 3).data.buffer).toBeInstanceOf(ArrayBuffer);
  });

  it("gives the same loss and gradient, bit for bit, on one thread and on two; and the one-pass sum to 1e-12", () => {
    const results = [1, 2, 2].map((threads) => {
      const f = logisticObjective(X, y, 1, true, { threads });
      try {
        expect(f.threads).toBe(threads);
        const grad = new Float64Array(p + 1);
        const loss = f(theta, grad);
        // A second call (a new generation of chunks) with another θ.
        const grad2 = new Float64Array(p + 1);
        const loss2 = f(theta.map((v) => v / 2), grad2);
        return [loss, ...grad, loss2, ...grad2];
      } finally {
        f.close();
      }
    });
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
    // The same sums in one pass over every row, for reference.
    const grad = new Float64Array(p);
    const [loss, gb] = accumulateLoss(X.data, p, y, theta, theta[p], 0, n, grad, new Float64Array(BLOCK), new Float64Array(BLOCK));
    let ww = 0;
    for (let j = 0; j < p; j++) ww += theta[j] * theta[j];
    expect(Math.abs(results[0][0] - (loss + ww / 2)) / Math.abs(loss)).toBeLessThan(1e-12);
    for (let j = 0; j < p; j++) expect(Math.abs(results[0][1 + j] - (grad[j] + theta[j])) / Math.max(1, Math.abs(grad[j]))).toBeLessThan(1e-10);
    expect(Math.abs(results[0][1 + p] - gb) / Math.max(1, Math.abs(gb))).toBeLessThan(1e-10);
  });

  it("fits the same coefficients whether or not the helper runs, and stops it when the fit is cancelled", () => {
    type Fitted = { state: { coef_: number[]; intercept_: number } };
    const fitted = createEstimator("LOGISTIC_REGRESSION", {}).fit(X, y).toJSON() as unknown as Fitted;
    const unshared = { rows: n, cols: p, data: Float64Array.from(X.data) }; // not shared: one thread
    const serial = createEstimator("LOGISTIC_REGRESSION", {}).fit(unshared, y).toJSON() as unknown as Fitted;
    expect(fitted.state.coef_).toHaveLength(p);
    expect(fitted.state.coef_).toEqual(serial.state.coef_);
    expect(fitted.state.intercept_).toBe(serial.state.intercept_);
    let calls = 0;
    expect(() => createEstimator("LOGISTIC_REGRESSION", {}).fit(X, y, { isCancelled: () => ++calls > 1 })).toThrow(FitCancelledError);
  });
});
