/**
 * Inference statistics for the models that have them: ordinary least squares (t tests, as
 * statsmodels' OLS) and unpenalized binary logistic regression (Wald z tests, as statsmodels'
 * Logit). Everything is computed once at training time on the
 * training design and stored in the model's summary, in the user's raw units; intervals at
 * any confidence level are derived from the stored standard errors when queried.
 *
 * Raw units. A model fitted on transformed features z_j = (x_j − μ_j)/s_j has parameters
 * θ = [b, w]; in raw units θ_raw = A θ with A = [[1, −μ/s], [0, diag(1/s)]] (see
 * core/preprocessing/coefficients.ts), so Cov(θ_raw) = A Cov(θ) Aᵀ. One-hot and unscaled
 * features have μ = 0, s = 1 and keep their statistics.
 */
import type { Matrix } from "../../core/matrix.ts";
import type { Estimator } from "../../core/estimators/index.ts";
import { LinearRegression } from "../../core/estimators/linear-regression.ts";
import type { Standardization } from "../../core/preprocessing/feature-pipeline.ts";
import { olsInference } from "../../core/stats/ols-inference.ts";
import { logitInference } from "../../core/stats/logit-inference.ts";
import { normalQuantile, normalSf, tQuantile, tSf } from "../../core/stats/distributions.ts";
import { InvalidInputError } from "../../core/errors.ts";

/** One parameter's statistics in raw units; null where undefined (rank deficiency, df ≤ 0). */
export interface ParameterStatistics {
  stdError: number | null;
  /** t (OLS) or z (logit) statistic */
  statistic: number | null;
  pValue: number | null;
}

/** What Model.inference and the coefficient statistics read (Model.summary.inference). */
export interface StoredInference {
  /** the reference distribution of the statistics and of the intervals */
  distribution: "T" | "Z";
  /** residual degrees of freedom (t tests); null for z tests */
  dfResidual: number | null;
  nObservations: number;
  intercept: ParameterStatistics | null;
  /** in the order of the model's coefficients */
  coefficients: ParameterStatistics[];
  fStatistic: number | null;
  fPValue: number | null;
  logLikelihood: number | null;
  aic: number | null;
  bic: number | null;
  rSquared: number | null;
  adjustedRSquared: number | null;
  /** logit: McFadden's 1 − ℓ/ℓ₀ */
  pseudoRSquared: number | null;
  /** logit: 2(ℓ − ℓ₀) against the intercept-only model, and its χ² p-value */
  likelihoodRatio: number | null;
  likelihoodRatioPValue: number | null;
  conditionNumber: number | null;
  warnings: string[];
}

/**
 * What serving needs for prediction intervals (Model.state.interval): the parameter covariance
 * in the estimator's own feature space, ordered [intercept, features…], and σ².
 */
export interface IntervalState {
  covariance: number[][];
  sigma2: number;
  dfResidual: number;
}

export interface InferenceResult {
  summary: StoredInference;
  interval: IntervalState | null;
}

/**
 * Statistics for a fitted model, or null when its algorithm or settings have none (penalized
 * fits: the penalty biases the estimates and the usual standard errors do not hold).
 */
