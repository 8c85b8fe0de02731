/**
 * Inference statistics for an ordinary least-squares fit, as statsmodels' `OLS(...).fit()`
 * reports them (statsmodels 0.13, `RegressionResults`): standard errors, t values, two-sided
 * p-values and confidence intervals of every coefficient, the regression's F test,
 * log-likelihood, AIC, BIC, R², adjusted R² and the condition number.
 *
 * X: n × p raw features (row-major, no constant column), y: n. X̃ is X with the constant
 * column prepended when the fit has an intercept (statsmodels' `add_constant`), k = p + 1 or p.
 *
 * Numerics. (X̃ᵀX̃)⁻¹ is never formed from the raw Gram matrix, whose entries cancel when
 * columns have offsets: with an intercept its block inverse is
 *   [[1/n + μᵀG⁻¹μ, −(G⁻¹μ)ᵀ], [−G⁻¹μ, G⁻¹]],   G = (X − 1μᵀ)ᵀ(X − 1μᵀ)  (centered Gram),
 * and G⁻¹ comes from the Cholesky factor of the diagonally scaled D G D (D = diag(G)^-½), as in
 * src/core/linalg/least-squares.ts. The condition number of X̃ᵀX̃ = L Lᵀ uses the factor
 * L = [[√n, 0], [√n·μ, chol(G)]] (exact: the Schur complement of n in X̃ᵀX̃ is G), whose
 * singular values one-sided Jacobi computes to high relative accuracy (Demmel & Veselić,
 * "Jacobi's method is more accurate than QR", SIAM J. Matrix Anal. Appl. 13, 1992), the
 * way statsmodels takes them from an SVD of X̃ rather than from eigenvalues of X̃ᵀX̃.
 *
 * Rank-deficient designs (constant or collinear columns, relative eigenvalue of D G D below
 * 1e-12, the cutoff of the least-squares solver): the degrees of freedom use the numerical
 * rank r as statsmodels does (df_model = r − k_constant, df_resid = n − r), but the
 * covariance, standard errors, t values, p-values and intervals are null: statsmodels'
 * pseudo-inverse values for a non-identifiable coefficient are not meaningful.
 *
 * The intercept is taken from `fit.fitIntercept`; unlike statsmodels, a constant column
 * inside X is not detected as an implicit intercept.
 */
import { InvalidInputError } from "../errors.ts";
import { cholesky, choleskySolve, columnMeans, gram, mean, symmetricEigen, type CenteredDesign } from "../linalg/kernels.ts";
import type { Matrix } from "../matrix.ts";
import { fSf, tQuantile, tSf } from "./distributions.ts";

/** The fitted model the statistics are about (e.g. a LinearRegression's coef_ and intercept_). */
export interface OlsFit {
  /** p coefficients, in the order of X's columns */
  coef: ArrayLike<number>;
  /** ignored (taken as 0) when `fitIntercept` is false */
  intercept: number;
  fitIntercept: boolean;
}

export interface OlsInferenceOptions {
  /** confidence level of the intervals, in (0, 1); default 0.95 (statsmodels `conf_int(alpha = 1 − level)`) */
  level?: number;
  /**
   * THIS X's column means (zeros without an intercept) and centred Gram, when the fit already
   * formed them (LinearRegression.trainingDesign()): saves the two passes that compute them.
   */
  design?: CenteredDesign;
}

/** One coefficient's row of statsmodels' summary table; null where undefined (see OlsInference). */
export interface CoefficientInference {
  estimate: number;
  stdError: number | null;
  tValue: number | null;
  /** two-sided, from Student's t with dfResid degrees of freedom */
  pValue: number | null;
  ciLower: number | null;
  ciUpper: number | null;
}

