/**
 * Coordinate descent for the elastic net (Friedman, Hastie & Tibshirani, "Regularization paths
 * for generalized linear models via coordinate descent", J. Stat. Softw. 33, 2010), exactly as
 * scikit-learn's `enet_coordinate_descent` (sklearn/linear_model/_cd_fast.pyx) so that `tol`
 * and `max_iter` mean the same thing:
 *
 *   minimise_w  ½‖y − X w‖² + λ₁‖w‖₁ + ½λ₂‖w‖²,   λ₁ = n·α·ρ,  λ₂ = n·α·(1 − ρ)
 *
 * (the n-scaled form of (1/2n)‖y − Xw‖² + αρ‖w‖₁ + ½α(1−ρ)‖w‖²), on centred X and y when an
 * intercept is fitted. Each pass updates every coordinate in turn by soft thresholding,
 *   w_j ← S(x_jᵀ r + ‖x_j‖² w_j, λ₁) / (‖x_j‖² + λ₂),
 * keeping the residual r = y − X w current. After a pass whose largest coefficient change is
 * at most tol·max|w| (or when every w_j is 0, or at the last pass), it computes the duality gap
 * of the dual point obtained by scaling r into the dual feasible set, and stops when
 *   gap < tol·‖y‖²
 * (sklearn's criterion; for λ₁ = 0 see dualityGap). Reaching max_iter without that is
 * reported as not converged. With the same data and tol the passes and the stopping pass are
 * sklearn's: the fixtures agree on n_iter_ for every λ₁ > 0 case.
 *
 * X is read by columns: the caller passes it column-major (n × p, column j at j·n); or, with
 * {@link elasticNetGramCD}, only its Gram matrix.
 */
import type { Random } from "../../random.ts";

export interface CoordinateDescentOptions {
  /** λ₁ = n·α·ρ and λ₂ = n·α·(1 − ρ) (the n-scaled penalties) */
  l1: number;
  l2: number;
  tol: number;
  maxIter: number;
  /** "random": a uniformly drawn coordinate per step (sklearn's selection="random") */
  random?: Random;
  /**
   * After each pass, with the n-scaled objective ½‖r‖² + λ₁‖w‖₁ + ½λ₂‖w‖² and the duality gap
   * when this pass computed one (undefined otherwise); may throw (cancellation).
   */
  onIteration?: (iteration: number, objective: number, gap: number | undefined) => void;
}

export interface CoordinateDescentResult {
  w: Float64Array;
  /** the duality gap at the last check (in the n-scaled objective) */
  gap: number;
  nIter: number;
  converged: boolean;
}

/**
 * What a pass needs of the data, in one of two forms: the centred columns themselves with the
 * residual r = y − Xw kept current (O(n) per coordinate), or their Gram matrix with Qw kept
 * current (O(p)). Every quantity is the same in exact arithmetic:
 *   x_jᵀr = q_j − (Qw)_j,   ‖r‖² = yᵀy + wᵀQw − 2qᵀw,   rᵀy = yᵀy − qᵀw.
 */
interface CoordinateForm {
  /** ‖x_j‖² */
  norm(j: number): number;
  /** x_jᵀr at the current w */
  xtr(j: number): number;
  /** w_j has moved by `delta`: bring r (or Qw) along */
  moved(j: number, delta: number): void;
  /** ‖r‖² and rᵀy at the current w */
  residual(): { rr: number; ry: number };
  /** Xᵀr at the current w, into `out` */
  gradient(out: Float64Array): void;
}

/**
 * @param Xc column-major n × p (centred when an intercept is fitted)
 * @param y length n (centred likewise)
 */
export function elasticNetCD(Xc: Float64Array, n: number, p: number, y: Float64Array, options: CoordinateDescentOptions): CoordinateDescentResult {
  const r = Float64Array.from(y);
  const norms = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let s = 0;
    const o = j * n;
    for (let i = 0; i < n; i++) s += Xc[o + i] * Xc[o + i];
    norms[j] = s;
  }
  let yy = 0;
  for (let i = 0; i < n; i++) yy += y[i] * y[i];
  const xtr = (j: number) => {
    // ρ_j − ‖x_j‖²w_j = x_jᵀr, without forming r + x_j w_j
    let s = 0;
    const o = j * n;
    for (let i = 0; i < n; i++) s += Xc[o + i] * r[i];
    return s;
  };
  const form: CoordinateForm = {
    norm: (j) => norms[j],
    xtr,
    moved: (j, delta) => {
      const o = j * n;
      for (let i = 0; i < n; i++) r[i] -= delta * Xc[o + i];
    },
    residual: () => {
      let rr = 0;
      let ry = 0;
      for (let i = 0; i < n; i++) {
        rr += r[i] * r[i];
        ry += r[i] * y[i];
      }
      return { rr, ry };
    },
    gradient: (out) => {
      for (let j = 0; j < p; j++) out[j] = xtr(j);
    },
  };
  return coordinateDescent(form, new Float64Array(p), yy, options);
}

export interface GramCoordinateDescentResult extends CoordinateDescentResult {
  /** ‖y − X w‖² at the returned w (from the Gram matrix: yᵀy + wᵀQw − 2qᵀw) */
  residualNorm2: number;
}

/**
 * The same coordinate descent on the Gram matrix Q = XᵀX and q = Xᵀy instead of X: scikit-learn's
 * `enet_coordinate_descent_gram` (its `precompute=True`), with the same iterates as
 * {@link elasticNetCD}'s in exact arithmetic (see CoordinateForm). A pass costs O(p²) instead of
 * O(n·p), and X is read once, to form Q (by the caller), rather than copied column-major: for
 * 1M × 20 that copy was 160 MB beside X, the largest peak of any estimator.
 *
 * @param Q p × p, row-major (symmetric), centred when an intercept is fitted
 * @param q Xᵀy, length p
 * @param yy yᵀy
 */
