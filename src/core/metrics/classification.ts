/**
 * Classification metrics from predicted labels, as scikit-learn 1.2's `sklearn.metrics`
 * (no sample weights; `zero_division` = 0, scikit-learn's default value after its warning).
 *
 * Labels are class indices 0..k-1 in Float64Arrays (the estimators' convention); k is
 * `nClasses` when given, else 1 + the largest label seen. For binary metrics the positive class
 * is index 1. Macro averages run over the classes present in yTrue or yPred, as scikit-learn's
 * (a class absent from both does not count as a zero).
 */
import { checkSameLength, classCount } from "./checks.ts";

export interface LabelOptions {
  nClasses?: number;
}

/**
 * Confusion matrix C (k × k, rows = true class, columns = predicted): C[i][j] counts samples of
 * class i predicted as j.
 */
export function confusionMatrix(yTrue: Float64Array, yPred: Float64Array, options: LabelOptions = {}): number[][] {
  const n = checkSameLength("confusionMatrix", yTrue, yPred);
  const k = classCount("confusionMatrix", options.nClasses, yTrue, yPred);
  const C = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < n; i++) C[yTrue[i]][yPred[i]]++;
  return C;
}

/** Share of samples predicted correctly. */
export function accuracyScore(yTrue: Float64Array, yPred: Float64Array): number {
  const n = checkSameLength("accuracyScore", yTrue, yPred);
  let correct = 0;
  for (let i = 0; i < n; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / n;
}

export interface PerClassScores {
  /** tp / (tp + fp) per class; 0 when the class is never predicted */
  precision: Float64Array;
  /** tp / (tp + fn) per class; 0 when the class never occurs */
  recall: Float64Array;
  /** 2·p·r / (p + r) per class; 0 when p + r = 0 */
  f1: Float64Array;
  /** true samples per class */
  support: Float64Array;
  /** 1 for classes that occur in yTrue or yPred (the ones macro averages count) */
  present: Uint8Array;
}

/** Precision, recall, F1 and support of every class (scikit-learn's `average=None`). */
export function precisionRecallF1PerClass(yTrue: Float64Array, yPred: Float64Array, options: LabelOptions = {}): PerClassScores {
  const C = confusionMatrix(yTrue, yPred, options);
  const k = C.length;
  const precision = new Float64Array(k);
  const recall = new Float64Array(k);
  const f1 = new Float64Array(k);
  const support = new Float64Array(k);
  const present = new Uint8Array(k);
  for (let c = 0; c < k; c++) {
    let predicted = 0;
    for (let t = 0; t < k; t++) {
      predicted += C[t][c];
      support[c] += C[c][t];
    }
    const tp = C[c][c];
    precision[c] = predicted === 0 ? 0 : tp / predicted;
    recall[c] = support[c] === 0 ? 0 : tp / support[c];
    // From the rounded p and r, as scikit-learn computes it.
    const denominator = precision[c] + recall[c];
    f1[c] = denominator === 0 ? 0 : (2 * precision[c] * recall[c]) / denominator;
    present[c] = predicted > 0 || support[c] > 0 ? 1 : 0;
  }
  return { precision, recall, f1, support, present };
}

export type Average = "binary" | "macro" | "weighted";

export interface PrecisionRecallF1 {
  precision: number;
  recall: number;
  f1: number;
}

/**
 * Precision, recall and F1 averaged: 'binary' → those of class 1; 'macro' → unweighted mean over
 * present classes; 'weighted' → mean weighted by support (F1 averaged, not recomputed from the
 * averaged p and r, as scikit-learn).
 */
export function precisionRecallF1(yTrue: Float64Array, yPred: Float64Array, average: Average, options: LabelOptions = {}): PrecisionRecallF1 {
  const scores = precisionRecallF1PerClass(yTrue, yPred, average === "binary" ? { nClasses: options.nClasses ?? 2 } : options);
  const { precision, recall, f1, support, present } = scores;
  if (average === "binary") {
    if (precision.length !== 2) throw new RangeError(`precisionRecallF1: average 'binary' needs 2 classes, got ${precision.length}; use 'macro' or 'weighted'`);
    return { precision: precision[1], recall: recall[1], f1: f1[1] };
  }
  let p = 0, r = 0, f = 0, total = 0;
  for (let c = 0; c < precision.length; c++) {
    const w = average === "macro" ? present[c] : support[c];
    p += w * precision[c];
    r += w * recall[c];
    f += w * f1[c];
    total += w;
  }
  return { precision: p / total, recall: r / total, f1: f / total };
}

/**
 * Balanced accuracy: mean recall over the classes that occur in yTrue (scikit-learn's
 * `balanced_accuracy_score`, adjusted=False).
 */
export function balancedAccuracyScore(yTrue: Float64Array, yPred: Float64Array, options: LabelOptions = {}): number {
  const { recall, support } = precisionRecallF1PerClass(yTrue, yPred, options);
  let sum = 0;
  let classes = 0;
  for (let c = 0; c < recall.length; c++) {
    if (support[c] > 0) {
      sum += recall[c];
      classes++;
    }
  }
  return sum / classes;
}

/**
 * Matthews correlation coefficient, multiclass form (Gorodkin 2004, as scikit-learn):
 *   (c·s − Σ p_k t_k) / √((s² − Σ p_k²)(s² − Σ t_k²)),
 * c = correct predictions, s = samples, t_k / p_k = true / predicted counts of class k;
 * 0 when a denominator factor is 0.
 */
export function matthewsCorrcoef(yTrue: Float64Array, yPred: Float64Array, options: LabelOptions = {}): number {
  const C = confusionMatrix(yTrue, yPred, options);
  const k = C.length;
  const t = new Float64Array(k);
  const p = new Float64Array(k);
  let correct = 0;
  for (let i = 0; i < k; i++) {
    correct += C[i][i];
    for (let j = 0; j < k; j++) {
      t[i] += C[i][j];
      p[j] += C[i][j];
    }
  }
  let s = 0, tp = 0, pp = 0, tt = 0;
  for (let i = 0; i < k; i++) {
    s += p[i];
    tp += t[i] * p[i];
    pp += p[i] * p[i];
    tt += t[i] * t[i];
  }
  const covYtYp = correct * s - tp;
  const covYpYp = s * s - pp;
  const covYtYt = s * s - tt;
  if (covYpYp * covYtYt === 0) return 0;
  return covYtYp / Math.sqrt(covYtYt * covYpYp);
}
