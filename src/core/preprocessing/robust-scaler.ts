/**
 * RobustScaler on one numeric column: x' = (x − center_) / scale_, as scikit-learn's
 * `RobustScaler()` with its defaults (with_centering, with_scaling, quantile_range (25, 75),
 * unit_variance False), column by column.
 *
 * - center_ is the median of the non-missing values (np.nanmedian: the middle value, or the
 *   mean (a + b)/2 of the two middle ones); NaN is ignored in fit and kept in transform.
 * - scale_ is the interquartile range q75 − q25 of the non-missing values, each quartile by
 *   numpy's default 'linear' interpolation (np.nanpercentile; `quantileSorted`, Hyndman & Fan
 *   type 7), or 1 when the range is below 10·ε (scikit-learn's `_handle_zeros_in_scale`), e.g. a
 *   constant column or one where over half the values tie.
 */
import { InvalidInputError, NotFittedError } from "../errors.ts";
import { quantileSorted } from "../dataset/stats.ts";
import { handleZerosInScale } from "./min-max-scaler.ts";
import { checkSerialized, type SerializedEstimator } from "./serialized.ts";

const KIND = "RobustScaler";
const VERSION = 1;

export interface RobustScalerState {
  center: number;
  scale: number;
  /** q25 and q75 of the fitted values (scale = q75 − q25 unless that is 0) */
  quantiles: [number, number];
  nSamplesSeen: number;
}

export class RobustScaler {
  readonly kind = KIND;
  readonly params: Record<string, never> = {};
  private state: RobustScalerState | undefined;

  /**
   * Learn center_ (median) and scale_ (interquartile range) from x (NaN = missing, ignored).
   * @throws InvalidInputError when x has no non-missing value
   */
  fit(x: Float64Array): this {
    let count = 0;
    for (let i = 0; i < x.length; i++) if (x[i] === x[i]) count++;
    if (count === 0) throw new InvalidInputError("RobustScaler needs at least one non-missing value to fit.", { field: "values" });
    const sorted = new Float64Array(count);
    for (let i = 0, k = 0; i < x.length; i++) if (x[i] === x[i]) sorted[k++] = x[i];
    sorted.sort();
    const h = count >> 1;
    const center = count % 2 === 1 ? sorted[h] : (sorted[h - 1] + sorted[h]) / 2;
    const q25 = quantileSorted(sorted, 0.25);
    const q75 = quantileSorted(sorted, 0.75);
    this.state = { center, scale: handleZerosInScale(q75 - q25), quantiles: [q25, q75], nSamplesSeen: count };
    return this;
  }

  get center_(): number {
    return this.fitted().center;
  }

  get scale_(): number {
    return this.fitted().scale;
  }

  /** [q25, q75] of the fitted values. */
  get quantiles_(): readonly [number, number] {
    return this.fitted().quantiles;
  }

  get n_samples_seen_(): number {
    return this.fitted().nSamplesSeen;
  }

  /** The affine map x' = (x − center) / scale. */
  get affine(): { center: number; scale: number } {
    const { center, scale } = this.fitted();
    return { center, scale };
  }

  /**
   * Scale x into `out` at out[offset + i·stride] (default: a new array), so a column can be
   * written straight into a row-major matrix. NaN stays NaN.
   */
  transform(x: Float64Array, out: Float64Array = new Float64Array(x.length), offset = 0, stride = 1): Float64Array {
    const { center, scale } = this.fitted();
    for (let i = 0, k = offset; i < x.length; i++, k += stride) out[k] = (x[i] - center) / scale;
    return out;
  }

  toJSON(): SerializedEstimator {
    const state = this.fitted();
    return { kind: KIND, version: VERSION, params: {}, state: { ...state, quantiles: [...state.quantiles] } };
  }

  static fromJSON(json: unknown): RobustScaler {
    const { state } = checkSerialized(json, KIND, VERSION);
    const scaler = new RobustScaler();
    scaler.state = state as unknown as RobustScalerState;
    return scaler;
  }

  private fitted(): RobustScalerState {
    if (this.state === undefined) throw new NotFittedError(KIND);
    return this.state;
  }
}
