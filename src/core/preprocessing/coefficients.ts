/**
 * Linear coefficients between the model's features and the user's columns.
 *
 * A linear model fitted on standardized features z_j = (x_j − mean_j) / scale_j predicts
 *   b + Σ_j w_j z_j = (b − Σ_j w_j mean_j / scale_j) + Σ_j (w_j / scale_j) x_j,
 * so in raw units coef_j = w_j / scale_j and intercept = b − Σ_j w_j mean_j / scale_j
 * (one-hot and unscaled features have mean 0, scale 1 and keep their coefficient).
 */
import type { FeatureGroup, Standardization } from "./feature-pipeline.ts";

/**
 * Coefficients in raw units.
 * @param coef n_outputs × n_features, row-major (n_outputs = 1 for a single output)
 * @param intercept n_outputs values
 * @param standardization per-feature mean and scale (FeaturePipeline.standardization())
 */
export function rawCoefficients(
  coef: Float64Array,
  intercept: Float64Array,
  standardization: Standardization,
): { coef: Float64Array; intercept: Float64Array } {
  const { mean, scale } = standardization;
  const p = mean.length;
  if (coef.length !== intercept.length * p) {
    throw new RangeError(`rawCoefficients: coef has ${coef.length} values, expected ${intercept.length} outputs × ${p} features`);
  }
  const rawCoef = new Float64Array(coef.length);
  const rawIntercept = Float64Array.from(intercept);
  for (let o = 0; o < intercept.length; o++) {
    for (let j = 0; j < p; j++) {
      const w = coef[o * p + j];
      rawCoef[o * p + j] = w / scale[j];
      rawIntercept[o] -= (w * mean[j]) / scale[j];
    }
  }
  return { coef: rawCoef, intercept: rawIntercept };
}

export interface ColumnValues {
  column: string;
  /** Σ of the column's feature values (e.g. a column's total contribution to a prediction) */
  total: number;
  features: { name: string; category: string | null; value: number }[];
}

/**
 * Per-feature values (coefficients, contributions w_j·z_j, importances…) gathered back under the
 * column each feature comes from; one-hot features keep the category they stand for.
 * @param values n_features values, in the pipeline's feature order
 */
export function valuesByColumn(groups: readonly FeatureGroup[], values: Float64Array): ColumnValues[] {
  return groups.map((group) => {
    let total = 0;
    const features = group.features.map(({ index, name, category }) => {
      total += values[index];
      return { name, category, value: values[index] };
    });
    return { column: group.column, total, features };
  });
}