/** JSON-ready (plain numbers and arrays, no NaN or Infinity). */
export interface OlsInference {
  nObs: number;
  /** numerical rank of X̃ (= k for a full-rank design); statsmodels' df_model + k_constant */
  rank: number;
  dfModel: number;
  dfResid: number;
  level: number;
  /** null when the fit has no intercept */
  intercept: CoefficientInference | null;
  coefficients: CoefficientInference[];
  /** σ²(X̃ᵀX̃)⁻¹, k × k in the order [intercept, x₀, …, x_{p−1}]; null when rank-deficient or dfResid ≤ 0 */
  covariance: number[][] | null;
  /** residual variance RSS/dfResid (statsmodels `scale`); null when dfResid ≤ 0 */
  sigma2: number | null;
  /** residual sum of squares (statsmodels `ssr`) */
  rss: number;
  /** centered with an intercept, uncentered (Σy²) without, as statsmodels; null when the total sum of squares is 0 */
  rSquared: number | null;
  adjRSquared: number | null;
  fStatistic: number | null;
  fPValue: number | null;
  /** −n/2·(ln 2π + ln(RSS/n) + 1); null (with AIC, BIC) for a perfect fit, RSS = 0 */
  logLikelihood: number | null;
  /** −2·llf + 2·rank */
  aic: number | null;
  /** −2·llf + ln(n)·rank */
  bic: number | null;
  /** √(λ_max/λ_min) of X̃ᵀX̃ (statsmodels `condition_number`); null when X̃ᵀX̃ is numerically singular */
  conditionNumber: number | null;
  warnings: string[];
}

/** Relative eigenvalue of the scaled Gram matrix below which a direction counts as absent (as in least-squares.ts). */
const RANK_TOL = 1e-12;
/** Relative variance below which a column counts as constant (as in linear-regression.ts). */
const CONSTANT_TOL = 1e-20;
/** Condition number above which the results come with a multicollinearity warning. */
export const CONDITION_WARNING = 1e10;
/** |cos| between a (centered) column and the residuals above which the coefficients are not the least-squares solution. */
const ORTHOGONALITY_TOL = 1e-6;

/**
 * statsmodels-equivalent OLS inference for a fitted linear model. Pure: three passes over X
 * (column means, centered Gram, residuals; one when `options.design` is given), O(n·p² + p³)
 * time, O(p²) extra memory.
 *
 * @example
 * const state = fitLeastSquares(X, y, true, 0);
 * const inf = olsInference(X, y, { coef: state.coef_, intercept: state.intercept_, fitIntercept: true });
 * inf.coefficients[0].pValue; inf.fPValue; inf.aic;
 */
