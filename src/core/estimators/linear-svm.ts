/**
 * Binary soft-margin linear SVM, LinearSVC's (liblinear's) primal problem:
 *   min ½‖w̃‖² + C · Σ_i ℓ(y_i w̃·x̃_i),   y ∈ {−1, +1},
 * with ℓ(m) = max(0, 1 − m)² ('squared_hinge', the default) or max(0, 1 − m) ('hinge'), and
 * x̃ = [x, intercept_scaling], w̃ = [w, b / intercept_scaling]: the intercept is a weight on a
 * constant feature and so IS penalized, exactly as in liblinear (scikit-learn documents the
 * same; raise intercept_scaling to weaken that penalty).
 *
 * Solved in the dual by coordinate descent (Hsieh, Chang, Lin, Keerthi, Sathiya & Sudarshan,
 * "A Dual Coordinate Descent Method for Large-scale Linear SVM", ICML 2008; liblinear's
 * solve_l2r_l1l2_svc without shrinking): min ½αᵀ(Q + D)α − eᵀα, 0 ≤ α_i ≤ U, where
 * squared hinge has D_ii = 1/(2C), U = ∞ and hinge D = 0, U = C. Coordinates are visited in
 * a seeded random order each epoch; stop when the spread of projected gradients is ≤ tol
 * (liblinear's criterion). X: n × p, y: n (class indices 0/1, mapped to −1/+1).
 */
import type { Matrix } from "../matrix.ts";
import { createRandom, permutation } from "../random.ts";
import { LinearModel, type LinearState } from "./linear-model.ts";
import { checkBinaryTarget, FitCancelledError } from "./classifier.ts";
import type { ParamTable } from "./params.ts";
import type { Classifier, FitOptions } from "./types.ts";

export const LINEAR_SVM_PARAMS: ParamTable = {
  C: { type: "float", default: 1, min: 0, exclusiveMin: true, description: "Inverse of the penalty strength; smaller means a softer margin." },
  loss: { type: "enum", default: "squared_hinge", values: ["squared_hinge", "hinge"], description: "The margin loss." },
  fit_intercept: { type: "bool", default: true, description: "Fit an intercept (penalized, as in liblinear)." },
  intercept_scaling: { type: "float", default: 1, min: 0, exclusiveMin: true, description: "Value of the constant feature that carries the intercept." },
  tol: { type: "float", default: 1e-4, min: 0, exclusiveMin: true, description: "Stop when the projected-gradient spread is below this." },
  max_iter: { type: "int", default: 1000, min: 1, max: 10_000_000, description: "Most passes over the data." },
  random_state: { type: "int", default: 0, min: 0, max: 2 ** 31 - 1, description: "Seed of the coordinate order." },
};

export class LinearSVM extends LinearModel implements Classifier {
  readonly kind = "LINEAR_SVM";
  readonly task = "classification" as const;

  paramTable(): ParamTable {
    return LINEAR_SVM_PARAMS;
  }

  protected fitLinear(X: Matrix, y01: Float64Array, params: Record<string, any>, options: FitOptions): LinearState {
    checkBinaryTarget(this.kind, y01, options);
    const { C, loss, tol, max_iter: maxIter, fit_intercept: fitIntercept, intercept_scaling: scaling, random_state: seed } = params;
    const { data, rows: n, cols: p } = X;
    const B = fitIntercept ? scaling : 0;
    const diag = loss === "squared_hinge" ? 0.5 / C : 0;
    const upper = loss === "squared_hinge" ? Infinity : C;
    const w = new Float64Array(p);
    let wb = 0; // weight of the constant feature B
    const alpha = new Float64Array(n);
    const Qii = new Float64Array(n);
    for (let i = 0, at = 0; i < n; i++, at += p) {
      let s = B * B + diag;
      for (let j = 0; j < p; j++) s += data[at + j] * data[at + j];
      Qii[i] = s;
    }
    const random = createRandom(seed);
    let iter = 0;
    let converged = false;
    let spread = Infinity;
    for (; iter < maxIter; iter++) {
      if (options.isCancelled?.()) throw new FitCancelledError(this.kind, iter);
      const order = permutation(n, random);
      let pgMax = -Infinity;
      let pgMin = Infinity;
      for (let k = 0; k < n; k++) {
        const i = order[k];
        const at = i * p;
        const yi = y01[i] === 1 ? 1 : -1;
        let margin = wb * B;
        for (let j = 0; j < p; j++) margin += w[j] * data[at + j];
        const G = yi * margin - 1 + diag * alpha[i];
        let pg = G;
        if (alpha[i] === 0) pg = Math.min(G, 0);
        else if (alpha[i] === upper) pg = Math.max(G, 0);
        pgMax = Math.max(pgMax, pg);
        pgMin = Math.min(pgMin, pg);
        if (Math.abs(pg) > 1e-12) {
          const old = alpha[i];
          alpha[i] = Math.min(Math.max(old - G / Qii[i], 0), upper);
          const delta = (alpha[i] - old) * yi;
          for (let j = 0; j < p; j++) w[j] += delta * data[at + j];
          wb += delta * B;
        }
      }
      spread = pgMax - pgMin;
      if (options.onProgress) options.onProgress({ iteration: iter, objective: this.primal(X, y01, w, wb, B, C, loss), gap: spread });
      if (spread <= tol) {
        converged = true;
        iter++;
        break;
      }
    }
    const warnings = converged ? [] : [`Dual coordinate descent stopped after ${iter} passes without reaching tol (projected-gradient spread ${spread.toExponential(2)}); increase max_iter.`];
    return {
      coef_: w,
      intercept_: wb * B,
      info: { nIter: iter, converged, objective: this.primal(X, y01, w, wb, B, C, loss), warnings },
    };
  }

  /** The primal objective above, for progress and parity checks. */
  private primal(X: Matrix, y01: Float64Array, w: Float64Array, wb: number, B: number, C: number, loss: string): number {
    const { data, rows: n, cols: p } = X;
    let reg = wb * wb;
    for (let j = 0; j < p; j++) reg += w[j] * w[j];
    let total = 0;
    for (let i = 0, at = 0; i < n; i++, at += p) {
      let m = wb * B;
      for (let j = 0; j < p; j++) m += w[j] * data[at + j];
      const slack = Math.max(0, 1 - (y01[i] === 1 ? m : -m));
      total += loss === "squared_hinge" ? slack * slack : slack;
    }
    return 0.5 * reg + C * total;
  }

  /** Signed distance-like margin w·x + b; positive → class 1 (n values). */
  decisionFunction(X: Matrix): Float64Array {
    return this.score(X);
  }

  predict(X: Matrix): Float64Array {
    const z = this.score(X);
    for (let i = 0; i < z.length; i++) z[i] = z[i] > 0 ? 1 : 0;
    return z;
  }
}