export function inferenceFor(algorithm: string, estimator: Estimator, X: Matrix, y: Float64Array, standardization: Standardization, classes: string[] | null): InferenceResult | null {
  const params = estimator.params;
  const fitIntercept = params.fit_intercept !== false;
  if (algorithm === "LINEAR_REGRESSION") {
    const { coef, intercept } = estimator.coefficients();
    const design = estimator instanceof LinearRegression ? estimator.trainingDesign() : undefined;
    const result = olsInference(X, y, { coef, intercept: intercept[0] ?? 0, fitIntercept }, { design });
    const summary = summarize("T", result.dfResid, coef, intercept[0] ?? 0, fitIntercept, result.covariance, standardization, {
      nObservations: result.nObs,
      fStatistic: result.fStatistic,
      fPValue: result.fPValue,
      logLikelihood: result.logLikelihood,
      aic: result.aic,
      bic: result.bic,
      rSquared: result.rSquared,
      adjustedRSquared: result.adjRSquared,
      pseudoRSquared: null,
      likelihoodRatio: null,
      likelihoodRatioPValue: null,
      conditionNumber: result.conditionNumber,
      warnings: result.warnings,
    });
    const k = coef.length + (fitIntercept ? 1 : 0);
    const interval =
      result.covariance && result.sigma2 !== null && result.dfResid > 0 && k === result.covariance.length
        ? { covariance: result.covariance, sigma2: result.sigma2, dfResidual: result.dfResid }
        : null;
    return { summary, interval };
  }
  // Maximum likelihood without a penalty: Wald z tests (statsmodels' Logit). A penalty or class
  // weights change the estimator, and these standard errors would not describe it.
  if (algorithm === "LOGISTIC_REGRESSION" && params.penalty === "none" && params.class_weight === undefined && classes?.length === 2) {
    const { coef, intercept } = estimator.coefficients();
    const result = logitInference(X, y, { coef, intercept: intercept[0] ?? 0, fitIntercept });
    const summary = summarize("Z", null, coef, intercept[0] ?? 0, fitIntercept, result.covariance, standardization, {
      nObservations: result.nObs,
      fStatistic: null,
      fPValue: null,
      logLikelihood: result.logLikelihood,
      aic: result.aic,
      bic: result.bic,
      rSquared: null,
      adjustedRSquared: null,
      pseudoRSquared: result.pseudoRSquared,
      likelihoodRatio: result.llrStatistic,
      likelihoodRatioPValue: result.llrPValue,
      conditionNumber: result.conditionNumber,
      warnings: result.warnings,
    });
    return { summary, interval: null };
  }
  return null;
}

/** Per-parameter statistics in raw units from the covariance in the estimator's space. */
function summarize(
  distribution: "T" | "Z",
  dfResidual: number | null,
  coef: Float64Array,
  intercept: number,
  fitIntercept: boolean,
  covariance: number[][] | null,
  standardization: Standardization,
  fit: Omit<StoredInference, "distribution" | "dfResidual" | "intercept" | "coefficients">,
): StoredInference {
  const rawCovariance = covariance ? toRawUnits(covariance, standardization, fitIntercept) : null;
  const testable = distribution === "Z" || (dfResidual !== null && dfResidual > 0);
  const parameter = (index: number, estimate: number): ParameterStatistics => {
    const variance = rawCovariance?.[index]?.[index];
    if (variance === undefined || !(variance > 0) || !testable) return { stdError: rawCovariance ? 0 : null, statistic: null, pValue: null };
    const se = Math.sqrt(variance);
    const statistic = estimate / se;
    return { stdError: se, statistic, pValue: distribution === "T" ? 2 * tSf(Math.abs(statistic), dfResidual!) : zPValue(statistic) };
  };
  const raw = rawEstimates(coef, intercept, standardization, fitIntercept);
  const offset = fitIntercept ? 1 : 0;
  return {
    distribution,
    dfResidual,
    intercept: fitIntercept ? parameter(0, raw.intercept) : null,
    coefficients: Array.from(raw.coef, (value, j) => parameter(j + offset, value)),
    ...fit,
  };
}

/**
 * The critical value of a two-sided interval at `level` for the stored distribution.
 * @throws InvalidInputError when level is not strictly between 0 and 1
 */
export function criticalValue(inference: Pick<StoredInference, "distribution" | "dfResidual">, level: number, field = "level"): number {
  checkLevel(level, field);
  const p = 1 - (1 - level) / 2;
  return inference.distribution === "T" ? tQuantile(p, inference.dfResidual!) : normalQuantile(p);
}

export function checkLevel(level: number, field = "level"): void {
  if (!(typeof level === "number" && level > 0 && level < 1)) {
    throw new InvalidInputError(`${field} must be a confidence level strictly between 0 and 1 (e.g. 0.95), got ${level}.`, { field });
  }
}

/** Two-sided p-value of a z statistic (exported for the logit path and its tests). */
export function zPValue(z: number): number {
  return 2 * normalSf(Math.abs(z));
}

