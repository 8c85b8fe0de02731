/**
 * Confidence intervals of the fitted mean and prediction intervals of a new observation for
 * new rows of an ordinary least-squares fit, as statsmodels' `OLS(...).fit().get_prediction(
 * x̃).summary_frame(alpha)` reports them (statsmodels 0.13, `PredictionResults`; Greene,
 * Econometric Analysis, 7th ed., §4.6):
 *
 *   ŷ = x̃ᵀβ̂,  se_mean = √(x̃ᵀ Cov(β̂) x̃),  se_obs = √(σ² + se_mean²),
 *   mean_ci = ŷ ± t · se_mean,  obs_ci = ŷ ± t · se_obs,   t = t_{1−(1−level)/2, dfResid},
 *
 * with x̃ = [1, x] when the fit has an intercept, Cov(β̂) = σ²(X̃ᵀX̃)⁻¹ ordered [intercept, x…]
 * and σ² the residual variance, as olsInference returns them.
 *
 * Numerics. For features far from the origin the assembled quadratic form x̃ᵀCov x̃ cancels:
 * with column offsets 1e4 and unit spread its terms are ~1e8 times the result, which keeps
 * only ~8 digits (statsmodels' mean_se is ~3e-8 off in such a case). With an intercept and
 * the training row count n, the block inverse of X̃ᵀX̃ (see ols-inference.ts) gives instead
 *   x̃ᵀ Cov x̃ = σ²/n + (x − μ)ᵀ C_xx (x − μ),   μ = −C_xx⁻¹ c_x,
 * C_xx the features' block of Cov and c_x its intercept column (c_x = −C_xx μ, μ the training
 * means), which has no cancellation beyond that of x − μ itself. It assumes Cov is exactly
 * σ²(X̃ᵀX̃)⁻¹ over n rows (olsInference's, or an affine reparametrization of it); when
 * `nObs` is absent, or the recovered μ does not reproduce Cov's corner
 * Cov₀₀ = σ²/n + μᵀC_xxμ to 1e-6, the assembled form is used.
 */
import { InvalidInputError } from "../errors.ts";
import { choleskyFactor, choleskySolve } from "../linalg/kernels.ts";
import type { Matrix } from "../matrix.ts";
import { tQuantile } from "./distributions.ts";
import type { OlsFit, OlsInference } from "./ols-inference.ts";

/** What the intervals need from olsInference (an OlsInference has all of it). */
export interface OlsPredictionInference {
  /** σ²(X̃ᵀX̃)⁻¹, k × k ordered [intercept, x₀, …]; null (rank-deficient fit) is rejected */
  covariance: OlsInference["covariance"];
  /** residual variance σ²; null (no residual degrees of freedom) is rejected */
  sigma2: OlsInference["sigma2"];
  dfResid: number;
  /** training rows; enables the cancellation-free form for fits with an intercept (module comment) */
  nObs?: number;
}

export interface PredictionIntervalOptions {
  /** confidence level, in (0, 1); default 0.95 (statsmodels `summary_frame(alpha = 1 − level)`) */
  level?: number;
}

/** statsmodels' summary_frame columns, one entry per new row. */
export interface PredictionIntervals {
  level: number;
  /** ŷ = x̃ᵀβ̂ */
  mean: Float64Array;
  /** standard error of the fitted mean, √(x̃ᵀ Cov x̃) */
  meanSe: Float64Array;
  meanCiLower: Float64Array;
  meanCiUpper: Float64Array;
  /** standard error of a new observation, √(σ² + meanSe²) */
  obsSe: Float64Array;
  obsCiLower: Float64Array;
  obsCiUpper: Float64Array;
}

/** Relative mismatch of Cov₀₀ above which the covariance is not taken as σ²(X̃ᵀX̃)⁻¹ over nObs rows. */
const STRUCTURE_TOL = 1e-6;

/**
 * Intervals for the rows of `X` (m × p, raw features as the fit's), O(m·p²) after an O(p³) setup.
 *
 * @example
 * const inf = olsInference(X, y, fit);
 * const pi = predictionIntervals(Xnew, fit, inf, { level: 0.9 });
 * pi.obsCiLower[0]; pi.obsCiUpper[0];
 * @throws InvalidInputError when the fit has no covariance (rank-deficient) or no residual degrees of freedom
 */
