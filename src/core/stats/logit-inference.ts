/**
 * Inference statistics for an unpenalized binary logistic regression fitted by maximum
 * likelihood, as statsmodels' `Logit(y, X̃).fit()` reports them (statsmodels 0.13,
 * `LogitResults`): Wald standard errors, z values, two-sided normal p-values and confidence
 * intervals of every coefficient, the log-likelihood, the null log-likelihood, McFadden's
 * pseudo-R², AIC, BIC and the likelihood-ratio test against the constant-only model.
 *
 * X: n × p raw features (row-major, no constant column), y: n values 0/1, s: n optional
 * frequency weights (scikit-learn's `sample_weight`; 1 by default). X̃ is X with the constant
 * column prepended when the fit has an intercept, k = p + 1 or p. With p_i = σ(x̃_iᵀβ):
 *
 *   ℓ(β)   = Σ s_i [y_i ln p_i + (1 − y_i) ln(1 − p_i)]
 *   Cov(β̂) = (X̃ᵀ W X̃)⁻¹,  W = diag(s_i p_i (1 − p_i))   (inverse observed = expected information)
 *   ℓ₀     = S [ȳ ln ȳ + (1 − ȳ) ln(1 − ȳ)],  S = Σ s_i, ȳ = Σ s_i y_i / S   (constant-only MLE)
 *   LLR    = 2(ℓ − ℓ₀) ~ χ²(rank − 1),  pseudo-R² = 1 − ℓ/ℓ₀ (McFadden 1974),
 *   AIC    = −2ℓ + 2·rank,  BIC = −2ℓ + ln(S)·rank
 * (Agresti, Categorical Data Analysis, 3rd ed., §4.6 and §5.2; statsmodels'
 * discrete_model.py). As statsmodels, the null model always has a constant, also for a fit
 * without intercept, so dfModel = rank − 1 either way (and there the LLR may be negative: the
 * null model is not nested). Frequency weights act as repeated rows: S, not n, is the number
 * of observations (nObs, dfResid and BIC use it), as statsmodels' fit on repeated rows.
 *
 * Numerics, as in ols-inference.ts: (X̃ᵀWX̃)⁻¹ is never formed from the raw weighted Gram
 * matrix. With an intercept, its block inverse is
 *   [[1/V + μᵀA μ, −(A μ)ᵀ], [−A μ, A]],  A = G⁻¹,  G = Σ w_i (x_i − μ)(x_i − μ)ᵀ,
 * V = Σ w_i and μ the w-weighted column means; G⁻¹ comes from the Cholesky factor of the
 * diagonally scaled D G D (D = diag(G)^-½). The numerical rank and the condition number are
 * those of the design S^½X̃ (statsmodels: `np.linalg.matrix_rank(exog)`; the condition number
 * is σ_max/σ_min of X̃, OLS's `condition_number`, unaffected by the fitted probabilities), from
 * the s-weighted centered Gram the same way.
 *
 * Rank-deficient designs (relative eigenvalue of D G D below 1e-12): rank, dfModel and dfResid
 * use the numerical rank, but the covariance and every per-coefficient statistic are null.
 * They are null as well under complete separation (every |y − p̂| < 1e-4: statsmodels raises
 * PerfectSeparationError there) and when the information matrix X̃ᵀWX̃ is numerically singular
 * although the design is not (fitted probabilities that underflow to 0 or 1).
 *
 * The statistics assume `fit` maximizes ℓ: a warning says so when a Newton step from it would
 * move a coefficient by more than 1e-3 of its standard error.
 */
import gammainc from "@stdlib/math-base-special-gammainc";
import { InvalidInputError } from "../errors.ts";
import { choleskyFactor, choleskySolve, gram, svdJacobi, symmetricEigen } from "../linalg/kernels.ts";
import { matrix, type Matrix } from "../matrix.ts";
import { normalQuantile, normalSf } from "./distributions.ts";
import { CONDITION_WARNING, type CoefficientInference, type OlsFit } from "./ols-inference.ts";

export type { CoefficientInference } from "./ols-inference.ts";

/** The fitted model the statistics are about (e.g. an unpenalized LogisticRegression's coef_ and intercept_). */
export type LogitFit = OlsFit;