export function olsInference(X: Matrix, y: Float64Array, fit: OlsFit, options: OlsInferenceOptions = {}): OlsInference {
  const { rows: n, cols: p, data } = X;
  if (y.length !== n) throw new RangeError(`olsInference: X has ${n} rows but y has ${y.length}`);
  if (fit.coef.length !== p) throw new RangeError(`olsInference: X has ${p} features but coef has ${fit.coef.length}`);
  if (n === 0) throw new InvalidInputError("OLS inference needs at least one row.", { field: "rows" });
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1)) {
    throw new InvalidInputError(`The confidence level must be in (0, 1), e.g. 0.95; got ${level}.`, { field: "level" });
  }
  const withIntercept = fit.fitIntercept;
  const kConst = withIntercept ? 1 : 0;
  const k = p + kConst;
  const b0 = withIntercept ? fit.intercept : 0;
  const w = Float64Array.from(fit.coef);

  const design = options.design;
  if (design && (design.mean.length !== p || design.gram.length !== p * p)) throw new RangeError(`olsInference: the design is not of ${p} features`);
  const mu = design ? design.mean : withIntercept ? columnMeans(X) : new Float64Array(p);
  const yMean = mean(y);
  const G = design ? design.gram : gram(X, mu);

  // Residual pass: RSS, total sum of squares, and the normal-equation residuals X̃ᵀr (which
  // vanish at the least-squares solution) to check that `fit` is one.
  let rss = 0;
  let tss = 0;
  let yy = 0;
  let sumR = 0;
  const xr = new Float64Array(p);
  for (let i = 0, at = 0; i < n; i++, at += p) {
    let r = y[i] - b0;
    for (let j = 0; j < p; j++) r -= data[at + j] * w[j];
    rss += r * r;
    sumR += r;
    const dy = withIntercept ? y[i] - yMean : y[i];
    tss += dy * dy;
    yy += y[i] * y[i];
    for (let j = 0; j < p; j++) xr[j] += (data[at + j] - mu[j]) * r;
  }

  const warnings: string[] = [];
  const factor = design?.qr ? factorFromQR(design.qr, p) : factorGram(G, mu, n, p, withIntercept);
  const rank = factor.rankG + kConst;
  const fullRank = factor.rankG === p;
  const dfModel = rank - kConst;
  const dfResid = n - rank;
  if (!fullRank) {
    warnings.push(
      `The design matrix is rank-deficient (rank ${rank} of ${k} parameters: constant or collinear columns); standard errors, t values, p-values and confidence intervals are not reported. Drop the redundant columns to get them.`,
    );
  }
  if (dfResid <= 0) {
    warnings.push(`There are ${n} observations for ${rank} estimated parameters: no residual degrees of freedom, so the residual variance and every test are undefined. Use more rows than parameters.`);
  }
  // ‖r‖ plus a rounding floor, so an exact fit (r ≈ 0) does not look non-orthogonal.
  const rNorm = Math.sqrt(rss) + 1e-9 * Math.sqrt(yy);
  let orthogonal = !withIntercept || Math.abs(sumR) <= ORTHOGONALITY_TOL * Math.sqrt(n) * rNorm;
  for (let j = 0; j < p && orthogonal; j++) orthogonal = Math.abs(xr[j]) <= ORTHOGONALITY_TOL * Math.sqrt(G[j * p + j]) * rNorm;
  if (!orthogonal) {
    warnings.push("The coefficients are not the least-squares solution for this X and y (the residuals are not orthogonal to the columns); the statistics assume they are.");
  }

  const sigma2 = dfResid > 0 ? rss / dfResid : null;

  // Covariance σ²(X̃ᵀX̃)⁻¹ by the block inverse (module comment), parameters ordered [intercept, x…].
  let covariance: number[][] | null = null;
  if (fullRank && factor.L && sigma2 !== null) {
    const Ginv = inverseFromScaledCholesky(factor.L, factor.d, p);
    covariance = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) covariance[i + kConst][j + kConst] = sigma2 * Ginv[i * p + j];
    if (withIntercept) {
      let quad = 0;
      for (let i = 0; i < p; i++) {
        let gi = 0;
        for (let j = 0; j < p; j++) gi += Ginv[i * p + j] * mu[j];
        covariance[0][i + 1] = covariance[i + 1][0] = -sigma2 * gi;
        quad += mu[i] * gi;
      }
      covariance[0][0] = sigma2 * (1 / n + quad);
    }
  }

  const q = dfResid > 0 ? tQuantile(1 - (1 - level) / 2, dfResid) : NaN;
  const row = (estimate: number, index: number): CoefficientInference => {
    const variance = covariance ? covariance[index][index] : NaN;
    if (!(variance > 0)) return { estimate, stdError: covariance ? 0 : null, tValue: null, pValue: null, ciLower: covariance ? estimate : null, ciUpper: covariance ? estimate : null };
    const se = Math.sqrt(variance);
    const t = estimate / se;
    return { estimate, stdError: se, tValue: t, pValue: 2 * tSf(Math.abs(t), dfResid), ciLower: estimate - q * se, ciUpper: estimate + q * se };
  };
  const intercept = withIntercept ? row(b0, 0) : null;
  const coefficients = Array.from(w, (v, j) => row(v, j + kConst));

  const rSquared = tss > 0 ? 1 - rss / tss : null;
  const adjRSquared = rSquared !== null && dfResid > 0 ? 1 - ((n - kConst) / dfResid) * (1 - rSquared) : null;
  let fStatistic: number | null = null;
  let fPValue: number | null = null;
  if (dfModel > 0 && dfResid > 0 && rss > 0) {
    fStatistic = (tss - rss) / dfModel / (rss / dfResid);
    fPValue = fSf(fStatistic, dfModel, dfResid);
  }
  const logLikelihood = rss > 0 ? (-n / 2) * (Math.log(2 * Math.PI) + Math.log(rss / n) + 1) : null;
  const aic = logLikelihood === null ? null : -2 * logLikelihood + 2 * rank;
  const bic = logLikelihood === null ? null : -2 * logLikelihood + Math.log(n) * rank;

  // A numerically rank-deficient design has an infinite condition number (reported as null);
  // the eigenvalues of an assembled X̃ᵀX̃ would only give rounding noise of size ε·λ_max.
  const conditionNumber = fullRank && factor.L ? conditionFromFactor(factor.L, factor.d, mu, n, p, withIntercept) : null;
  if (conditionNumber === null || conditionNumber > CONDITION_WARNING) {
    warnings.push(
      `The condition number is ${conditionNumber === null ? "infinite" : `large (${conditionNumber.toExponential(2)})`}: this might indicate strong multicollinearity or other numerical problems.`,
    );
  }

  return {
    nObs: n,
    rank,
    dfModel,
    dfResid,
    level,
    intercept,
    coefficients,
    covariance,
    sigma2,
    rss,
    rSquared,
    adjRSquared,
    fStatistic,
    fPValue,
    logLikelihood,
    aic,
    bic,
    conditionNumber,
    warnings,
  };
}