export function elasticNetGramCD(Q: Float64Array, q: Float64Array, yy: number, p: number, options: CoordinateDescentOptions): GramCoordinateDescentResult {
  const Qw = new Float64Array(p);
  const w = new Float64Array(p);
  const form: CoordinateForm = {
    norm: (j) => Q[j * p + j],
    xtr: (j) => q[j] - Qw[j],
    moved: (j, delta) => {
      for (let k = 0, o = j * p; k < p; k++) Qw[k] += delta * Q[o + k];
    },
    residual: () => {
      let wQw = 0;
      let qw = 0;
      for (let j = 0; j < p; j++) {
        wQw += w[j] * Qw[j];
        qw += q[j] * w[j];
      }
      return { rr: yy + wQw - 2 * qw, ry: yy - qw };
    },
    gradient: (out) => {
      for (let j = 0; j < p; j++) out[j] = q[j] - Qw[j];
    },
  };
  const result = coordinateDescent(form, w, yy, options);
  return { ...result, residualNorm2: form.residual().rr };
}

/**
 * The passes, the stopping rule and the progress reports, whatever the form of the data. `w`
 * (zeros) is updated in place; the form reads the same array.
 */
function coordinateDescent(form: CoordinateForm, w: Float64Array, yy: number, options: CoordinateDescentOptions): CoordinateDescentResult {
  const { l1, l2, maxIter, random, onIteration } = options;
  const p = w.length;
  const tol = options.tol * yy;
  const xtr = new Float64Array(p);
  let gap = tol + 1;
  let nIter = 0;
  let converged = false;

  for (let iter = 0; iter < maxIter; iter++) {
    nIter = iter + 1;
    let wMax = 0;
    let dwMax = 0;
    for (let step = 0; step < p; step++) {
      const j = random ? random.int(0, p - 1) : step;
      const norm = form.norm(j);
      if (norm === 0) continue;
      const old = w[j];
      // ρ_j = x_jᵀ(r + x_j w_j)
      const rho = form.xtr(j) + norm * old;
      const next = Math.sign(rho) * Math.max(Math.abs(rho) - l1, 0) / (norm + l2);
      if (next !== old) {
        form.moved(j, next - old);
        w[j] = next;
      }
      dwMax = Math.max(dwMax, Math.abs(next - old));
      wMax = Math.max(wMax, Math.abs(next));
    }
    let checked: number | undefined;
    const needGap = wMax === 0 || dwMax / wMax < options.tol || iter === maxIter - 1;
    if (needGap || onIteration) {
      const { rr, ry } = form.residual();
      if (needGap) {
        form.gradient(xtr);
        gap = checked = dualityGap(xtr, w, p, rr, ry, l1, l2);
        if (gap < tol) converged = true;
      }
      if (onIteration) onIteration(nIter, 0.5 * rr + penalty(w, p, l1, l2), checked);
    }
    if (converged) break;
  }
  return { w, gap, nIter, converged };
}

/** λ₁‖w‖₁ + ½λ₂‖w‖². */
function penalty(w: Float64Array, p: number, l1: number, l2: number): number {
  let w1 = 0;
  let ww = 0;
  for (let j = 0; j < p; j++) {
    w1 += Math.abs(w[j]);
    ww += w[j] * w[j];
  }
  return l1 * w1 + 0.5 * l2 * ww;
}

/**
 * The duality gap at w, from Xᵀr, ‖r‖² and rᵀy (sklearn's, _cd_fast.pyx): the dual point is r
 * scaled by min(1, λ₁ / ‖Xᵀr − λ₂w‖_∞), so that it is dual feasible for the lasso on the data
 * augmented by √λ₂·I (which is what the elastic net is).
 *
 * λ₁ = 0 departs from sklearn, whose scale λ₁/‖·‖_∞ is then 0 so that its gap never closes
 * and l1_ratio = 0 always runs to max_iter. With λ₂ > 0 we use instead the Fenchel dual
 *   D(θ) = ½‖y‖² − ½‖y − θ‖² − ‖Xᵀθ‖²/(2λ₂),
 * which needs no scaling: at θ = r, P(w) − D(r) = ‖Xᵀr − λ₂w‖²/(2λ₂), a true bound on
 * P(w) − P* (λ₂-strong convexity). With α = 0 (no penalty at all) there is no bounded dual
 * point and sklearn's ½‖r‖² is kept: it closes only on an exact fit, as in sklearn, whose
 * advice is LinearRegression.
 */
function dualityGap(xtr: Float64Array, w: Float64Array, p: number, rr: number, ry: number, l1: number, l2: number): number {
  let dualNorm = 0;
  let gg = 0;
  let ww = 0;
  let w1 = 0;
  for (let j = 0; j < p; j++) {
    const g = xtr[j] - l2 * w[j];
    dualNorm = Math.max(dualNorm, Math.abs(g));
    gg += g * g;
    ww += w[j] * w[j];
    w1 += Math.abs(w[j]);
  }
  if (l1 === 0 && l2 > 0) return gg / (2 * l2);
  const constant = dualNorm > l1 ? l1 / dualNorm : 1;
  const gap = dualNorm > l1 ? 0.5 * (rr + rr * constant * constant) : rr;
  return gap + l1 * w1 - constant * ry + 0.5 * l2 * (1 + constant * constant) * ww;
}