export interface LogitInferenceOptions {
  /** confidence level of the Wald intervals, in (0, 1); default 0.95 (statsmodels `conf_int(alpha = 1 − level)`) */
  level?: number;
  /** n non-negative frequency weights (scikit-learn's sample_weight); default all 1 */
  sampleWeight?: ArrayLike<number>;
}

/**
 * JSON-ready (plain numbers and arrays, no NaN or Infinity). Each coefficient's `tValue` is a
 * z statistic β̂/SE (the field keeps OlsInference's name so one table serves both), and its
 * p-value and interval come from the standard normal.
 */
export interface LogitInference {
  /** Σ s_i: the number of rows without weights */
  nObs: number;
  /** numerical rank of the design X̃ (= k when full rank) */
  rank: number;
  /** rank − 1: parameters beyond the constant-only null model's one (statsmodels' df_model) */
  dfModel: number;
  /** nObs − rank */
  dfResid: number;
  level: number;
  /** null when the fit has no intercept */
  intercept: CoefficientInference | null;
  coefficients: CoefficientInference[];
  /** (X̃ᵀWX̃)⁻¹, k × k in the order [intercept, x₀, …, x_{p−1}]; null when the design is rank-deficient or the information matrix singular */
  covariance: number[][] | null;
  logLikelihood: number;
  /** ℓ₀ of the constant-only model (statsmodels' llnull, also for fits without intercept) */
  nullLogLikelihood: number;
  /** McFadden's 1 − ℓ/ℓ₀; null when ℓ₀ = 0 (one class only) */
  pseudoRSquared: number | null;
  /** −2ℓ + 2·rank */
  aic: number;
  /** −2ℓ + ln(nObs)·rank */
  bic: number;
  /** likelihood-ratio statistic 2(ℓ − ℓ₀) */
  llrStatistic: number;
  /** P(χ²(dfModel) > llrStatistic); null when dfModel = 0 */
  llrPValue: number | null;
  /** σ_max/σ_min of S^½X̃ (as OlsInference's); null when the design is numerically rank-deficient */
  conditionNumber: number | null;
  warnings: string[];
}

/** Relative eigenvalue of a scaled Gram matrix below which a direction counts as absent (as in ols-inference.ts). */
const RANK_TOL = 1e-12;
/** Relative variance below which a column counts as constant (as in ols-inference.ts). */
const CONSTANT_TOL = 1e-20;
/** |y − p̂| below which statsmodels' `BinaryResults.summary` counts an observation as perfectly predicted. */
const PERFECT_PREDICTION = 1e-4;
/** Fraction of perfectly predicted observations above which statsmodels notes possible quasi-separation. */
const QUASI_SEPARATION_FRACTION = 0.1;
/** R's glm.fit warns "fitted probabilities numerically 0 or 1 occurred" for p̂ within 10ε of 0 or 1. */
const NUMERICALLY_ZERO = 10 * Number.EPSILON;
/** SE × (feature's standard deviation) in log-odds above which a standard error counts as huge. */
const HUGE_STANDARD_ERROR = 1e3;
/** Newton step, in standard errors, above which `fit` is reported as not the maximum-likelihood estimate. */
const SCORE_TOL = 1e-3;

/**
 * statsmodels-equivalent Wald inference for an unpenalized logistic regression fit. Pure: a
 * few passes over X (linear predictor, two weighted centered Grams, score), O(n·p² + p³) time,
 * O(n·p) extra memory (one scaled copy of X for the Gram kernel).
 *
 * @example
 * const model = new LogisticRegression({ penalty: "none" }).fit(X, y);
 * const { coef, intercept } = model.coefficients();
 * const inf = logitInference(X, y, { coef, intercept: intercept[0], fitIntercept: true });
 * inf.coefficients[0].pValue; inf.llrPValue; inf.pseudoRSquared;
 */