interface GramFactor {
  /** numerical rank of G (columns of X after centering) */
  rankG: number;
  /** Cholesky factor (lower, row-major p × p) of D G D when G is numerically full rank */
  L: Float64Array | null;
  /** D = diag(G)^-½ */
  d: Float64Array;
}

/**
 * The fit's own triangular factor when it went through QR (ill-conditioned designs): R_sᵀR_s =
 * D G D with D = diag(scale), so L = R_sᵀ is a Cholesky factor of the scaled Gram computed
 * without ever forming G, whose rounding (ε·κ(X)² relative) would swamp what R_s resolves
 * (ε·κ(X)). Standard errors then come from (R_sᵀR_s)⁻¹, the rank from the solver's decision.
 */
function factorFromQR(qr: NonNullable<CenteredDesign["qr"]>, p: number): GramFactor {
  if (qr.R.length !== p * p || qr.scale.length !== p) throw new RangeError(`olsInference: the design's R is not of ${p} features`);
  if (qr.rank < p) return { rankG: qr.rank, L: null, d: qr.scale };
  const L = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = i; j < p; j++) L[j * p + i] = qr.R[i * p + j];
  return { rankG: p, L, d: qr.scale };
}

/** Scaled Cholesky of the centered Gram matrix G, or its numerical rank by eigenvalues when that fails. */
function factorGram(G: Float64Array, mu: Float64Array, n: number, p: number, withIntercept: boolean): GramFactor {
  const d = new Float64Array(p);
  const A = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    const gjj = G[j * p + j];
    // A column that centers to rounding noise is constant: it spans nothing beyond the intercept.
    const constant = withIntercept ? gjj <= CONSTANT_TOL * (gjj + n * mu[j] * mu[j]) : !(gjj > 0);
    d[j] = constant ? 0 : 1 / Math.sqrt(gjj);
  }
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) A[i * p + j] = d[i] * G[i * p + j] * d[j];
  if (p === 0) return { rankG: 0, L: A, d };
  if (d.every((v) => v > 0)) {
    const L = Float64Array.from(A);
    if (cholesky(L, p)) {
      let lo = Infinity;
      let hi = 0;
      for (let j = 0; j < p; j++) {
        const pivot = L[j * p + j] ** 2;
        lo = Math.min(lo, pivot);
        hi = Math.max(hi, pivot);
      }
      if (lo > hi * RANK_TOL) return { rankG: p, L, d };
    }
  }
  const { values } = symmetricEigen(A, p);
  let max = 0;
  for (const v of values) max = Math.max(max, v);
  let rankG = 0;
  for (const v of values) if (v > max * RANK_TOL) rankG++;
  return { rankG, L: null, d };
}

