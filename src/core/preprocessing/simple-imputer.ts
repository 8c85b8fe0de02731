/**
 * SimpleImputer on one column, as scikit-learn's `SimpleImputer(strategy, fill_value)`:
 * missing values (NaN, or code -1) are replaced by one statistic learned in fit.
 *
 * | strategy        | NUMBER / BOOLEAN                       | CATEGORY                              |
 * |-----------------|----------------------------------------|---------------------------------------|
 * | `mean`          | mean of the non-missing values         | –                                     |
 * | `median`        | median (mean of the two middle values) | –                                     |
 * | `most_frequent` | mode; ties → the smallest value        | mode; ties → the smallest (code point order) |
 * | `constant`      | fill_value (default 0; BOOLEAN: true/false or 0/1) | fill_value (default "missing_value") |
 *
 * Ties and defaults are scikit-learn 1.2's. A BOOLEAN column imputed by mean or median becomes a
 * NUMBER column (its fill is a share, not 0/1). Unlike scikit-learn, which silently drops a
 * column with no observed value, fit throws: the caller chose that column.
 */
import { InvalidInputError, NotFittedError } from "../errors.ts";
import { MISSING_CODE, type Column } from "../dataset/columns.ts";
import { pairwiseSum } from "../dataset/summation.ts";
import { compareCodePoints } from "./one-hot-encoder.ts";
import { checkEnum, checkSerialized, type SerializedEstimator } from "./serialized.ts";

const KIND = "SimpleImputer";
const VERSION = 1;

export type ImputeStrategy = "mean" | "median" | "most_frequent" | "constant";

export interface SimpleImputerParams {
  strategy?: ImputeStrategy;
  /** the fill for strategy 'constant' */
  fill_value?: number | string | boolean | null;
}

interface SimpleImputerState {
  /** number for NUMBER/BOOLEAN columns, category value for CATEGORY */
  statistic: number | string;
}

export class SimpleImputer {
  readonly kind = KIND;
  readonly params: { strategy: ImputeStrategy; fill_value: number | string | boolean | null };
  private state: SimpleImputerState | undefined;

  constructor(params: SimpleImputerParams = {}) {
    this.params = { strategy: params.strategy ?? "mean", fill_value: params.fill_value ?? null };
  }

  /**
   * Learn the fill value from `column`'s non-missing values.
   * @throws InvalidInputError (`field`: strategy / fill_value / the column) for a strategy that
   *   does not apply to the column's type, a fill_value of the wrong type, or no observed value
   */
  fit(column: Column): this {
    const strategy = checkEnum(this.params.strategy, ["mean", "median", "most_frequent", "constant"] as const, "strategy");
    const statistic = column.type === "CATEGORY" ? this.categoryStatistic(column.name, column.values, column.categories, strategy) : this.numberStatistic(column, strategy);
    this.state = { statistic };
    return this;
  }

  /** The fill value (scikit-learn's `statistics_[0]`). */
  get statistic_(): number | string {
    return this.fitted().statistic;
  }

  /** A copy of `column` with its missing values filled. */
  transform(column: Column): Column {
    const statistic = this.fitted().statistic;
    if (column.type === "CATEGORY") {
      if (typeof statistic !== "string") throw this.typeMismatch(column);
      let code = column.categories.indexOf(statistic);
      const categories = code >= 0 ? column.categories : [...column.categories, statistic];
      if (code < 0) code = categories.length - 1;
      const values = column.values.map((c) => (c === MISSING_CODE ? code : c));
      return { name: column.name, type: "CATEGORY", values, categories };
    }
    if (typeof statistic !== "number") throw this.typeMismatch(column);
    const values = column.values.map((x) => (x !== x ? statistic : x));
    const type = column.type === "BOOLEAN" && statistic !== 0 && statistic !== 1 ? "NUMBER" : column.type;
    return { name: column.name, type, values };
  }

  toJSON(): SerializedEstimator {
    return { kind: KIND, version: VERSION, params: { ...this.params }, state: { ...this.fitted() } };
  }