export function logitInference(X: Matrix, y: Float64Array, fit: LogitFit, options: LogitInferenceOptions = {}): LogitInference {
  const { rows: n, cols: p, data } = X;
  if (y.length !== n) throw new RangeError(`logitInference: X has ${n} rows but y has ${y.length}`);
  if (fit.coef.length !== p) throw new RangeError(`logitInference: X has ${p} features but coef has ${fit.coef.length}`);
  if (n === 0) throw new InvalidInputError("Logit inference needs at least one row.", { field: "rows" });
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1)) {
    throw new InvalidInputError(`The confidence level must be in (0, 1), e.g. 0.95; got ${level}.`, { field: "level" });
  }
  for (let i = 0; i < n; i++) {
    if (y[i] !== 0 && y[i] !== 1) {
      throw new InvalidInputError(`Logit inference needs a 0/1 target; row ${i} has ${y[i]}. Encode the positive class as 1.`, { field: "y", row: i });
    }
  }
  const s = sampleWeights(options.sampleWeight, n);
  const withIntercept = fit.fitIntercept;
  const kConst = withIntercept ? 1 : 0;
  const k = p + kConst;
  const b0 = withIntercept ? fit.intercept : 0;
  const beta = Float64Array.from(fit.coef);
  if (!beta.every(Number.isFinite) || !Number.isFinite(b0)) {
    throw new InvalidInputError("The coefficients must be finite; a diverged fit (separable classes) has no inference. Use a penalized fit.", { field: "coef" });
  }

  // Linear-predictor pass: ℓ, the information weights w_i = s_i p_i(1 − p_i) and the score
  // residuals r_i = s_i (y_i − p_i), each from e^{−|η|} alone (no 1 − p cancellation).
  const w = new Float64Array(n);
  const r = new Float64Array(n);
  let llf = 0;
  let sumS = 0;
  let sumSY = 0;
  let used = 0;
  let perfect = 0;
  let extreme = 0;
  for (let i = 0, at = 0; i < n; i++, at += p) {
    let eta = b0;
    for (let j = 0; j < p; j++) eta += data[at + j] * beta[j];
    const e = Math.exp(-Math.abs(eta));
    const tail = e / (1 + e); // min(p, 1 − p)
    const yi = y[i];
    // The probability of the class not observed: 1 − p for y = 1, p for y = 0.
    const miss = (yi === 1) === eta >= 0 ? tail : 1 / (1 + e);
    const si = s[i];
    // ln P(y_i) = −softplus(∓η) = −(max(∓η, 0) + log1p(e^{−|η|}))
    llf -= si * (Math.max(yi === 1 ? -eta : eta, 0) + Math.log1p(e));
    w[i] = (si * e) / ((1 + e) * (1 + e));
    r[i] = si * (yi === 1 ? miss : -miss);
    sumS += si;
    sumSY += si * yi;
    if (si > 0) {
      used++;
      if (miss < PERFECT_PREDICTION) perfect++;
      if (tail < NUMERICALLY_ZERO) extreme++;
    }
  }
  const yBar = sumSY / sumS;
  const nullLogLikelihood = sumS * (xlogx(yBar) + xlogx(1 - yBar));

  const warnings: string[] = [];
  const Z = new Float64Array(n * p);
  const design = weightedCenteredGram(X, s, withIntercept, Z);
  const designFactor = factorGram(design.G, design.mu, design.total, p, withIntercept);
  const rank = designFactor.rankG + kConst;
  const fullRank = designFactor.rankG === p;
  const dfModel = rank - 1;
  const dfResid = sumS - rank;
  if (!fullRank) {
    warnings.push(
      `The design matrix is rank-deficient (rank ${rank} of ${k} parameters: constant or collinear columns); standard errors, z values, p-values and confidence intervals are not reported. Drop the redundant columns to get them.`,
    );
  }

  // Separation diagnostics: statsmodels' summary notes first, then R's glm.fit warning.
  const complete = used > 0 && perfect === used;
  if (complete) {
    warnings.push(
      "Complete separation: every observation is predicted perfectly (|y − p̂| < 1e-4), so the maximum-likelihood estimate does not exist (the coefficients diverge) and no standard errors or tests are reported. Use a penalized fit or drop the separating features.",
    );
  } else if (perfect > QUASI_SEPARATION_FRACTION * used || extreme > 0) {
    const what =
      perfect > QUASI_SEPARATION_FRACTION * used
        ? `a fraction ${(perfect / used).toFixed(2)} of the observations is predicted perfectly (|y − p̂| < 1e-4)`
        : `fitted probabilities numerically 0 or 1 occurred (${extreme} observations)`;
    warnings.push(
      `Possible quasi-complete separation: ${what}. Some coefficients may not be identified (their estimates diverge) and their Wald statistics are unreliable; consider a penalized fit or dropping the separating features.`,
    );
  }

  // Covariance (X̃ᵀWX̃)⁻¹ by the block inverse (module comment), parameters ordered [intercept, x…].
  let covariance: number[][] | null = null;
  let step: Float64Array | null = null;
  if (fullRank && !complete) {
    const info = weightedCenteredGram(X, w, withIntercept, Z);
    const infoFactor = info.total > 0 ? factorGram(info.G, info.mu, info.total, p, withIntercept) : null;
    if (infoFactor?.L && infoFactor.rankG === p) {
      const Ginv = inverseFromScaledCholesky(infoFactor.L, infoFactor.d, p);
      const { mu, total } = info;
      covariance = Array.from({ length: k }, () => new Array<number>(k).fill(0));
      for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) covariance[i + kConst][j + kConst] = Ginv[i * p + j];
      if (withIntercept) {
        let quad = 0;
        for (let i = 0; i < p; i++) {
          let gi = 0;
          for (let j = 0; j < p; j++) gi += Ginv[i * p + j] * mu[j];
          covariance[0][i + 1] = covariance[i + 1][0] = -gi;
          quad += mu[i] * gi;
        }
        covariance[0][0] = 1 / total + quad;
      }
      step = newtonStep(X, r, Ginv, mu, total, withIntercept);
    } else {
      warnings.push(
        "The information matrix X̃ᵀWX̃ is numerically singular although the design is not: fitted probabilities at 0 or 1 (separation) leave too few informative rows, so no standard errors are reported. Use a penalized fit or drop the separating features.",
      );
    }
  }

  const q = normalQuantile(1 - (1 - level) / 2);
  const row = (estimate: number, index: number): CoefficientInference => {
    const variance = covariance ? covariance[index][index] : NaN;
    if (!(variance > 0)) return { estimate, stdError: covariance ? 0 : null, tValue: null, pValue: null, ciLower: covariance ? estimate : null, ciUpper: covariance ? estimate : null };
    const se = Math.sqrt(variance);
    const z = estimate / se;
    return { estimate, stdError: se, tValue: z, pValue: 2 * normalSf(Math.abs(z)), ciLower: estimate - q * se, ciUpper: estimate + q * se };
  };
  const intercept = withIntercept ? row(b0, 0) : null;
  const coefficients = Array.from(beta, (v, j) => row(v, j + kConst));

  if (covariance) {
    const huge: number[] = [];
    for (let j = 0; j < p; j++) {
      const sd = Math.sqrt(design.G[j * p + j] / design.total);
      const se = coefficients[j].stdError ?? 0;
      if (se * sd > HUGE_STANDARD_ERROR) huge.push(j);
    }
    if (huge.length > 0) {
      warnings.push(
        `Very large standard errors for the coefficients of columns ${huge.join(", ")} (over ${HUGE_STANDARD_ERROR} in log-odds per standard deviation of the feature): quasi-separation or nearly collinear features make their Wald statistics unreliable.`,
      );
    }
  }
  if (step && covariance) {
    let worst = 0;
    for (let j = 0; j < k; j++) worst = Math.max(worst, Math.abs(step[j]) / Math.sqrt(covariance[j][j]));
    if (worst > SCORE_TOL) {
      warnings.push(
        `The coefficients are not the maximum-likelihood estimate for this X and y (a Newton step would move one by ${worst.toExponential(2)} standard errors); the statistics assume they are. Refit unpenalized with a tighter tolerance.`,
      );
    }
  }

  // A numerically rank-deficient design has an infinite condition number (reported as null).
  const conditionNumber = fullRank && designFactor.L ? conditionFromFactor(designFactor.L, designFactor.d, design.mu, design.total, p, withIntercept) : null;
  if (conditionNumber === null || conditionNumber > CONDITION_WARNING) {
    warnings.push(
      `The condition number is ${conditionNumber === null ? "infinite" : `large (${conditionNumber.toExponential(2)})`}: this might indicate strong multicollinearity or other numerical problems.`,
    );
  }

  const llrStatistic = 2 * (llf - nullLogLikelihood);
  return {
    nObs: sumS,
    rank,
    dfModel,
    dfResid,
    level,
    intercept,
    coefficients,
    covariance,
    logLikelihood: llf,
    nullLogLikelihood,
    pseudoRSquared: nullLogLikelihood < 0 ? 1 - llf / nullLogLikelihood : null,
    aic: -2 * llf + 2 * rank,
    bic: -2 * llf + Math.log(sumS) * rank,
    llrStatistic,
    llrPValue: dfModel > 0 ? chiSquareSf(llrStatistic, dfModel) : null,
    conditionNumber,
    warnings,
  };
}

