/**
 * Ordinary least squares by the normal equation: minimise ‖y − Xw − b‖².
 * With `fit_intercept`, X and y are centered first (so b is unpenalized and exact), then
 * (XcᵀXc) w = Xcᵀyc is solved by Cholesky, or, for a rank-deficient design, its
 * minimum-norm solution (src/core/linalg/least-squares.ts), as scikit-learn's
 * LinearRegression (scipy lstsq) returns. X: n × p, y: n.
 */
import type { Matrix } from "../matrix.ts";
import { centeredGram, columnMeans, mean } from "../linalg/kernels.ts";
import { solveNormalEquations } from "../linalg/least-squares.ts";
import { LinearModel, type LinearState } from "./linear-model.ts";
import type { ParamTable } from "./params.ts";

export const LINEAR_REGRESSION_PARAMS: ParamTable = {
  fit_intercept: { type: "bool", default: true, description: "Fit an intercept (X and y are centered first)." },
};

export class LinearRegression extends LinearModel {
  readonly kind: string = "LINEAR_REGRESSION";
  readonly task = "regression" as const;

  paramTable(): ParamTable {
    return LINEAR_REGRESSION_PARAMS;
  }

  protected alpha(_params: Record<string, any>): number {
    return 0;
  }

  protected fitLinear(X: Matrix, y: Float64Array, params: Record<string, any>): LinearState {
    return fitLeastSquares(X, y, params.fit_intercept, this.alpha(params));
  }

  predict(X: Matrix): Float64Array {
    return this.score(X);
  }
}

/** Relative variance below which a column counts as constant (std ≤ 1e-10 of its magnitude). */
const CONSTANT_TOL = 1e-20;

export function fitLeastSquares(X: Matrix, y: Float64Array, fitIntercept: boolean, alpha: number): LinearState {
  const p = X.cols;
  const mu = fitIntercept ? columnMeans(X) : new Float64Array(p);
  const yMean = fitIntercept ? mean(y) : 0;
  const { G, b } = centeredGram(X, y, mu, yMean);
  // A constant column centers to rounding noise (~1e-16 of its value), which diagonal scaling
  // would blow up into a spurious full-rank direction: remove it, so it gets coefficient 0.
  for (let j = 0; j < p; j++) {
    if (G[j * p + j] <= CONSTANT_TOL * (G[j * p + j] + X.rows * mu[j] * mu[j])) {
      for (let k = 0; k < p; k++) G[j * p + k] = G[k * p + j] = 0;
      b[j] = 0;
    }
  }
  const { w, rank, condition } = solveNormalEquations(G, b, p, alpha);
  let intercept = yMean;
  for (let j = 0; j < p; j++) intercept -= w[j] * mu[j];
  const warnings: string[] = [];
  if (rank < p) {
    warnings.push(`The design matrix is rank-deficient (rank ${rank} of ${p} features: constant or collinear columns); the minimum-norm least-squares solution is used.`);
  } else if (condition > 1e8) {
    warnings.push(`The design matrix is ill-conditioned (condition number ≈ ${condition.toExponential(1)}); coefficients may be unstable.`);
  }
  return { coef_: w, intercept_: intercept, info: { converged: true, warnings } };
}