  static fromJSON(json: unknown): SimpleImputer {
    const { params, state } = checkSerialized(json, KIND, VERSION);
    const imputer = new SimpleImputer(params as SimpleImputerParams);
    imputer.state = state as unknown as SimpleImputerState;
    return imputer;
  }

  private numberStatistic(column: Column & { values: Float64Array }, strategy: ImputeStrategy): number {
    if (strategy === "constant") {
      const fill = this.params.fill_value ?? 0;
      if (typeof fill === "boolean" && column.type === "BOOLEAN") return fill ? 1 : 0;
      if (typeof fill !== "number" || !Number.isFinite(fill)) {
        throw new InvalidInputError(`fill_value for ${column.type} column ${JSON.stringify(column.name)} must be a finite number${column.type === "BOOLEAN" ? " or a boolean" : ""}, got ${JSON.stringify(fill)}.`, { field: "fill_value" });
      }
      return fill;
    }
    const sorted = observed(column.values);
    if (sorted.length === 0) throw noValues(column.name, strategy);
    // numpy's summation order over the column (NaN as 0), as scikit-learn's masked mean.
    if (strategy === "mean") return pairwiseSum(column.values) / sorted.length;
    sorted.sort();
    if (strategy === "median") {
      const h = sorted.length >> 1;
      return sorted.length % 2 === 1 ? sorted[h] : (sorted[h - 1] + sorted[h]) / 2;
    }
    // Mode of sorted values: the longest run; the first (smallest) wins ties, as scipy.stats.mode.
    let best = sorted[0];
    let bestRun = 0;
    for (let i = 0; i < sorted.length; ) {
      let j = i + 1;
      while (j < sorted.length && sorted[j] === sorted[i]) j++;
      if (j - i > bestRun) {
        bestRun = j - i;
        best = sorted[i];
      }
      i = j;
    }
    return best;
  }

  private categoryStatistic(name: string, codes: Int32Array, categories: readonly string[], strategy: ImputeStrategy): string {
    if (strategy === "mean" || strategy === "median") {
      throw new InvalidInputError(`strategy ${JSON.stringify(strategy)} needs numbers, but column ${JSON.stringify(name)} is CATEGORY; use "most_frequent" or "constant".`, { field: "strategy" });
    }
    if (strategy === "constant") {
      const fill = this.params.fill_value ?? "missing_value";
      if (typeof fill !== "string") {
        throw new InvalidInputError(`fill_value for CATEGORY column ${JSON.stringify(name)} must be a string, got ${JSON.stringify(fill)}.`, { field: "fill_value" });
      }
      return fill;
    }
    const counts = new Float64Array(categories.length);
    for (let i = 0; i < codes.length; i++) if (codes[i] !== MISSING_CODE) counts[codes[i]]++;
    let best = -1;
    for (let k = 0; k < counts.length; k++) {
      if (counts[k] === 0) continue;
      if (best < 0 || counts[k] > counts[best] || (counts[k] === counts[best] && compareCodePoints(categories[k], categories[best]) < 0)) best = k;
    }
    if (best < 0) throw noValues(name, strategy);
    return categories[best];
  }

  private typeMismatch(column: Column): InvalidInputError {
    return new InvalidInputError(`This SimpleImputer was fitted on a column of another type than ${column.type} column ${JSON.stringify(column.name)}.`, { field: column.name });
  }

  private fitted(): SimpleImputerState {
    if (this.state === undefined) throw new NotFittedError(KIND);
    return this.state;
  }
}

/** The non-missing values, copied. */
function observed(values: Float64Array): Float64Array {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) count++;
  const out = new Float64Array(count);
  for (let i = 0, k = 0; i < values.length; i++) if (values[i] === values[i]) out[k++] = values[i];
  return out;
}

function noValues(name: string, strategy: ImputeStrategy): InvalidInputError {
  return new InvalidInputError(`Column ${JSON.stringify(name)} has no non-missing value to compute its ${strategy.replace("_", " ")} from; use strategy "constant" or drop the column.`, { field: name });
}