/**
 * P(χ²(df) > x) = Q(df/2, x/2), the upper regularized incomplete gamma function (Abramowitz &
 * Stegun 26.4.19), evaluated directly by stdlib (a port of Boost's gamma_q), not as 1 − cdf:
 * likelihood-ratio p-values are often far below 1e-16. 1 for x ≤ 0.
 * @example chiSquareSf(3.84, 1) // ≈ 0.05004
 */
export function chiSquareSf(x: number, df: number): number {
  if (Number.isNaN(x) || !(df > 0)) return NaN;
  if (x <= 0) return 1;
  return gammainc(x / 2, df / 2, true, true);
}

/** x ln x with 0 ln 0 = 0. */
function xlogx(x: number): number {
  return x > 0 ? x * Math.log(x) : 0;
}

function sampleWeights(weights: ArrayLike<number> | undefined, n: number): Float64Array {
  if (weights === undefined) return new Float64Array(n).fill(1);
  if (weights.length !== n) throw new RangeError(`logitInference: ${weights.length} sample weights for ${n} rows`);
  const s = Float64Array.from(weights);
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (!(s[i] >= 0 && Number.isFinite(s[i]))) {
      throw new InvalidInputError(`Sample weights must be finite and non-negative; row ${i} has ${s[i]}.`, { field: "sampleWeight", row: i });
    }
    total += s[i];
  }
  if (!(total > 0)) throw new InvalidInputError("The sample weights are all zero; give at least one row a positive weight.", { field: "sampleWeight" });
  return s;
}