/** G⁻¹ = D (L Lᵀ)⁻¹ D, column by column (p small). */
function inverseFromScaledCholesky(L: Float64Array, d: Float64Array, p: number): Float64Array {
  const inv = new Float64Array(p * p);
  const e = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    e.fill(0);
    e[j] = 1;
    choleskySolve(L, p, e);
    for (let i = 0; i < p; i++) inv[i * p + j] = d[i] * e[i] * d[j];
  }
  // The two triangular solves leave rounding-level asymmetry; a covariance is symmetric.
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < i; j++) inv[i * p + j] = inv[j * p + i] = 0.5 * (inv[i * p + j] + inv[j * p + i]);
  }
  return inv;
}

/**
 * σ_max/σ_min of X̃ (= √(λ_max/λ_min) of X̃ᵀX̃) from X̃ᵀX̃ = R̃ᵀR̃, R̃ upper triangular k × k:
 *   R̃ = [[√n, √n·μᵀ], [0, Lᵀ·D⁻¹]]  (without intercept R̃ = LᵀD⁻¹),
 * where L Lᵀ = D G D. R̃ is X̃'s triangular factor, so its singular values are X̃'s.
 */
function conditionFromFactor(L: Float64Array, d: Float64Array, mu: Float64Array, n: number, p: number, withIntercept: boolean): number | null {
  const c = withIntercept ? 1 : 0;
  const k = p + c;
  if (k === 0) return null;
  const R = new Float64Array(k * k);
  if (withIntercept) {
    const sn = Math.sqrt(n);
    R[0] = sn;
    for (let j = 0; j < p; j++) R[j + 1] = sn * mu[j];
  }
  // (Lᵀ D⁻¹)[i][j] = L[j][i] / d[j]
  for (let i = 0; i < p; i++) for (let j = i; j < p; j++) R[(i + c) * k + (j + c)] = L[j * p + i] / d[j];
  const sigma = singularValues(R, k, k);
  let max = 0;
  let min = Infinity;
  for (const s of sigma) {
    max = Math.max(max, s);
    min = Math.min(min, s);
  }
  return min > 0 ? max / min : null;
}

/**
 * Singular values of an m × k row-major matrix by one-sided Jacobi (Hestenes): rotate column
 * pairs until all are orthogonal to working precision; the singular values are then the column
 * norms. High relative accuracy for matrices that are well conditioned up to column scaling.
 */
function singularValues(B: Float64Array, m: number, k: number): Float64Array {
  const a = Float64Array.from(B);
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let i = 0; i < k - 1; i++) {
      for (let j = i + 1; j < k; j++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let r = 0; r < m; r++) {
          const x = a[r * k + i];
          const z = a[r * k + j];
          alpha += x * x;
          beta += z * z;
          gamma += x * z;
        }
        if (gamma === 0 || Math.abs(gamma) <= Number.EPSILON * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const cs = 1 / Math.sqrt(1 + t * t);
        const sn = cs * t;
        for (let r = 0; r < m; r++) {
          const x = a[r * k + i];
          const z = a[r * k + j];
          a[r * k + i] = cs * x - sn * z;
          a[r * k + j] = sn * x + cs * z;
        }
      }
    }
    if (!rotated) break;
  }
  const out = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let r = 0; r < m; r++) s += a[r * k + j] ** 2;
    out[j] = Math.sqrt(s);
  }
  return out;
}
