/**
 * OrdinalEncoder on one CATEGORY column, as scikit-learn's `OrdinalEncoder`: one feature, named
 * like the column, holding the index 0..k−1 of the value in the categories seen in fit, sorted
 * as OneHotEncoder sorts them (Python's string order: by Unicode code point).
 *
 * - handle_unknown 'error' (default, as scikit-learn): a category not seen in fit is an error;
 *   'ignore' encodes it as UNKNOWN_VALUE = −1 (scikit-learn's handle_unknown="use_encoded_value",
 *   unknown_value=-1; the option keeps OneHotEncoder's name and values).
 * - A missing value (code -1) encodes as NaN, as scikit-learn's default encoded_missing_value;
 *   the FeaturePipeline refuses it unless the column is imputed first.
 */
import { InvalidInputError, NotFittedError } from "../errors.ts";
import { MISSING_CODE, type CategoryColumn } from "../dataset/columns.ts";
import { compareCodePoints, type HandleUnknown } from "./one-hot-encoder.ts";
import { checkEnum, checkSerialized, type SerializedEstimator } from "./serialized.ts";

const KIND = "OrdinalEncoder";
const VERSION = 1;

export interface OrdinalEncoderParams {
  handle_unknown?: HandleUnknown;
}

/** The encoding of an unseen category under handle_unknown 'ignore'. */
export const UNKNOWN_VALUE = -1;
/** Lookup-table entry of a category not seen in fit (before handle_unknown applies). */
export const UNSEEN = -2;

interface OrdinalEncoderState {
  categories: string[];
}

export class OrdinalEncoder {
  readonly kind = KIND;
  readonly params: Required<OrdinalEncoderParams>;
  private state: OrdinalEncoderState | undefined;
  private index: Map<string, number> | undefined;

  constructor(params: OrdinalEncoderParams = {}) {
    this.params = { handle_unknown: params.handle_unknown ?? "error" };
  }

  /**
   * Learn the sorted categories that occur in `column` (dictionary entries with no occurrence
   * are not categories).
   * @throws InvalidInputError for a bad handle_unknown, or when the column has no value
   */
  fit(column: CategoryColumn): this {
    checkEnum(this.params.handle_unknown, ["error", "ignore"] as const, "handle_unknown");
    const seen = new Uint8Array(column.categories.length);
    for (let i = 0; i < column.values.length; i++) if (column.values[i] !== MISSING_CODE) seen[column.values[i]] = 1;
    const categories = column.categories.filter((_, k) => seen[k] === 1).sort(compareCodePoints);
    if (categories.length === 0) {
      throw new InvalidInputError(`Column ${JSON.stringify(column.name)} has no values to learn categories from.`, { field: column.name });
    }
    this.setState({ categories });
    return this;
  }

  /** Sorted categories seen in fit (scikit-learn's `categories_[0]`); a value encodes as its index. */
  get categories_(): readonly string[] {
    return this.fitted().categories;
  }

  /** Always 1: one feature per column. */
  get nFeatures(): number {
    this.fitted();
    return 1;
  }

  /** The output feature name: the column's. */
  featureNames(column: string): string[] {
    this.fitted();
    return [column];
  }

  /** Index of a category value in categories_, or UNSEEN. */
  indexOf(value: string): number {
    this.fitted();
    return this.index!.get(value) ?? UNSEEN;
  }

  /** indexOf for each code of a dictionary (a dataset column's `categories`), computed once per column. */
  lookup(dictionary: readonly string[]): Int32Array {
    const table = new Int32Array(dictionary.length);
    for (let k = 0; k < dictionary.length; k++) table[k] = this.indexOf(dictionary[k]);
    return table;
  }

  /**
   * Encode a column into `out` at out[offset + i·stride] (default: a new array). Missing → NaN.
   * @throws InvalidInputError (`details.row`, `details.field`) on an unknown category with
   *   handle_unknown 'error'
   */
  transform(column: CategoryColumn, out: Float64Array = new Float64Array(column.values.length), offset = 0, stride = 1): Float64Array {
    const table = this.lookup(column.categories);
    const codes = column.values;
    for (let i = 0, k = offset; i < codes.length; i++, k += stride) {
      const code = codes[i];
      if (code === MISSING_CODE) out[k] = NaN;
      else out[k] = table[code] === UNSEEN ? this.unknown(column.name, column.categories[code], i) : table[code];
    }
    return out;
  }

  /** The encoding of a category not seen in fit: UNKNOWN_VALUE under 'ignore'; under 'error' it throws. */
  unknown(column: string, value: string, row: number): number {
    if (this.params.handle_unknown === "ignore") return UNKNOWN_VALUE;
    const known = this.fitted().categories;
    throw new InvalidInputError(
      `Unknown category ${JSON.stringify(value)} for column ${JSON.stringify(column)} at row ${row}; known categories: ${known.slice(0, 20).map((c) => JSON.stringify(c)).join(", ")}${known.length > 20 ? ", …" : ""}.`,
      { field: column, row, value },
    );
  }

  toJSON(): SerializedEstimator {
    return { kind: KIND, version: VERSION, params: { ...this.params }, state: { categories: [...this.fitted().categories] } };
  }

  static fromJSON(json: unknown): OrdinalEncoder {
    const { params, state } = checkSerialized(json, KIND, VERSION);
    const encoder = new OrdinalEncoder(params as OrdinalEncoderParams);
    encoder.setState(state as unknown as OrdinalEncoderState);
    return encoder;
  }

  private setState(state: OrdinalEncoderState): void {
    this.state = state;
    this.index = new Map(state.categories.map((value, k) => [value, k]));
  }

  private fitted(): OrdinalEncoderState {
    if (this.state === undefined) throw new NotFittedError(KIND);
    return this.state;
  }
}
