/**
 * Binary logistic regression with an L2 penalty, scikit-learn's objective:
 *   f(w, b) = C · Σ_i [log(1 + e^{z_i}) − y_i z_i] + ½‖w‖²,  z = Xw + b,  y ∈ {0, 1},
 * the intercept b not penalized. Solved by Newton's method (IRLS) with a backtracking
 * (Armijo) line search: the Hessian C·[X 1]ᵀ diag(p(1−p)) [X 1] + diag(1…1, 0) is (p+1)²,
 * built in one pass over the rows. Converged when the largest gradient entry of the
 * per-sample objective f/(C·n) is ≤ `tol` (scikit-learn 1.2's lbfgs `gtol` on the same
 * scaled objective); Newton usually lands far below it. X: n × p, y: n.
 */
import type { Matrix } from "../matrix.ts";
import { solveNormalEquations } from "../linalg/least-squares.ts";
import { LinearModel, type LinearState } from "./linear-model.ts";
import { checkBinaryTarget, FitCancelledError } from "./classifier.ts";
import type { ParamTable } from "./params.ts";
import type { Classifier, FitOptions } from "./types.ts";

export const LOGISTIC_REGRESSION_PARAMS: ParamTable = {
  C: { type: "float", default: 1, min: 0, exclusiveMin: true, description: "Inverse of L2 penalty strength; smaller regularizes more." },
  fit_intercept: { type: "bool", default: true, description: "Fit an intercept (not penalized)." },
  tol: { type: "float", default: 1e-4, min: 0, exclusiveMin: true, description: "Stop when the largest gradient entry of the mean objective is below this." },
  max_iter: { type: "int", default: 100, min: 1, max: 100000, description: "Most Newton iterations." },
};

/** log(1 + e^z) without overflow. */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

export class LogisticRegression extends LinearModel implements Classifier {
  readonly kind = "LOGISTIC_REGRESSION";
  readonly task = "classification" as const;

  paramTable(): ParamTable {
    return LOGISTIC_REGRESSION_PARAMS;
  }

  protected fitLinear(X: Matrix, y: Float64Array, params: Record<string, any>, options: FitOptions): LinearState {
    checkBinaryTarget(this.kind, y, options);
    const { C, tol, max_iter: maxIter, fit_intercept: fitIntercept } = params;
    const { data, rows: n, cols: p } = X;
    const q = p + 1;
    const theta = new Float64Array(q); // [w, b]
    const trial = new Float64Array(q);
    const z = new Float64Array(n);
    const objective = (t: Float64Array) => {
      let loss = 0;
      for (let i = 0, at = 0; i < n; i++, at += p) {
        let s = fitIntercept ? t[p] : 0;
        for (let j = 0; j < p; j++) s += data[at + j] * t[j];
        z[i] = s;
        loss += softplus(s) - y[i] * s;
      }
      let reg = 0;
      for (let j = 0; j < p; j++) reg += t[j] * t[j];
      return C * loss + 0.5 * reg;
    };
    let f = objective(theta);
    let converged = false;
    let iter = 0;
    let gradMax = Infinity;
    const g = new Float64Array(q);
    const H = new Float64Array(q * q);
    const row = new Float64Array(q);
    for (; iter < maxIter; iter++) {
      if (options.isCancelled?.()) throw new FitCancelledError(this.kind, iter);
      g.fill(0);
      H.fill(0);
      for (let i = 0, at = 0; i < n; i++, at += p) {
        const pi = sigmoid(z[i]);
        const r = pi - y[i];
        const v = pi * (1 - pi);
        for (let j = 0; j < p; j++) row[j] = data[at + j];
        row[p] = 1;
        for (let j = 0; j < q; j++) {
          const xj = row[j];
          g[j] += r * xj;
          const vx = v * xj;
          for (let k = j; k < q; k++) H[j * q + k] += vx * row[k];
        }
      }
      gradMax = 0;
      for (let j = 0; j < q; j++) {
        g[j] *= C;
        if (j < p) g[j] += theta[j];
        for (let k = j; k < q; k++) {
          H[j * q + k] *= C;
          H[k * q + j] = H[j * q + k];
        }
        if (j < p) H[j * q + j] += 1;
        if (j < p || fitIntercept) gradMax = Math.max(gradMax, Math.abs(g[j]));
      }
      options.onProgress?.({ iteration: iter, objective: f, gap: gradMax / (C * n) });
      if (gradMax / (C * n) <= tol) {
        converged = true;
        break;
      }
      if (!fitIntercept) {
        // b stays 0: drop its row and column from the Newton system.
        for (let k = 0; k < q; k++) H[p * q + k] = H[k * q + p] = 0;
        H[p * q + p] = 1;
        g[p] = 0;
      }
      const { w: step } = solveNormalEquations(H, g, q);
      let slope = 0;
      for (let j = 0; j < q; j++) slope += g[j] * step[j];
      let t = 1;
      let fNew = f;
      for (let k = 0; k < 50; k++, t /= 2) {
        for (let j = 0; j < q; j++) trial[j] = theta[j] - t * step[j];
        fNew = objective(trial);
        if (fNew <= f - 1e-4 * t * slope) break;
      }
      if (!(fNew <= f)) break; // no descent possible: at the optimum to machine precision
      theta.set(trial);
      f = fNew;
    }
    const warnings = converged ? [] : [`Newton's method stopped after ${iter} iterations without reaching tol (gradient ${(gradMax / (C * n)).toExponential(2)}); increase max_iter.`];
    return { coef_: theta.slice(0, p), intercept_: fitIntercept ? theta[p] : 0, info: { nIter: iter, converged, objective: f, warnings } };
  }

  /** Log-odds of class 1 (n values). */
  decisionFunction(X: Matrix): Float64Array {
    return this.score(X);
  }

  /** n × 2 row-major probabilities [P(class 0), P(class 1)]. */
  predictProba(X: Matrix): Float64Array {
    const z = this.score(X);
    const out = new Float64Array(2 * z.length);
    for (let i = 0; i < z.length; i++) {
      const p1 = sigmoid(z[i]);
      out[2 * i] = 1 - p1;
      out[2 * i + 1] = p1;
    }
    return out;
  }

  predict(X: Matrix): Float64Array {
    const z = this.score(X);
    for (let i = 0; i < z.length; i++) z[i] = z[i] > 0 ? 1 : 0;
    return z;
  }
}
