/**
 * OneHotEncoder on one CATEGORY column, as scikit-learn's `OneHotEncoder(handle_unknown, drop)`:
 * one 0/1 feature per category seen in fit, categories sorted like scikit-learn's (Python's
 * string order: by Unicode code point), feature names `column=value`.
 *
 * - handle_unknown 'error' (default, as scikit-learn): a category not seen in fit is an error;
 *   'ignore': it encodes as all zeros.
 * - drop 'first': the first category encodes as all zeros (treatment coding, so a design with an
 *   intercept keeps full rank); 'if_binary': the same, only for two-category columns; null keeps all.
 * - A missing value (code -1) encodes as all zeros. (scikit-learn would make "missing" a category
 *   of its own; impute with `constant` to get that behaviour.)
 */
import type { Matrix } from "../matrix.ts";
import { InvalidInputError, NotFittedError } from "../errors.ts";
import { MISSING_CODE, type CategoryColumn } from "../dataset/columns.ts";
import { checkEnum, checkSerialized, type SerializedEstimator } from "./serialized.ts";

const KIND = "OneHotEncoder";
const VERSION = 1;

export type HandleUnknown = "error" | "ignore";
export type Drop = "first" | "if_binary" | null;

export interface OneHotEncoderParams {
  handle_unknown?: HandleUnknown;
  drop?: Drop;
}

/** Lookup-table entries besides a feature index (≥ 0). */
export const ALL_ZEROS = -1;
export const UNKNOWN = -2;

/**
 * Order strings by Unicode code point (Python's `sorted`, hence scikit-learn's category order).
 * JavaScript's default compares UTF-16 code units, which puts U+E000–U+FFFF after astral
 * characters; shifting surrogates above that range restores code point order.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return fixup(x) - fixup(y);
  }
  return a.length - b.length;
}

function fixup(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit >= 0xd800 ? unit + 0x2000 : unit;
}

interface OneHotEncoderState {
  categories: string[];
  dropIndex: number | null;
}

export class OneHotEncoder {
  readonly kind = KIND;
  readonly params: Required<OneHotEncoderParams>;
  private state: OneHotEncoderState | undefined;
  private featureIndex: Map<string, number> | undefined;

  constructor(params: OneHotEncoderParams = {}) {
    this.params = { handle_unknown: params.handle_unknown ?? "error", drop: params.drop ?? null };
  }

  /**
   * Learn the sorted categories that occur in `column` (dictionary entries with no occurrence,
   * e.g. only in rows outside a training subset, are not categories).
   * @throws InvalidInputError when the column has no non-missing value
   */
  fit(column: CategoryColumn): this {
    checkEnum(this.params.handle_unknown, ["error", "ignore"] as const, "handle_unknown");
    checkEnum(this.params.drop, ["first", "if_binary", null] as const, "drop");
    const seen = new Uint8Array(column.categories.length);
    for (let i = 0; i < column.values.length; i++) if (column.values[i] !== MISSING_CODE) seen[column.values[i]] = 1;
    const categories = column.categories.filter((_, k) => seen[k] === 1).sort(compareCodePoints);
    if (categories.length === 0) {
      throw new InvalidInputError(`Column ${JSON.stringify(column.name)} has no values to learn categories from.`, { field: column.name });
    }
    const { drop } = this.params;
    const dropIndex = drop === "first" || (drop === "if_binary" && categories.length === 2) ? 0 : null;
    this.setState({ categories, dropIndex });
    return this;
  }

  /** Sorted categories seen in fit (scikit-learn's `categories_[0]`). */
  get categories_(): readonly string[] {
    return this.fitted().categories;
  }

  /** Index in categories_ of the dropped category, or null. */
  get drop_idx_(): number | null {
    return this.fitted().dropIndex;
  }

  /** Number of output features. */
  get nFeatures(): number {
    const { categories, dropIndex } = this.fitted();
    return categories.length - (dropIndex === null ? 0 : 1);
  }

  /** Output feature names `column=value`, in output order. */
  featureNames(column: string): string[] {
    return this.outputCategories().map((value) => `${column}=${value}`);
  }

  /** Categories in output order (categories_ without the dropped one). */
  outputCategories(): string[] {
    const { categories, dropIndex } = this.fitted();
    return categories.filter((_, k) => k !== dropIndex);
  }

  /** Output feature of one category value: its index, ALL_ZEROS (dropped) or UNKNOWN. */
  featureOf(value: string): number {
    this.fitted();
    return this.featureIndex!.get(value) ?? UNKNOWN;
  }

  /**
   * Output feature of each code of a dictionary (a dataset column's `categories`), computed once
   * per column so that encoding a row is one array read.
   */
  lookup(dictionary: readonly string[]): Int32Array {
    const table = new Int32Array(dictionary.length);
    for (let k = 0; k < dictionary.length; k++) table[k] = this.featureOf(dictionary[k]);
    return table;
  }

  /**
   * Encode a column into `out`: row i's features start at out[offset + i·stride] (default: a new
   * n × nFeatures matrix, whose rows are already zero). `out` must be zero where it is written.
   * @throws InvalidInputError (`details.row`, `details.field`) on an unknown category with
   *   handle_unknown 'error'
   */
  transform(column: CategoryColumn, out?: Matrix, offset = 0, stride?: number): Matrix {
    const nFeatures = this.nFeatures;
    const target = out ?? { data: new Float64Array(column.values.length * nFeatures), rows: column.values.length, cols: nFeatures };
    const step = stride ?? target.cols;
    const table = this.lookup(column.categories);
    const codes = column.values;
    const data = target.data;
    for (let i = 0, base = offset; i < codes.length; i++, base += step) {
      const code = codes[i];
      if (code === MISSING_CODE) continue;
      const feature = table[code];
      if (feature >= 0) data[base + feature] = 1;
      else if (feature === UNKNOWN) this.unknown(column.name, column.categories[code], i);
    }
    return target;
  }

  /** Handle a category not seen in fit: throw under 'error', do nothing (all zeros) under 'ignore'. */
  unknown(column: string, value: string, row: number): void {
    if (this.params.handle_unknown === "ignore") return;
    const known = this.fitted().categories;
    throw new InvalidInputError(
      `Unknown category ${JSON.stringify(value)} for column ${JSON.stringify(column)} at row ${row}; known categories: ${known.slice(0, 20).map((c) => JSON.stringify(c)).join(", ")}${known.length > 20 ? ", …" : ""}.`,
      { field: column, row, value },
    );
  }

  toJSON(): SerializedEstimator {
    const { categories, dropIndex } = this.fitted();
    return { kind: KIND, version: VERSION, params: { ...this.params }, state: { categories: [...categories], dropIndex } };
  }

  static fromJSON(json: unknown): OneHotEncoder {
    const { params, state } = checkSerialized(json, KIND, VERSION);
    const encoder = new OneHotEncoder(params as OneHotEncoderParams);
    encoder.setState(state as unknown as OneHotEncoderState);
    return encoder;
  }

  private setState(state: OneHotEncoderState): void {
    this.state = state;
    const index = new Map<string, number>();
    state.categories.forEach((value, k) => {
      if (state.dropIndex === null) index.set(value, k);
      else index.set(value, k === state.dropIndex ? ALL_ZEROS : k < state.dropIndex ? k : k - 1);
    });
    this.featureIndex = index;
  }

  private fitted(): OneHotEncoderState {
    if (this.state === undefined) throw new NotFittedError(KIND);
    return this.state;
  }
}
