/**
 * Parity with scikit-learn 1.2 (fixtures from test/fixtures/gen_estimators.py):
 * OLS and ridge coefficients and predictions to 1e-8 relative; logistic regression and the
 * linear SVM to 1e-4 relative on the objective at the optimum (ours no worse than sklearn's),
 * coefficients to 1e-3, and labels agreeing on ≥ 99.9% of rows.
 */
import { describe, expect, it } from "vitest";
import fixtures from "../../fixtures/estimators/linear.json" with { type: "json" };
import { fromRows } from "../../../src/core/matrix.ts";
import { createEstimator, type Algorithm, type Classifier } from "../../../src/core/estimators/index.ts";
import { expectAllClose, expectClose } from "../../support/close.ts";

interface Case {
  name: string;
  algorithm: Algorithm;
  params: Record<string, unknown>;
  X: number[][];
  y: number[];
  coef: number[];
  intercept: number;
  predictions?: number[];
  labels?: number[];
  decision?: number[];
  probabilities?: number[];
  objective?: number;
}

const cases = fixtures as Case[];
const regression = cases.filter((c) => c.predictions);
const classification = cases.filter((c) => c.labels);

function fitCase(c: Case, extra: Record<string, unknown> = {}) {
  const X = fromRows(c.X);
  const y = Float64Array.from(c.y);
  return { X, y, model: createEstimator(c.algorithm, { ...c.params, ...extra }).fit(X, y) };
}

describe("least squares against scikit-learn", () => {
  it.each(regression.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const { X, y, model } = fitCase(c);
    const { coef, intercept } = model.coefficients();
    const scale = Math.max(...c.predictions!.map(Math.abs));
    // Predictions are unique even for rank-deficient designs; coefficients are the minimum-norm ones.
    expectAllClose(model.predict(X), c.predictions!, 1e-8, 1e-10 * scale, "predictions");
    const coefScale = Math.max(...c.coef.map(Math.abs));
    expectAllClose(coef, c.coef, 1e-8, 1e-10 * coefScale, "coef");
    expectClose(intercept[0], c.intercept, 1e-8, 1e-10 * scale, "intercept");
    if (c.algorithm === "LINEAR_REGRESSION" && c.params.fit_intercept !== false && !c.name.includes("collinear")) {
      // Normal equations identity: Xcᵀ(y − ŷ) = 0 (residuals orthogonal to every column).
      const r = model.predict(X).map((v, i) => y[i] - v);
      for (let j = 0; j < X.cols; j++) {
        let dot = 0;
        let norm = 0;
        for (let i = 0; i < X.rows; i++) {
          dot += X.data[i * X.cols + j] * r[i];
          norm += Math.abs(X.data[i * X.cols + j] * r[i]);
        }
        expect(Math.abs(dot)).toBeLessThanOrEqual(1e-9 * (norm || 1));
      }
    }
  });

  it("reports the rank deficiency it worked around", () => {
    const c = cases.find((x) => x.name === "ols_collinear")!;
    expect(fitCase(c).model.fitInfo().warnings.join(" ")).toMatch(/rank-deficient \(rank 4 of 5/);
  });
});

describe("linear classifiers against scikit-learn", () => {
  it.each(classification.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const { X, model } = fitCase(c, { tol: 1e-8, max_iter: c.algorithm === "LINEAR_SVM" ? 100_000 : 100 });
    const info = model.fitInfo();
    expect(info.converged).toBe(true);
    expect(info.objective!).toBeLessThanOrEqual(c.objective! * (1 + 1e-4));
    expectClose(info.objective!, c.objective!, 1e-4, 0, "objective");
    const { coef, intercept } = model.coefficients();
    const size = Math.max(...c.coef.map(Math.abs), Math.abs(c.intercept));
    expectAllClose(coef, c.coef, 1e-3, 1e-3 * size, "coef");
    expectClose(intercept[0], c.intercept, 1e-3, 1e-3 * size, "intercept");
    const labels = model.predict(X);
    const agree = labels.filter((v, i) => v === c.labels![i]).length / labels.length;
    expect(agree).toBeGreaterThanOrEqual(0.999);
    if (c.probabilities) {
      const proba = (model as Classifier).predictProba!(X);
      expectAllClose(proba.filter((_, k) => k % 2 === 1), c.probabilities, 1e-3, 1e-4, "P(class 1)");
    }
  });
});