/**
 * Prediction interval for one transformed row x̃ (statsmodels' obs_ci): ŷ ± q·√(σ² + x̃ᵀ Cov x̃),
 * x̃ = [1, x] with an intercept, so the uncertainty of the fitted mean and the noise both count.
 */
export function predictionInterval(state: IntervalState, x: ArrayLike<number>, prediction: number, level: number): { low: number; high: number } {
  const q = criticalValue({ distribution: "T", dfResidual: state.dfResidual }, level);
  const k = state.covariance.length;
  const withIntercept = k === x.length + 1;
  const xt = (i: number) => (withIntercept ? (i === 0 ? 1 : x[i - 1]) : x[i]);
  let quad = 0;
  for (let i = 0; i < k; i++) {
    let row = 0;
    for (let j = 0; j < k; j++) row += state.covariance[i][j] * xt(j);
    quad += xt(i) * row;
  }
  const half = q * Math.sqrt(state.sigma2 + Math.max(quad, 0));
  return { low: prediction - half, high: prediction + half };
}

function rawEstimates(coef: Float64Array, intercept: number, { mean, scale }: Standardization, fitIntercept: boolean) {
  const rawCoef = Float64Array.from(coef, (w, j) => w / scale[j]);
  let rawIntercept = intercept;
  if (fitIntercept) for (let j = 0; j < coef.length; j++) rawIntercept -= (coef[j] * mean[j]) / scale[j];
  return { coef: rawCoef, intercept: rawIntercept };
}

/** A Cov Aᵀ for the affine map to raw units (module comment); parameters ordered [intercept?, w…]. */
function toRawUnits(covariance: number[][], { mean, scale }: Standardization, fitIntercept: boolean): number[][] {
  const k = covariance.length;
  const offset = fitIntercept ? 1 : 0;
  // A as a dense k × k matrix: small (k = features + 1), built once per model.
  const A = Array.from({ length: k }, (_, i) => new Array<number>(k).fill(0));
  if (fitIntercept) A[0][0] = 1;
  for (let j = 0; j < k - offset; j++) {
    A[j + offset][j + offset] = 1 / scale[j];
    if (fitIntercept) A[0][j + offset] = -mean[j] / scale[j];
  }
  const AC = A.map((row) => covariance[0].map((_, c) => row.reduce((s, a, m) => s + a * covariance[m][c], 0)));
  return AC.map((row) => A.map((other) => row.reduce((s, v, m) => s + v * other[m], 0)));
}

interface SummaryCoefficient {
  feature: string;
  value: number;
  class?: string;
}

/** One row of Model.coefficients / ModelInference.intercept, with its interval at `level`. */
function coefficientRow(feature: string, value: number, className: string | null, stats: ParameterStatistics | null | undefined, q: number | null) {
  const se = stats?.stdError ?? null;
  const ci = se !== null && q !== null ? { ciLow: value - q * se, ciHigh: value + q * se } : { ciLow: null, ciHigh: null };
  return { feature, value, class: className, stdError: se, tValue: stats?.statistic ?? null, pValue: stats?.pValue ?? null, ...ci };
}

/**
 * Model.coefficients: each coefficient with its statistics where the model has them, the
 * confidence interval at `level` derived from the stored standard error.
 */
export function coefficientTable(summary: { coefficients: SummaryCoefficient[] | null; inference?: StoredInference | null } | null, level: number) {
  if (!summary?.coefficients) return null;
  const inference = summary.inference ?? null;
  const q = inference ? criticalValue(inference, level) : (checkLevel(level), null);
  return summary.coefficients.map((c, j) => coefficientRow(c.feature, c.value, c.class ?? null, inference?.coefficients[j], q));
}

/** Model.inference: fit statistics and the intercept's row at `level`; null when the model has none. */
export function inferenceTable(summary: { intercept: number | null; inference?: StoredInference | null } | null, level: number) {
  const inference = summary?.inference;
  if (!inference) return null;
  const q = criticalValue(inference, level);
  const { intercept, coefficients: _perCoefficient, nObservations, ...rest } = inference;
  return {
    ...rest,
    observations: nObservations,
    intercept: intercept && summary.intercept !== null ? coefficientRow("(intercept)", summary.intercept, null, intercept, q) : null,
  };
}
