/**
 * Global feature importance, one value per raw input column (Model.featureImportance):
 *
 * - Linear models (COEFFICIENT): the standardized coefficient magnitude, Σ over the column's
 *   features of |w_f|·sd(x_f), sd taken on the training design the estimator saw (1 for
 *   standardized features, so |w_f| there; a one-hot block sums its categories), averaged over
 *   classes for per-class models. It is the change in the output for a one-standard-deviation
 *   change of the input, comparable across columns of different units.
 * - Other models (PERMUTATION): the mean drop of the task's default score (R² or accuracy) on
 *   the evaluation rows when the column is shuffled (Breiman 2001; sklearn's
 *   permutation_importance), with its standard deviation over the repeats.
 */
import type { Matrix } from "../../core/matrix.ts";
import { InvalidInputError } from "../../core/errors.ts";
import type { Estimator } from "../../core/estimators/index.ts";
import type { FeaturePipeline } from "../../core/preprocessing/feature-pipeline.ts";
import { permutationImportance } from "../../core/explain/permutation-importance.ts";
import { r2Score } from "../../core/metrics/regression.ts";
import { accuracyScore } from "../../core/metrics/classification.ts";

export interface FeatureImportance {
  feature: string;
  importance: number;
  /** PERMUTATION: standard deviation over the repeats; null for COEFFICIENT */
  std: number | null;
  method: "COEFFICIENT" | "PERMUTATION";
}

/** Shuffles per column (scikit-learn's default n_repeats). */
export const PERMUTATION_REPEATS = 5;

/**
 * @param XTrain the training design (for the feature standard deviations)
 * @param XEval, yEval the evaluation rows and target (class indices for classifiers)
 */
export function featureImportanceOf(
  estimator: Estimator,
  pipeline: FeaturePipeline,
  XTrain: Matrix,
  XEval: Matrix,
  yEval: Float64Array,
  classifier: boolean,
  seed: number,
): FeatureImportance[] {
  const groups = pipeline.featureGroups();
  const linear = coefficientsOf(estimator);
  let out: FeatureImportance[];
  if (linear) {
    const sd = columnStd(XTrain);
    const p = XTrain.cols;
    const outputs = linear.coef.length / p;
    out = groups.map((group) => {
      let total = 0;
      for (const { index } of group.features) for (let o = 0; o < outputs; o++) total += Math.abs(linear.coef[o * p + index]) * sd[index];
      return { feature: group.column, importance: total / outputs, std: null, method: "COEFFICIENT" as const };
    });
  } else {
    const scorer = classifier ? (X: Matrix) => accuracyScore(yEval, estimator.predict(X)) : (X: Matrix) => r2Score(yEval, estimator.predict(X));
    const result = permutationImportance(scorer, XEval, { nRepeats: PERMUTATION_REPEATS, seed, groups: groups.map((g) => g.features.map((f) => f.index)) });
    out = groups.map((group, g) => ({ feature: group.column, importance: result.importancesMean[g], std: result.importancesStd[g], method: "PERMUTATION" as const }));
  }
  return out.sort((a, b) => b.importance - a.importance);
}

function coefficientsOf(estimator: Estimator): { coef: Float64Array } | null {
  try {
    const fitted = estimator.coefficients();
    return fitted.intercept.length > 0 ? fitted : null;
  } catch (e) {
    if (e instanceof InvalidInputError) return null;
    throw e;
  }
}

/** Population standard deviation of each column of X. */
function columnStd(X: Matrix): Float64Array {
  const { rows: n, cols: p, data } = X;
  const mean = new Float64Array(p);
  const sq = new Float64Array(p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) mean[j] += data[i * p + j];
  for (let j = 0; j < p; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) sq[j] += (data[i * p + j] - mean[j]) ** 2;
  return sq.map((s) => Math.sqrt(s / n));
}