interface WeightedGram {
  /** Σ w_i */
  total: number;
  /** w-weighted column means (zeros without centering) */
  mu: Float64Array;
  /** Σ w_i (x_i − μ)(x_i − μ)ᵀ, p × p */
  G: Float64Array;
}

/**
 * The weighted (centered) Gram matrix through the gram kernel on Z = √w ⊙ (X − 1μᵀ), written
 * into the caller's n × p buffer. The means take a second, corrective pass (μ += Σ w(x − μ)/Σ w),
 * so that offsets far larger than the spread leave no first-order bias in G.
 */
function weightedCenteredGram(X: Matrix, weight: Float64Array, center: boolean, Z: Float64Array): WeightedGram {
  const { rows: n, cols: p, data } = X;
  let total = 0;
  for (let i = 0; i < n; i++) total += weight[i];
  const mu = new Float64Array(p);
  if (center && total > 0) {
    for (let pass = 0; pass < 2; pass++) {
      const shift = new Float64Array(p);
      for (let i = 0, at = 0; i < n; i++, at += p) {
        const wi = weight[i];
        for (let j = 0; j < p; j++) shift[j] += wi * (data[at + j] - mu[j]);
      }
      for (let j = 0; j < p; j++) mu[j] += shift[j] / total;
    }
  }
  for (let i = 0, at = 0; i < n; i++, at += p) {
    const root = Math.sqrt(weight[i]);
    for (let j = 0; j < p; j++) Z[at + j] = root * (data[at + j] - mu[j]);
  }
  return { total, mu, G: gram(matrix(n, p, Z)) };
}

interface GramFactor {
  /** numerical rank of G */
  rankG: number;
  /** Cholesky factor (lower, row-major p × p) of D G D when G is numerically full rank */
  L: Float64Array | null;
  /** D = diag(G)^-½ (0 for a constant column) */
  d: Float64Array;
}

