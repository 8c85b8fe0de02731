/**
 * Dual coordinate descent for L2-regularised linear SVMs (Hsieh, Chang, Lin, Keerthi &
 * Sundararajan, "A Dual Coordinate Descent Method for Large-scale Linear SVM", ICML 2008,
 * Alg. 1 and the shrinking of §3.2) — liblinear's `solve_l2r_l1l2_svc`, which scikit-learn's
 * LinearSVC runs. With y_i ∈ {−1, +1} and the bias feature x̄_i = (x_i, B) it minimises the
 * dual of
 *
 *     P(w̄) = ½‖w̄‖² + C Σ_i ξ(1 − y_i w̄ᵀx̄_i),   ξ(m) = max(0, m) (hinge) or max(0, m)² (squared),
 *
 *     D(α) = ½ αᵀ Q̄ α − Σ α_i,  Q̄ = Q + diag(D_ii),  Q_ij = y_i y_j x̄_iᵀx̄_j,
 *     0 ≤ α_i ≤ U;  hinge: U = C, D_ii = 0;  squared hinge: U = ∞, D_ii = 1/(2C),
 *
 * keeping w̄ = Σ α_i y_i x̄_i up to date so that each coordinate step costs O(p).
 *
 * Stopping rule (liblinear): the spread of the projected gradient over one pass,
 * max PG − min PG, is at most `tol`; if that happens on a shrunk active set, the set is
 * reset to all rows and the pass repeated, so convergence is always certified on every row.
 */
import type { Matrix } from "../../matrix.ts";
import type { Random } from "../../random.ts";
import { axpy, dot } from "../../linalg/blas.ts";

export interface DualCDOptions {
  C: number;
  loss: "hinge" | "squared_hinge";
  tol: number;
  maxIter: number;
  /** value B of the constant bias feature (intercept_scaling), or 0 for no intercept */
  bias: number;
  random: Random;
  /** called after each pass with the dual objective D(α) and max PG − min PG; may throw */
  onIteration?: (iteration: number, dual: number, gap: number) => void;
}

export interface DualCDResult {
  /** length p */
  w: Float64Array;
  /** weight of the bias feature: the intercept is bias · wBias */
  wBias: number;
  nIter: number;
  converged: boolean;
  /** D(α) at the end */
  dual: number;
}

/**
 * @param X n × p
 * @param y length n, class indices 0/1 (mapped to −1/+1)
 */
export function dualCoordinateDescent(X: Matrix, y: Float64Array, options: DualCDOptions): DualCDResult {
  const { rows: n, cols: p, data } = X;
  const { C, loss, tol, maxIter, bias, random, onIteration } = options;
  const diag = loss === "hinge" ? 0 : 0.5 / C;
  const upper = loss === "hinge" ? C : Infinity;

  const w = new Float64Array(p);
  let wBias = 0;
  const alpha = new Float64Array(n);
  const QD = new Float64Array(n);
  const sign = new Float64Array(n);
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    sign[i] = y[i] > 0 ? 1 : -1;
    QD[i] = diag + dot(p, data, i * p, data, i * p) + bias * bias;
    index[i] = i;
  }

  // Running Σα and Σα² make D(α) = ½‖w̄‖² + ½·diag·Σα² − Σα available in O(p) per pass.
  let sumAlpha = 0;
  let sumAlpha2 = 0;
  let active = n;
  let pgMaxOld = Infinity;
  let pgMinOld = -Infinity;
  let iter = 0;
  let converged = false;
  while (iter < maxIter) {
    let pgMax = -Infinity;
    let pgMin = Infinity;
    // Random order of the active rows for this pass, by liblinear's draw j ∈ [s, active).
    // One 53-bit float per draw is half the cost of an exact bounded integer (this loop
    // runs n times per pass); min() guards the product rounding up to the bound.
    for (let s = 0; s < active; s++) {
      const j = Math.min(s + Math.floor(random.float() * (active - s)), active - 1);
      const t = index[s];
      index[s] = index[j];
      index[j] = t;
    }
    for (let s = 0; s < active; s++) {
      const i = index[s];
      const o = i * p;
      const yi = sign[i];
      const a = alpha[i];
      const G = yi * (dot(p, data, o, w, 0) + bias * wBias) - 1 + a * diag;
      let pg = 0;
      if (a === 0) {
        // Shrinking (§3.2): a row at its lower bound whose gradient exceeds last pass's
        // largest projected gradient is unlikely to move again; drop it from the active set.
        if (G > pgMaxOld) {
          active--;
          index[s] = index[active];
          index[active] = i;
          s--;
          continue;
        }
        if (G < 0) pg = G;
      } else if (a === upper) {
        if (G < pgMinOld) {
          active--;
          index[s] = index[active];
          index[active] = i;
          s--;
          continue;
        }
        if (G > 0) pg = G;
      } else {
        pg = G;
      }
      if (pg > pgMax) pgMax = pg;
      if (pg < pgMin) pgMin = pg;
      if (Math.abs(pg) > 1e-12) {
        // Exact minimisation of D along coordinate i, clipped to the box [0, U].
        const next = Math.min(Math.max(a - G / QD[i], 0), upper);
        alpha[i] = next;
        const step = (next - a) * yi;
        axpy(p, step, data, o, w, 0);
        wBias += step * bias;
        sumAlpha += next - a;
        sumAlpha2 += next * next - a * a;
      }
    }
    iter++;
    const spread = pgMax - pgMin;
    onIteration?.(iter, dualValue(w, wBias, diag, sumAlpha, sumAlpha2), spread);
    if (spread <= tol) {
      if (active === n) {
        converged = true;
        break;
      }
      // Converged on the shrunk set only: check every row again before stopping.
      active = n;
      pgMaxOld = Infinity;
      pgMinOld = -Infinity;
      continue;
    }
    pgMaxOld = pgMax > 0 ? pgMax : Infinity;
    pgMinOld = pgMin < 0 ? pgMin : -Infinity;
  }
  return { w, wBias, nIter: iter, converged, dual: dualValue(w, wBias, diag, sumAlpha, sumAlpha2) };
}

function dualValue(w: Float64Array, wBias: number, diag: number, sumAlpha: number, sumAlpha2: number): number {
  return 0.5 * (dot(w.length, w, 0, w, 0) + wBias * wBias) + 0.5 * diag * sumAlpha2 - sumAlpha;
}

/**
 * The primal objective P(w̄) above, for fitInfo and parity tests (one pass).
 *
 * @param X n × p;  y length n, 0/1
 */
export function svmPrimalObjective(
  X: Matrix,
  y: Float64Array,
  w: Float64Array,
  wBias: number,
  bias: number,
  C: number,
  loss: "hinge" | "squared_hinge",
): number {
  const { rows: n, cols: p, data } = X;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const m = 1 - (y[i] > 0 ? 1 : -1) * (dot(p, data, i * p, w, 0) + bias * wBias);
    if (m > 0) sum += loss === "hinge" ? m : m * m;
  }
  return 0.5 * (dot(p, w, 0, w, 0) + wBias * wBias) + C * sum;
}
