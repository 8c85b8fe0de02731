/**
 * LinearRegression and Ridge against scikit-learn 1.2 and exact references
 * (test/fixtures/gen_estimators.py → test/fixtures/estimators/regression.json).
 *
 * - full rank: coef_ and intercept_ to 1e-8 relative of the EXACT solution of the float data
 *   (rational arithmetic), predictions to 1e-8 of sklearn's;
 * - rank-deficient: coef_, intercept_ and predictions to 1e-8 of numpy.linalg.lstsq's
 *   minimum-norm solution on the centred data, predictions to 1e-8 of sklearn's;
 * - the normal equations hold at our solution: Xcᵀ(y − ŷ) = α w.
 * Coefficient bounds are elementwise with a normwise floor (1e-8 · max|coef|), so that an
 * exactly-zero reference coefficient (a constant column) is compared sensibly.
 */
import { describe, expect, it } from "vitest";
import fixtures from "../../fixtures/estimators/regression.json" with { type: "json" };
import { fromRows, type Matrix } from "../../../src/core/matrix.ts";
import { createEstimator, type Algorithm } from "../../../src/core/estimators/index.ts";
import { expectRelClose, maxAbs } from "../helpers/close.ts";

interface Solution {
  coef: number[];
  intercept: number;
}
interface Case {
  name: string;
  dataset: string;
  algorithm: Algorithm;
  params: Record<string, unknown>;
  sklearn: Solution & { predictions: number[] };
  exact?: Solution;
  lstsq?: Solution & { predictions: number[] };
  rank: number;
}

const RTOL = 1e-8;
const datasets = fixtures.datasets as Record<string, { X: number[][]; y: number[] }>;
const cases = fixtures.cases as Case[];

function load(name: string): { X: Matrix; y: Float64Array } {
  const d = datasets[name];
  return { X: fromRows(d.X), y: Float64Array.from(d.y) };
}

describe.each(cases)("$name", (c) => {
  const { X, y } = load(c.dataset);
  const model = createEstimator(c.algorithm, c.params).fit(X, y);
  const { coef, intercept } = model.coefficients();
  const predictions = model.predict(X);
  const reference = (c.exact ?? c.lstsq)!;
  const scale = maxAbs(reference.coef);

  it(`coef_ and intercept_ match the ${c.exact ? "exact" : "numpy lstsq minimum-norm"} solution to 1e-8`, () => {
    expectRelClose(coef, reference.coef, RTOL, RTOL * scale, "coef");
    expectRelClose(intercept[0], reference.intercept, RTOL, RTOL * scale, "intercept");
  });

  it("predictions match scikit-learn's to 1e-8", () => {
    expectRelClose(predictions, c.sklearn.predictions, RTOL, RTOL * maxAbs(c.sklearn.predictions), "prediction");
    if (c.lstsq) expectRelClose(predictions, c.lstsq.predictions, RTOL, RTOL * maxAbs(c.lstsq.predictions), "lstsq prediction");
  });

  it("satisfies the normal equations Xcᵀ(y − ŷ) = α·w", () => {
    const { rows: n, cols: p, data } = X;
    const fitIntercept = c.params.fit_intercept !== false;
    const alpha = c.algorithm === "RIDGE" ? ((c.params.alpha as number | undefined) ?? 1) : 0;
    const mu = new Float64Array(p);
    if (fitIntercept) for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) mu[j] += data[i * p + j] / n;
    for (let j = 0; j < p; j++) {
      let g = 0;
      let colNorm = 0;
      let resNorm = 0;
      for (let i = 0; i < n; i++) {
        const xc = data[i * p + j] - mu[j];
        const r = y[i] - predictions[i];
        g += xc * r;
        colNorm += xc * xc;
        resNorm += r * r;
      }
      // |x_jᵀr − α w_j| relative to ‖x_j‖·‖r‖ (the size of the terms being cancelled).
      const bound = 1e-9 * Math.sqrt(colNorm * resNorm) + 1e-9 * alpha * Math.abs(coef[j]);
      expect(Math.abs(g - alpha * coef[j]), `column ${j}`).toBeLessThanOrEqual(bound);
    }
  });

  it("reports the rank and warns exactly when OLS is rank-deficient", () => {
    const info = model.fitInfo();
    expect(info.converged).toBe(true);
    if (c.algorithm === "LINEAR_REGRESSION") {
      expect(info.rank).toBe(c.rank);
      expect(info.warnings.some((w) => w.includes("rank-deficient"))).toBe(c.rank < X.cols);
    } else {
      expect(info.warnings).toEqual([]);
    }
  });
});

describe("least-squares solver choice", () => {
  it("uses Cholesky on a badly scaled but well-conditioned design and QR (refined) on a near-collinear one, saying so", () => {
    const scaled = load("badly_scaled");
    const collinear = load("near_collinear");
    expect(createEstimator("LINEAR_REGRESSION").fit(scaled.X, scaled.y).fitInfo().solver).toBe("cholesky");
    const info = createEstimator("LINEAR_REGRESSION").fit(collinear.X, collinear.y).fitInfo();
    expect(info.solver).toBe("qr");
    expect(info.warnings.join(" ")).toMatch(/ill-conditioned \(condition number .*Householder QR with iterative refinement/);
  });

  it("gives a zero coefficient, not NaN, to a constant column", () => {
    const { X, y } = load("constant_column");
    const { coef } = createEstimator("LINEAR_REGRESSION").fit(X, y).coefficients();
    expect(coef[2]).toBe(0);
    expect(Array.from(coef).every(Number.isFinite)).toBe(true);
  });

  it("solves a design with more columns than rows (minimum-norm) without NaN", () => {
    const X = fromRows([
      [1, 2, 3, 4],
      [2, 0, 1, 1],
      [0, 1, 1, 5],
    ]);
    const y = Float64Array.of(1, 2, 3);
    const model = createEstimator("LINEAR_REGRESSION").fit(X, y);
    expectRelClose(model.predict(X), y, 1e-10, 1e-10, "interpolation");
    expect(model.fitInfo().rank).toBe(2);
  });
});
