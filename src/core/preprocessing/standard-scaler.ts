/**
 * StandardScaler on one numeric column: z = (x − mean_) / scale_, as scikit-learn's
 * `StandardScaler()` (with_mean, with_std), column by column.
 *
 * - mean_ and var_ are over the non-missing values (NaN ignored in fit, kept in transform, as
 *   scikit-learn does), var_ with ddof = 0 (population variance), by the corrected two-pass
 *   algorithm scikit-learn uses (`_incremental_mean_and_var`; Chan, Golub & LeVeque 1983):
 *   var = (Σ(x − m)² − (Σ(x − m))²/n) / n.
 * - scale_ = √var_, or 1 for a column that is constant up to rounding (scikit-learn's
 *   `_is_constant_feature`: var ≤ n·ε·var + (n·mean·ε)²), so constant columns map to 0.
 */
import { InvalidInputError, NotFittedError } from "../errors.ts";
import { pairwiseSum } from "../dataset/summation.ts";
import { checkSerialized, type SerializedEstimator } from "./serialized.ts";

const KIND = "StandardScaler";
const VERSION = 1;

export interface StandardScalerState {
  mean: number;
  var: number;
  scale: number;
  nSamplesSeen: number;
}

export class StandardScaler {
  readonly kind = KIND;
  readonly params: Record<string, never> = {};
  private state: StandardScalerState | undefined;

  /**
   * Learn mean_ and scale_ from x (NaN = missing, ignored).
   * @throws InvalidInputError when x has no non-missing value
   */
  fit(x: Float64Array): this {
    let count = 0;
    for (let i = 0; i < x.length; i++) if (x[i] === x[i]) count++;
    if (count === 0) throw new InvalidInputError("StandardScaler needs at least one non-missing value to fit.", { field: "values" });
    // The same sums as scikit-learn (np.nansum, i.e. numpy's pairwise order), so that mean_ and
    // var_ match it bit for bit and ill-conditioned columns standardize identically.
    const mean = pairwiseSum(x) / count;
    const deviations = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) deviations[i] = x[i] - mean;
    const correction = pairwiseSum(deviations);
    for (let i = 0; i < x.length; i++) deviations[i] *= deviations[i];
    const variance = (pairwiseSum(deviations) - (correction * correction) / count) / count;
    const eps = Number.EPSILON;
    const constant = variance <= count * eps * variance + (count * mean * eps) ** 2;
    this.state = { mean, var: variance, scale: constant ? 1 : Math.sqrt(variance), nSamplesSeen: count };
    return this;
  }

  get mean_(): number {
    return this.fitted().mean;
  }

  get var_(): number {
    return this.fitted().var;
  }

  get scale_(): number {
    return this.fitted().scale;
  }

  get n_samples_seen_(): number {
    return this.fitted().nSamplesSeen;
  }

  /**
   * Standardize x into `out` at out[offset + i·stride] (default: a new array), so a column can be
   * written straight into a row-major matrix. NaN stays NaN.
   */
  transform(x: Float64Array, out: Float64Array = new Float64Array(x.length), offset = 0, stride = 1): Float64Array {
    const { mean, scale } = this.fitted();
    for (let i = 0, k = offset; i < x.length; i++, k += stride) out[k] = (x[i] - mean) / scale;
    return out;
  }

  toJSON(): SerializedEstimator {
    return { kind: KIND, version: VERSION, params: {}, state: { ...this.fitted() } };
  }

  static fromJSON(json: unknown): StandardScaler {
    const { state } = checkSerialized(json, KIND, VERSION);
    const scaler = new StandardScaler();
    scaler.state = state as unknown as StandardScalerState;
    return scaler;
  }

  private fitted(): StandardScalerState {
    if (this.state === undefined) throw new NotFittedError(KIND);
    return this.state;
  }
}
