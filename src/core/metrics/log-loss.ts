/**
 * Log loss (cross-entropy), as scikit-learn 1.2's `log_loss(y_true, y_pred)` with eps = "auto":
 * probabilities are clipped to [ε, 1 − ε] with ε = float64 machine epsilon (2.22e-16), each row
 * renormalised to sum to 1, and the loss is −mean(log p_true).
 */
import { classCount } from "./checks.ts";

const EPS = Number.EPSILON;

/**
 * @param yTrue n class indices
 * @param proba n values (binary: probability of class 1) or n × k row-major class probabilities
 */
export function logLoss(yTrue: Float64Array, proba: Float64Array): number {
  const n = yTrue.length;
  if (n === 0 || proba.length % n !== 0) throw new RangeError(`logLoss: ${proba.length} probabilities for ${n} samples`);
  const k = proba.length / n;
  if (k === 1) {
    classCount("logLoss", 2, yTrue);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const p1 = clip(proba[i]);
      const p0 = 1 - p1;
      const total = p0 + p1;
      sum += Math.log((yTrue[i] === 1 ? p1 : p0) / total);
    }
    return -sum / n;
  }
  classCount("logLoss", k, yTrue);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (let c = 0; c < k; c++) total += clip(proba[i * k + c]);
    sum += Math.log(clip(proba[i * k + yTrue[i]]) / total);
  }
  return -sum / n;
}

function clip(p: number): number {
  return p < EPS ? EPS : p > 1 - EPS ? 1 - EPS : p;
}