/** Scaled Cholesky of a (weighted, centered) Gram matrix, or its numerical rank by eigenvalues when that fails (as ols-inference.ts). */
function factorGram(G: Float64Array, mu: Float64Array, total: number, p: number, centered: boolean): GramFactor {
  const d = new Float64Array(p);
  const A = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    const gjj = G[j * p + j];
    // A column that centers to rounding noise is constant: it spans nothing beyond the intercept.
    const constant = centered ? gjj <= CONSTANT_TOL * (gjj + total * mu[j] * mu[j]) : !(gjj > 0);
    d[j] = constant ? 0 : 1 / Math.sqrt(gjj);
  }
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) A[i * p + j] = d[i] * G[i * p + j] * d[j];
  if (p === 0) return { rankG: 0, L: A, d };
  if (d.every((v) => v > 0)) {
    const L = Float64Array.from(A);
    if (choleskyFactor(L, p)) {
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

/** G⁻¹ = D (L Lᵀ)⁻¹ D, column by column (p small), symmetrized. */
function inverseFromScaledCholesky(L: Float64Array, d: Float64Array, p: number): Float64Array {
  const inv = new Float64Array(p * p);
  const e = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    e.fill(0);
    e[j] = 1;
    choleskySolve(L, p, e);
    for (let i = 0; i < p; i++) inv[i * p + j] = d[i] * e[i] * d[j];
  }
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < i; j++) inv[i * p + j] = inv[j * p + i] = 0.5 * (inv[i * p + j] + inv[j * p + i]);
  }
  return inv;
}

/**
 * The Newton step (X̃ᵀWX̃)⁻¹ g from `fit`, g = X̃ᵀ(s ⊙ (y − p)) the score, in centered form: with
 * an intercept δ_x = A Σ r_i (x_i − μ) and δ₀ = Σ r_i / V − μᵀδ_x (the block inverse applied to
 * g), so that large column offsets do not cancel. Ordered [intercept, x…].
 */
function newtonStep(X: Matrix, r: Float64Array, Ginv: Float64Array, mu: Float64Array, total: number, withIntercept: boolean): Float64Array {
  const { rows: n, cols: p, data } = X;
  const g = new Float64Array(p);
  let g0 = 0;
  for (let i = 0, at = 0; i < n; i++, at += p) {
    const ri = r[i];
    g0 += ri;
    for (let j = 0; j < p; j++) g[j] += ri * (data[at + j] - mu[j]);
  }
  const c = withIntercept ? 1 : 0;
  const step = new Float64Array(p + c);
  let muStep = 0;
  for (let i = 0; i < p; i++) {
    let v = 0;
    for (let j = 0; j < p; j++) v += Ginv[i * p + j] * g[j];
    step[i + c] = v;
    muStep += mu[i] * v;
  }
  if (withIntercept) step[0] = g0 / total - muStep;
  return step;
}

/**
 * σ_max/σ_min of S^½X̃ from its triangular factor R̃ (k × k, X̃ᵀSX̃ = R̃ᵀR̃):
 *   R̃ = [[√S, √S·μᵀ], [0, Lᵀ·D⁻¹]]  (without intercept R̃ = LᵀD⁻¹),  L Lᵀ = D G D,
 * whose singular values one-sided Jacobi gives to high relative accuracy (as ols-inference.ts).
 */
function conditionFromFactor(L: Float64Array, d: Float64Array, mu: Float64Array, total: number, p: number, withIntercept: boolean): number | null {
  const c = withIntercept ? 1 : 0;
  const k = p + c;
  if (k === 0) return null;
  const R = new Float64Array(k * k);
  if (withIntercept) {
    const root = Math.sqrt(total);
    R[0] = root;
    for (let j = 0; j < p; j++) R[j + 1] = root * mu[j];
  }
  for (let i = 0; i < p; i++) for (let j = i; j < p; j++) R[(i + c) * k + (j + c)] = L[j * p + i] / d[j];
  const { s } = svdJacobi(R, k);
  const min = s[k - 1];
  return min > 0 ? s[0] / min : null;
}
