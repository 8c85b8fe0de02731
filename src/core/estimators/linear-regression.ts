/**
 * Ordinary least squares (scikit-learn's LinearRegression):
 *
 *     minimise_{w, b} ‖y − X w − b·1‖²
 *
 * Solved by Cholesky on the scaled normal equations, falling back to QR + SVD for
 * ill-conditioned or rank-deficient designs; a rank-deficient design gets the
 * minimum-norm solution and a warning in fitInfo (see solvers/least-squares.ts).
 */
import type { Matrix } from "../matrix.ts";
import type { HyperparameterTable } from "./hyperparameters.ts";
import { LinearModel, type LinearState } from "./linear-model.ts";
import { leastSquares, type CenteredDesign } from "../linalg/least-squares.ts";
import { residualSumOfSquares } from "./solvers/residuals.ts";
import type { Estimator, SerializedEstimator } from "./types.ts";

export const LINEAR_REGRESSION_HYPERPARAMETERS: HyperparameterTable = {
  fit_intercept: {
    type: "bool",
    default: true,
    description: "Fit an intercept (by centring X and y). If false, the model passes through the origin.",
  },
};

export class LinearRegression extends LinearModel implements Estimator {
  readonly kind = "LINEAR_REGRESSION";
  readonly task = "regression";

  constructor(params: Record<string, unknown> = {}) {
    super(LINEAR_REGRESSION_HYPERPARAMETERS, params);
  }

  static fromJSON(json: SerializedEstimator): LinearRegression {
    return new LinearRegression(json?.params ?? {}).restore(json);
  }

  #design: CenteredDesign | undefined;

  protected fitState(X: Matrix, y: Float64Array, params: Record<string, unknown>): LinearState {
    const { design, ...state } = fitLeastSquares(X, y, params.fit_intercept as boolean, 0);
    this.#design = design;
    return state;
  }

  /**
   * The last fit's centred design (X's column means and centred Gram), so that statistics of
   * that fit (olsInference's `design`) need not pass over X again. Not learned state: it is
   * not serialized, and a model restored from JSON has none.
   */
  trainingDesign(): CenteredDesign | undefined {
    return this.#design;
  }

  /** Predicted values X w + b, length n_samples. */
  predict(X: Matrix): Float64Array {
    return this.linearPredictor(X);
  }
}

/**
 * Fit ‖y − X w − b·1‖² + α‖w‖² (α ≥ 0; b only when fitIntercept) and package it as learned
 * state with fitInfo (objective, solver, rank, warnings). Shared by LinearRegression and
 * Ridge; input is assumed validated.
 *
 * @param X n × p;  y length n
 */
export function fitLeastSquares(X: Matrix, y: Float64Array, fitIntercept: boolean, alpha: number): LinearState & { design: CenteredDesign } {
  const { coef, intercept, rank, solver, warnings, design } = leastSquares(X, y, { alpha, fitIntercept });
  let penalty = 0;
  for (let j = 0; j < coef.length; j++) penalty += coef[j] * coef[j];
  const objective = residualSumOfSquares(X, y, coef, intercept) + alpha * penalty;
  // The rank is reported for OLS only: with α > 0 the system is well-posed whatever the rank,
  // and the Cholesky path does not compute it.
  const info = { converged: true, objective, warnings, solver, ...(alpha === 0 ? { rank } : {}) };
  return { coef_: coef, intercept_: intercept, info, design };
}
