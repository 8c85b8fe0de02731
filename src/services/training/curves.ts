/**
 * Curves for dashboards, computed once on the evaluation rows at training time and stored
 * with the model: ROC and precision–recall per class (one-vs-rest; the positive class for
 * binary models), a calibration curve for probabilistic classifiers, and residuals vs fitted
 * values plus a residual histogram for regressions. Point lists are thinned to at most
 * MAX_POINTS evenly spaced points (ends kept) so a million-row test set stays a small document.
 */
import { areaUnderRoc, precisionRecallCurve, rankingScores, rocCurve } from "../../core/metrics/ranking.ts";
import { calibrationCurve, type CalibrationPoint } from "../../core/metrics/calibration.ts";
import { histogram, OrderStatistics, type Histogram } from "../../core/dataset/stats.ts";

export const MAX_POINTS = 200;
const RESIDUAL_BINS = 20;

export interface ClassCurve {
  class: string;
  /** area under the full ROC curve (before thinning); multiclass metrics.rocAuc is their mean */
  auc: number | null;
  roc: { fpr: number[]; tpr: number[]; thresholds: number[] };
  /** thresholds[i] is null for the final point (precision 1, recall 0), which has none */
  pr: { precision: number[]; recall: number[]; thresholds: (number | null)[] };
  calibration: CalibrationPoint[] | null;
}

export interface Curves {
  classes: ClassCurve[] | null;
  residuals: { fitted: number[]; residual: number[] } | null;
  residualHistogram: Histogram | null;
}

/** Indices of at most `max` evenly spaced entries of 0..n-1, first and last included. */
function thin(n: number, max = MAX_POINTS): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: max }, (_, k) => Math.round((k * (n - 1)) / (max - 1)));
}

const pick = (values: ArrayLike<number>, at: number[]) => at.map((i) => values[i]);

/**
 * The rows a stable sort by fitted value would put at `ranks` (ties in row order), without the
 * sort: each rank's value by OrderStatistics, then its row among the rows of that value (an index
 * sort with a comparator took ~0.1 s for 200k held-out rows). NaN-free `fitted` only; with a NaN,
 * the sort itself.
 */
function rowsAtFittedRanks(fitted: Float64Array, ranks: number[]): number[] {
  if (fitted.some(Number.isNaN)) {
    const order = Array.from(fitted.keys()).sort((a, b) => fitted[a] - fitted[b]);
    return ranks.map((k) => order[k]);
  }
  const order = new OrderStatistics(fitted, ranks);
  const values = ranks.map((rank) => order.at(rank));
  // The rows holding each wanted value, in row order (a Map's keys equate −0 and +0, as the sort did).
  const rowsOf = new Map<number, number[]>(values.map((v) => [v, []]));
  for (let i = 0; i < fitted.length; i++) rowsOf.get(fitted[i])?.push(i);
  return ranks.map((rank, k) => rowsOf.get(values[k])![rank - order.countBelow(values[k])]);
}

export function regressionCurves(y: Float64Array, fitted: Float64Array): Curves {
  const residual = y.map((v, i) => v - fitted[i]);
  let min = Infinity;
  let max = -Infinity;
  for (const r of residual) {
    min = Math.min(min, r);
    max = Math.max(max, r);
  }
  // Residuals in fitted-value order, so the thinned scatter spans the whole range.
  const at = rowsAtFittedRanks(fitted, thin(fitted.length));
  return {
    classes: null,
    residuals: { fitted: pick(fitted, at), residual: pick(residual, at) },
    residualHistogram: histogram(residual, RESIDUAL_BINS, min, max),
  };
}

/**
 * Per-class one-vs-rest curves, ranked by the scores metrics.rocAuc ranks by (rankingScores):
 * multiclass by each class's probability column, as scikit-learn's `roc_curve(y == c,
 * predict_proba[:, c])`, so each class's AUC is one term of the metric's macro mean; binary by
 * the decision values. Models without probabilities (SVM) rank by their per-class decision values.
 * @param y class indices; @param decision n × k row-major decision values or, for binary
 * models, n positive-class scores; @param proba n × k probabilities when the model has them.
 */
export function classificationCurves(y: Float64Array, classes: string[], decision: Float64Array, proba: Float64Array | undefined): Curves {
  const k = classes.length;
  const n = y.length;
  const scores = rankingScores(k, decision, proba)!;
  const perClass = k === 2 ? [1] : classes.map((_, c) => c);
  return {
    residuals: null,
    residualHistogram: null,
    classes: perClass.map((c) => {
      const positive = y.map((v) => (v === c ? 1 : 0));
      const score = scores.length === n ? (c === 1 ? scores : scores.map((s) => -s)) : Float64Array.from({ length: n }, (_, i) => scores[i * k + c]);
      const roc = rocCurve(positive, score);
      const pr = precisionRecallCurve(positive, score);
      const rocAt = thin(roc.fpr.length);
      const prAt = thin(pr.precision.length);
      return {
        class: classes[c],
        auc: areaUnderRoc(roc),
        roc: { fpr: pick(roc.fpr, rocAt), tpr: pick(roc.tpr, rocAt), thresholds: pick(roc.thresholds, rocAt) },
        pr: { precision: pick(pr.precision, prAt), recall: pick(pr.recall, prAt), thresholds: prAt.map((i) => pr.thresholds[i] ?? null) },
        calibration: proba ? calibrationCurve(positive, Float64Array.from({ length: n }, (_, i) => proba[i * k + c])) : null,
      };
    }),
  };
}
