/**
 * Ridge regression, scikit-learn's objective: ‖y − Xw − b‖² + alpha‖w‖², intercept not
 * penalized (X and y centered). Solved by Cholesky of XcᵀXc + alpha·I. X: n × p, y: n.
 */
import { LinearRegression } from "./linear-regression.ts";
import type { ParamTable } from "./params.ts";

export const RIDGE_PARAMS: ParamTable = {
  alpha: { type: "float", default: 1, min: 0, description: "L2 penalty strength; larger shrinks coefficients more." },
  fit_intercept: { type: "bool", default: true, description: "Fit an intercept (not penalized)." },
};

export class Ridge extends LinearRegression {
  override readonly kind: string = "RIDGE";

  override paramTable(): ParamTable {
    return RIDGE_PARAMS;
  }

  protected override alpha(params: Record<string, any>): number {
    return params.alpha;
  }
}
