/**
 * Ridge regression (scikit-learn's Ridge):
 *
 *     minimise_{w, b} ‖y − X w − b·1‖² + α ‖w‖²
 *
 * The intercept is not penalised (it is fitted by centring). Same solvers as
 * LinearRegression with α added to the scaled Gram diagonal (sklearn's `cholesky`
 * solver), or as the filter σ/(σ² + α) in the SVD fallback (sklearn's `svd` solver).
 */
import type { Matrix } from "../matrix.ts";
import type { HyperparameterTable } from "./hyperparameters.ts";
import { LinearModel, type LinearState } from "./linear-model.ts";
import { fitLeastSquares } from "./linear-regression.ts";
import type { Estimator, SerializedEstimator } from "./types.ts";

export const RIDGE_HYPERPARAMETERS: HyperparameterTable = {
  alpha: {
    type: "float",
    interval: { low: 0, high: null, closed: "left" },
    default: 1,
    description: "L2 penalty strength α on the coefficients (not the intercept). 0 gives ordinary least squares.",
  },
  fit_intercept: {
    type: "bool",
    default: true,
    description: "Fit an unpenalised intercept (by centring X and y).",
  },
};

export class Ridge extends LinearModel implements Estimator {
  readonly kind = "RIDGE";
  readonly task = "regression";

  constructor(params: Record<string, unknown> = {}) {
    super(RIDGE_HYPERPARAMETERS, params);
  }

  static fromJSON(json: SerializedEstimator): Ridge {
    return new Ridge(json?.params ?? {}).restore(json);
  }

  protected fitState(X: Matrix, y: Float64Array, params: Record<string, unknown>): LinearState {
    const { design: _design, ...state } = fitLeastSquares(X, y, params.fit_intercept as boolean, params.alpha as number);
    return state;
  }

  /** Predicted values X w + b, length n_samples. */
  predict(X: Matrix): Float64Array {
    return this.linearPredictor(X);
  }
}
