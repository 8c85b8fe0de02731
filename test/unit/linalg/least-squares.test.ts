/**
 * leastSquares (src/core/linalg/least-squares.ts) against mathjs: the pseudo-inverse for
 * rank-deficient designs (minimum-norm solution), the normal equations for full rank.
 */
import { describe, expect, it } from "vitest";
import * as math from "mathjs";
import { matrix, type Matrix } from "../../../src/core/matrix.ts";
import { createRandom } from "../../../src/core/random.ts";
import { leastSquares } from "../../../src/core/linalg/least-squares.ts";
import { expectRelClose, maxAbs } from "../helpers/close.ts";

function design(n: number, p: number, seed: number, fill: (X: Matrix, i: number) => void = () => {}): { X: Matrix; y: Float64Array } {
  const random = createRandom(seed);
  const X = matrix(n, p);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) X.data[i * p + j] = random.float() * 2 - 1;
    fill(X, i);
    y[i] = X.data[i * p] - 2 * X.data[i * p + 1] + 0.1 * (random.float() - 0.5);
  }
  return { X, y };
}

const nested = (X: Matrix): number[][] =>
  Array.from({ length: X.rows }, (_, i) => Array.from(X.data.subarray(i * X.cols, (i + 1) * X.cols)));

describe("leastSquares", () => {
  it("full rank, no intercept: solves XᵀX w = Xᵀy by Cholesky", () => {
    const { X, y } = design(40, 3, 1);
    const solution = leastSquares(X, y, { alpha: 0, fitIntercept: false });
    const M = math.matrix(nested(X));
    const ref = math.lusolve(math.multiply(math.transpose(M), M), math.multiply(math.transpose(M), Array.from(y)) as math.Matrix) as math.Matrix;
    const w = (math.flatten(ref) as math.Matrix).toArray() as number[];
    expectRelClose(solution.coef, w, 1e-10, 0, "coef");
    expect(solution).toMatchObject({ solver: "cholesky", rank: 3, intercept: 0, warnings: [] });
  });

  it("rank-deficient: the minimum-norm solution pinv(X) y, with a warning", () => {
    // Column 2 = column 0 + column 1 exactly (all values are multiples of 1/8: exact sums).
    const { X, y } = design(30, 3, 2, (X, i) => {
      for (let j = 0; j < 2; j++) X.data[i * 3 + j] = Math.round(X.data[i * 3 + j] * 8) / 8;
      X.data[i * 3 + 2] = X.data[i * 3] + X.data[i * 3 + 1];
    });
    const solution = leastSquares(X, y, { alpha: 0, fitIntercept: false });
    const w = (math.multiply(math.pinv(math.matrix(nested(X))), Array.from(y)) as math.Matrix).toArray() as number[];
    expectRelClose(solution.coef, w, 1e-10, 1e-10 * maxAbs(w), "coef");
    expect(solution.rank).toBe(2);
    expect(solution.solver).toBe("qr-svd");
    expect(solution.warnings[0]).toMatch(/rank-deficient.*minimum-norm/);
  });

  it("ridge with an intercept: centring leaves b unpenalised (b = ȳ − x̄ᵀw)", () => {
    const { X, y } = design(50, 2, 3);
    for (let i = 0; i < 50; i++) y[i] += 100;
    const { coef, intercept } = leastSquares(X, y, { alpha: 3, fitIntercept: true });
    let xm0 = 0;
    let xm1 = 0;
    let ym = 0;
    for (let i = 0; i < 50; i++) {
      xm0 += X.data[2 * i] / 50;
      xm1 += X.data[2 * i + 1] / 50;
      ym += y[i] / 50;
    }
    expectRelClose(intercept, ym - xm0 * coef[0] - xm1 * coef[1], 1e-12, 0, "intercept");
    // Gradient of the ridge objective in w is 0: Xcᵀ(y − Xc w − ȳ) = α w.
    for (let j = 0; j < 2; j++) {
      let g = 0;
      for (let i = 0; i < 50; i++) {
        const r = y[i] - intercept - X.data[2 * i] * coef[0] - X.data[2 * i + 1] * coef[1];
        g += (X.data[2 * i + j] - (j === 0 ? xm0 : xm1)) * r;
      }
      expectRelClose(g, 3 * coef[j], 1e-9, 1e-9, `∂/∂w${j}`);
    }
  });

  it("an all-zero column gets coefficient 0 on the Cholesky path", () => {
    const { X, y } = design(20, 3, 4, (X, i) => {
      X.data[i * 3 + 1] = 0;
    });
    const solution = leastSquares(X, y, { alpha: 0, fitIntercept: false });
    expect(solution.coef[1]).toBe(0);
    expect(solution.rank).toBe(2);
    expect(solution.solver).toBe("cholesky");
  });
});
