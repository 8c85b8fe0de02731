/**
 * MinMaxScaler on one numeric column: x' = (x − data_min_) / data_range_, as scikit-learn's
 * `MinMaxScaler()` with its default feature_range (0, 1), column by column.
 *
 * - data_min_ and data_max_ are over the non-missing values (NaN ignored in fit, kept in
 *   transform, as scikit-learn's np.nanmin / np.nanmax).
 * - A column whose range is below 10·ε (scikit-learn's `_handle_zeros_in_scale`) is constant:
 *   it is divided by 1 instead, so it maps to 0 (and a later value v to v − data_min_).
 * - scikit-learn transforms as x·scale_ + min_ with scale_ = 1/range and min_ = −data_min_·scale_;
 *   this file subtracts first, (x − data_min_)/range, the affine form every scaler of the
 *   FeaturePipeline shares. Both agree to rounding (≈1e-16 relative) on well-scaled data; on a
 *   column like 1e8 + N(0, 0.01) the subtract-first form is the more accurate one.
 */
import { InvalidInputError, NotFittedError } from "../errors.ts";
import { checkSerialized, type SerializedEstimator } from "./serialized.ts";

const KIND = "MinMaxScaler";
const VERSION = 1;

/** scikit-learn's `_handle_zeros_in_scale`: scales below 10·ε count as 0 and become 1. */
export function handleZerosInScale(scale: number): number {
  return scale < 10 * Number.EPSILON ? 1 : scale;
}

export interface MinMaxScalerState {
  dataMin: number;
  dataMax: number;
  /** data_max − data_min, before the constant-column fix */
  dataRange: number;
  nSamplesSeen: number;
}

export class MinMaxScaler {
  readonly kind = KIND;
  readonly params: Record<string, never> = {};
  private state: MinMaxScalerState | undefined;

  /**
   * Learn data_min_ and data_max_ from x (NaN = missing, ignored).
   * @throws InvalidInputError when x has no non-missing value
   */
  fit(x: Float64Array): this {
    let min = Infinity;
    let max = -Infinity;
    let count = 0;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (v !== v) continue;
      count++;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (count === 0) throw new InvalidInputError("MinMaxScaler needs at least one non-missing value to fit.", { field: "values" });
    this.state = { dataMin: min, dataMax: max, dataRange: max - min, nSamplesSeen: count };
    return this;
  }

  get data_min_(): number {
    return this.fitted().dataMin;
  }

  get data_max_(): number {
    return this.fitted().dataMax;
  }

  get data_range_(): number {
    return this.fitted().dataRange;
  }

  /** scikit-learn's multiplier 1 / range (1 for a constant column). */
  get scale_(): number {
    return 1 / this.divisor;
  }

  /** scikit-learn's offset −data_min_ · scale_. */
  get min_(): number {
    return -this.fitted().dataMin * this.scale_;
  }

  get n_samples_seen_(): number {
    return this.fitted().nSamplesSeen;
  }

  /** The affine map x' = (x − center) / scale: center data_min_, scale the range (1 if constant). */
  get affine(): { center: number; scale: number } {
    return { center: this.fitted().dataMin, scale: this.divisor };
  }

  /**
   * Scale x into `out` at out[offset + i·stride] (default: a new array), so a column can be
   * written straight into a row-major matrix. NaN stays NaN.
   */
  transform(x: Float64Array, out: Float64Array = new Float64Array(x.length), offset = 0, stride = 1): Float64Array {
    const { center, scale } = this.affine;
    for (let i = 0, k = offset; i < x.length; i++, k += stride) out[k] = (x[i] - center) / scale;
    return out;
  }

  toJSON(): SerializedEstimator {
    return { kind: KIND, version: VERSION, params: {}, state: { ...this.fitted() } };
  }

  static fromJSON(json: unknown): MinMaxScaler {
    const { state } = checkSerialized(json, KIND, VERSION);
    const scaler = new MinMaxScaler();
    scaler.state = state as unknown as MinMaxScalerState;
    return scaler;
  }

  private get divisor(): number {
    return handleZerosInScale(this.fitted().dataRange);
  }

  private fitted(): MinMaxScalerState {
    if (this.state === undefined) throw new NotFittedError(KIND);
    return this.state;
  }
}