export function predictionIntervals(
  X: Matrix,
  fit: OlsFit,
  inference: OlsPredictionInference,
  options: PredictionIntervalOptions = {},
): PredictionIntervals {
  const { rows: m, cols: p, data } = X;
  if (fit.coef.length !== p) throw new RangeError(`predictionIntervals: X has ${p} features but coef has ${fit.coef.length}`);
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1)) {
    throw new InvalidInputError(`The confidence level must be in (0, 1), e.g. 0.95; got ${level}.`, { field: "level" });
  }
  const { covariance: C, sigma2, dfResid } = inference;
  if (C === null || sigma2 === null || !(dfResid > 0)) {
    throw new InvalidInputError(
      "Prediction intervals need a full-rank least-squares fit with residual degrees of freedom (its covariance and σ²); this fit has none. Drop redundant columns or use more rows than parameters.",
      { field: "model" },
    );
  }
  const c = fit.fitIntercept ? 1 : 0;
  const k = p + c;
  if (C.length !== k || C.some((row) => row.length !== k)) {
    throw new RangeError(`predictionIntervals: the covariance must be ${k} × ${k} for ${p} features${c ? " and an intercept" : ""}`);
  }
  const b0 = fit.fitIntercept ? fit.intercept : 0;
  const beta = Float64Array.from(fit.coef);
  const q = tQuantile(1 - (1 - level) / 2, dfResid);

  // The features' block as a flat p × p array, and the training means when the structure allows.
  const Cxx = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) Cxx[i * p + j] = C[i + c][j + c];
  const mu = fit.fitIntercept && inference.nObs !== undefined && inference.nObs > 0 ? trainingMeans(C, Cxx, p, sigma2 / inference.nObs) : null;
  const base = mu ? sigma2 / (inference.nObs as number) : 0;

  const out: PredictionIntervals = {
    level,
    mean: new Float64Array(m),
    meanSe: new Float64Array(m),
    meanCiLower: new Float64Array(m),
    meanCiUpper: new Float64Array(m),
    obsSe: new Float64Array(m),
    obsCiLower: new Float64Array(m),
    obsCiUpper: new Float64Array(m),
  };
  const u = new Float64Array(p);
  const xt = new Float64Array(k);
  if (c) xt[0] = 1;
  for (let r = 0, at = 0; r < m; r++, at += p) {
    let yhat = b0;
    for (let j = 0; j < p; j++) yhat += data[at + j] * beta[j];
    let quad: number;
    if (mu) {
      for (let j = 0; j < p; j++) u[j] = data[at + j] - mu[j];
      quad = base + quadraticForm(Cxx, u, p);
    } else {
      xt.set(data.subarray(at, at + p), c);
      quad = assembledForm(C, xt, k);
    }
    // A covariance is positive semi-definite: a negative value is rounding of a zero.
    const meanSe = Math.sqrt(Math.max(quad, 0));
    const obsSe = Math.sqrt(sigma2 + meanSe * meanSe);
    out.mean[r] = yhat;
    out.meanSe[r] = meanSe;
    out.meanCiLower[r] = yhat - q * meanSe;
    out.meanCiUpper[r] = yhat + q * meanSe;
    out.obsSe[r] = obsSe;
    out.obsCiLower[r] = yhat - q * obsSe;
    out.obsCiUpper[r] = yhat + q * obsSe;
  }
  return out;
}

/**
 * μ = −C_xx⁻¹ c_x by Cholesky of the diagonally scaled D C_xx D (D = diag(C_xx)^-½), or null
 * when C_xx is not numerically positive definite or μ fails the check Cov₀₀ = σ²/n + μᵀC_xxμ.
 */
function trainingMeans(C: number[][], Cxx: Float64Array, p: number, sigma2OverN: number): Float64Array | null {
  const d = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const v = Cxx[j * p + j];
    if (!(v > 0)) return null;
    d[j] = 1 / Math.sqrt(v);
  }
  const L = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) L[i * p + j] = d[i] * Cxx[i * p + j] * d[j];
  if (!choleskyFactor(L, p)) return null;
  // (D C_xx D)(D⁻¹μ) = −D c_x
  const mu = new Float64Array(p);
  for (let j = 0; j < p; j++) mu[j] = -d[j] * C[j + 1][0];
  choleskySolve(L, p, mu);
  for (let j = 0; j < p; j++) mu[j] *= d[j];
  const corner = sigma2OverN + quadraticForm(Cxx, mu, p);
  return Math.abs(corner - C[0][0]) <= STRUCTURE_TOL * Math.abs(C[0][0]) ? mu : null;
}

/** uᵀ A u for a symmetric p × p row-major A. */
function quadraticForm(A: Float64Array, u: Float64Array, p: number): number {
  let s = 0;
  for (let i = 0; i < p; i++) {
    let row = 0;
    for (let j = 0; j < p; j++) row += A[i * p + j] * u[j];
    s += u[i] * row;
  }
  return s;
}

/** x̃ᵀ C x̃ straight from the assembled k × k covariance. */
function assembledForm(C: number[][], xt: Float64Array, k: number): number {
  let s = 0;
  for (let i = 0; i < k; i++) {
    const Ci = C[i];
    let row = 0;
    for (let j = 0; j < k; j++) row += Ci[j] * xt[j];
    s += xt[i] * row;
  }
  return s;
}
