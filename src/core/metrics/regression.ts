/**
 * Regression metrics, as scikit-learn 1.2's `sklearn.metrics` (no sample weights, one output).
 * yTrue and yPred: n_samples values each.
 */
import { checkSameLength } from "./checks.ts";

/** Mean of (y − ŷ)². */
export function meanSquaredError(yTrue: Float64Array, yPred: Float64Array): number {
  const n = checkSameLength("meanSquaredError", yTrue, yPred);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const r = yTrue[i] - yPred[i];
    sum += r * r;
  }
  return sum / n;
}

/** √MSE, in the target's units. */
export function rootMeanSquaredError(yTrue: Float64Array, yPred: Float64Array): number {
  return Math.sqrt(meanSquaredError(yTrue, yPred));
}

/** Mean of |y − ŷ|. */
export function meanAbsoluteError(yTrue: Float64Array, yPred: Float64Array): number {
  const n = checkSameLength("meanAbsoluteError", yTrue, yPred);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.abs(yTrue[i] - yPred[i]);
  return sum / n;
}

/**
 * Mean of |y − ŷ| / |y|, or null when some y is 0 (the ratio is undefined there; scikit-learn
 * divides by machine epsilon instead, which gives a meaningless 1e15-scale number).
 */
export function meanAbsolutePercentageError(yTrue: Float64Array, yPred: Float64Array): number | null {
  const n = checkSameLength("meanAbsolutePercentageError", yTrue, yPred);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (yTrue[i] === 0) return null;
    sum += Math.abs(yTrue[i] - yPred[i]) / Math.abs(yTrue[i]);
  }
  return sum / n;
}

/**
 * 1 − numerator/denominator with scikit-learn's `force_finite` rule for a constant target
 * (denominator 0): 1 when the numerator is 0 too (perfect), else 0.
 */
function oneMinusRatio(numerator: number, denominator: number): number {
  if (denominator !== 0) return 1 - numerator / denominator;
  return numerator === 0 ? 1 : 0;
}

function mean(y: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += y[i];
  return sum / y.length;
}

/** Coefficient of determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)². */
export function r2Score(yTrue: Float64Array, yPred: Float64Array): number {
  const n = checkSameLength("r2Score", yTrue, yPred);
  const m = mean(yTrue);
  let residual = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const r = yTrue[i] - yPred[i];
    const d = yTrue[i] - m;
    residual += r * r;
    total += d * d;
  }
  return oneMinusRatio(residual, total);
}

/**
 * Adjusted R² = 1 − (1 − R²)(n − 1)/(n − p − 1) for p features (intercept not counted);
 * null when n − p − 1 ≤ 0.
 */
export function adjustedR2Score(yTrue: Float64Array, yPred: Float64Array, nFeatures: number): number | null {
  const n = yTrue.length;
  const dof = n - nFeatures - 1;
  if (dof <= 0) return null;
  return 1 - ((1 - r2Score(yTrue, yPred)) * (n - 1)) / dof;
}

/** Explained variance = 1 − Var(y − ŷ) / Var(y) (population variances). */
export function explainedVarianceScore(yTrue: Float64Array, yPred: Float64Array): number {
  const n = checkSameLength("explainedVarianceScore", yTrue, yPred);
  let diffMean = 0;
  for (let i = 0; i < n; i++) diffMean += yTrue[i] - yPred[i];
  diffMean /= n;
  const m = mean(yTrue);
  let numerator = 0;
  let denominator = 0;
  for (let i = 0; i < n; i++) {
    const e = yTrue[i] - yPred[i] - diffMean;
    const d = yTrue[i] - m;
    numerator += e * e;
    denominator += d * d;
  }
  return oneMinusRatio(numerator / n, denominator / n);
}

export interface RegressionMetrics {
  r2: number;
  adjustedR2: number | null;
  explainedVariance: number;
  mse: number;
  rmse: number;
  mae: number;
  mape: number | null;
}

/** Every regression metric at once (the evaluation a trained model version stores). */
export function regressionMetrics(yTrue: Float64Array, yPred: Float64Array, nFeatures: number): RegressionMetrics {
  const mse = meanSquaredError(yTrue, yPred);
  return {
    r2: r2Score(yTrue, yPred),
    adjustedR2: adjustedR2Score(yTrue, yPred, nFeatures),
    explainedVariance: explainedVarianceScore(yTrue, yPred),
    mse,
    rmse: Math.sqrt(mse),
    mae: meanAbsoluteError(yTrue, yPred),
    mape: meanAbsolutePercentageError(yTrue, yPred),
  };
}
