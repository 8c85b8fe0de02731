/**
 * Type inference and columnar storage for tabular data.
 *
 * A column is one typed array over all rows (STYLE: a dataset is one typed array per column):
 *
 * | type       | values                                   | missing | categories                     |
 * |------------|------------------------------------------|---------|--------------------------------|
 * | `NUMBER`   | Float64Array of the parsed decimals      | NaN     | –                              |
 * | `BOOLEAN`  | Float64Array of 0 (false) / 1 (true)     | NaN     | –                              |
 * | `CATEGORY` | Int32Array of codes into `categories`    | -1      | dictionary, first-appearance order |
 *
 * Inference rules (decided over every non-missing cell of the column):
 * - A cell that is empty or only whitespace is missing, whatever the column's type.
 * - NUMBER when every non-missing cell is a finite decimal ({@link parseDecimal}): `1`, `-2.5`,
 *   `+.5`, `1e3`, ` 3 ` (surrounding whitespace ignored). `NaN`, `Infinity`, hex, `1,000`,
 *   `1_000` and values that overflow to ±Infinity (`1e400`) are not numbers.
 * - BOOLEAN when every non-missing cell is `true` or `false`, case-insensitive, surrounding
 *   whitespace ignored. A column of only 0 and 1 stays NUMBER (it is a valid number column and
 *   an estimator treats both the same; calling it BOOLEAN would change its stats and encodings).
 *   A column mixing `true` and `1` is CATEGORY.
 * - CATEGORY otherwise. Category values are kept verbatim (quoted whitespace is data).
 * - A column whose every cell is missing is CATEGORY with no categories (every code -1): no
 *   type can be inferred, and rejecting it would make a whole upload fail for one blank column.
 */
import { InvalidInputError } from "../errors.ts";

export type ColumnType = "NUMBER" | "BOOLEAN" | "CATEGORY";

export interface NumberColumn {
  name: string;
  type: "NUMBER" | "BOOLEAN";
  /** one value per row; NaN = missing; BOOLEAN holds 0/1 */
  values: Float64Array;
  categories?: undefined;
}

export interface CategoryColumn {
  name: string;
  type: "CATEGORY";
  /** one code per row into `categories`; -1 = missing */
  values: Int32Array;
  /** dictionary, in order of first appearance */
  categories: string[];
}

export type Column = NumberColumn | CategoryColumn;

/** Sentinel code of a missing CATEGORY cell. */
export const MISSING_CODE = -1;

// Character codes used by the scanners below.
const SPACE = 32, TAB = 9, LF = 10, VT = 11, FF = 12, CR = 13;
const PLUS = 43, MINUS = 45, DOT = 46, ZERO = 48, NINE = 57, LOWER_E = 101, CASE_BIT = 0x20;

function isAsciiSpace(c: number): boolean {
  return c === SPACE || (c >= TAB && c <= CR);
}

/**
 * Parse a strict decimal number: `[ws] [+|-] (digits [. digits*] | . digits) [(e|E) [+|-] digits] [ws]`,
 * ws being ASCII whitespace. Returns NaN for anything else, and for values that overflow to
 * ±Infinity, so that NaN always means "not a number cell".
 *
 * Why a scanner: `Number()` also accepts hex, binary, `Infinity` and the empty string, and
 * `parseFloat` accepts trailing garbage (`"12abc"`); the scanner validates without allocating.
 * While it scans it also gathers the digits: when they fit 15 decimal digits (so the integer
 * mantissa m < 10^15 < 2^53 is exact) and the power of ten is at most 22 (10^22 is the largest
 * exact double power of ten), m · 10^e or m / 10^−e is one correctly rounded operation on exact
 * operands, hence the correctly rounded value (Clinger 1990, "How to read floating point numbers
 * accurately", the fast path every strtod uses). Other cells go to `Number()`. The fast path is
 * what makes ingest's number parsing cost ~25 ns a cell instead of ~110 (README, Performance).
 *
 * @example parseDecimal(" -2.5e3 ") // -2500
 * @example parseDecimal("0x1A")     // NaN
 */
export function parseDecimal(text: string): number {
  const n = text.length;
  let i = 0;
  while (i < n && isAsciiSpace(text.charCodeAt(i))) i++;
  let end = n;
  while (end > i && isAsciiSpace(text.charCodeAt(end - 1))) end--;
  if (i === end) return NaN;
  let c = text.charCodeAt(i);
  const negative = c === MINUS;
  if (c === PLUS || c === MINUS) i++;
  let digits = 0;
  // mantissa of the first FAST_DIGITS significant digits, and the power of ten it is scaled by
  let mantissa = 0;
  let significant = 0;
  let scale = 0;
  while (i < end && (c = text.charCodeAt(i)) >= ZERO && c <= NINE) {
    i++;
    digits++;
    if (significant > 0 || c !== ZERO) {
      if (significant < FAST_DIGITS) mantissa = mantissa * 10 + (c - ZERO);
      else scale++;
      significant++;
    }
  }
  if (i < end && text.charCodeAt(i) === DOT) {
    i++;
    while (i < end && (c = text.charCodeAt(i)) >= ZERO && c <= NINE) {
      i++;
      digits++;
      if (significant > 0 || c !== ZERO) {
        if (significant < FAST_DIGITS) {
          mantissa = mantissa * 10 + (c - ZERO);
          scale--;
        }
        significant++;
      } else scale--;
    }
  }
  if (digits === 0) return NaN;
  let exponent = 0;
  if (i < end && (text.charCodeAt(i) | CASE_BIT) === LOWER_E) {
    i++;
    let exponentSign = 1;
    if (i < end && ((c = text.charCodeAt(i)) === PLUS || c === MINUS)) {
      if (c === MINUS) exponentSign = -1;
      i++;
    }
    let expDigits = 0;
    while (i < end && (c = text.charCodeAt(i)) >= ZERO && c <= NINE) {
      i++;
      expDigits++;
      if (exponent < 1e6) exponent = exponent * 10 + (c - ZERO);
    }
    if (expDigits === 0) return NaN;
    exponent *= exponentSign;
  }
  if (i !== end) return NaN;
  const power = scale + exponent;
  if (significant <= FAST_DIGITS && power >= -MAX_EXACT_POWER && power <= MAX_EXACT_POWER) {
    const magnitude = mantissa === 0 ? 0 : power < 0 ? mantissa / POWERS_OF_TEN[-power] : mantissa * POWERS_OF_TEN[power];
    return negative ? -magnitude : magnitude;
  }
  const value = Number(text);
  return value === Infinity || value === -Infinity ? NaN : value;
}

/** Significant digits whose integer is exact in a double with room to spare (10^15 < 2^53). */
const FAST_DIGITS = 15;
/** 10^22 is the largest power of ten a double holds exactly. */
const MAX_EXACT_POWER = 22;
const POWERS_OF_TEN = Float64Array.from({ length: MAX_EXACT_POWER + 1 }, (_, k) => 10 ** k);

/** Case-insensitive match of `word` (lower-case ASCII) against text[from, from + word.length). */
function matchesLower(text: string, from: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) {
    if ((text.charCodeAt(from + k) | CASE_BIT) !== word.charCodeAt(k)) return false;
  }
  return true;
}

/**
 * Parse a boolean cell: `true` → 1, `false` → 0 (case-insensitive, surrounding ASCII whitespace
 * ignored); anything else → -1. `0`/`1`, `yes`/`no` are not booleans (see the module rules).
 */
export function parseBoolean(text: string): number {
  let i = 0;
  let end = text.length;
  while (i < end && isAsciiSpace(text.charCodeAt(i))) i++;
  while (end > i && isAsciiSpace(text.charCodeAt(end - 1))) end--;
  const n = end - i;
  if (n === 4 && matchesLower(text, i, "true")) return 1;
  if (n === 5 && matchesLower(text, i, "false")) return 0;
  return -1;
}

/** A cell is missing when it is empty or only whitespace (Unicode whitespace, as String#trim). */
export function isMissingCell(text: string): boolean {
  return text.length === 0 || text.trim().length === 0;
}

/**
 * The distinct texts a table's columns may hold together. Each is kept (as a dictionary entry)
 * for the whole ingest, so a column of distinct values (an id, free text) costs memory in
 * proportion to the file; the budget refuses such a file early instead.
 */
export interface CategoryBudget {
  /** Count one more distinct text of column `column`; throws when over the budget. */
  take(column: string): void;
}

/** Builder states. */
type State = typeof EMPTY | typeof NUMERIC | typeof TEXT;
/** every cell so far was missing */
const EMPTY = 0;
/** every non-missing cell so far was a decimal */
const NUMERIC = 1;
/** dictionary-encoded: BOOLEAN while `maybeBoolean`, else CATEGORY */
const TEXT = 2;

const INITIAL_CAPACITY = 1024;

/**
 * Builds one column from its cells, one `push` per row, inferring the type as it goes, in
 * O(1) amortised time per cell and without allocating per cell (the cell strings themselves come
 * from the CSV parser). Feeding rows in chunks, from a sync parse or a stream, gives the same
 * column.
 *
 * Numbers are parsed as they arrive (NUMBER is the common case and a dictionary of a continuous
 * column would cost a map entry per row). When a later cell shows the column is really textual,
 * the texts of the earlier numeric cells are needed for the dictionary: the builder records the
 * row where that happened (`replayRows`) and the caller feeds those rows' cells again through
 * {@link ColumnBuilder.replay}. Storing the text of every numeric cell instead would roughly
 * double ingest memory for a case that is rare.
 *
 * BOOLEAN candidates are dictionary-encoded from the start (a handful of distinct spellings),
 * so BOOLEAN → CATEGORY never needs a replay.
 */
export class ColumnBuilder {
  readonly name: string;
  private state: State = EMPTY;
  private maybeBoolean = true;
  private length = 0;
  private numbers: Float64Array = new Float64Array(0);
  private codes: Int32Array = new Int32Array(0);
  /** raw cell text → code; blank cells map to MISSING_CODE so they are classified once */
  private dictionary = new Map<string, number>();
  private categories: string[] = [];
  /** rows [0, replayRows) hold numbers whose text must be replayed (NUMBER turned CATEGORY) */
  private replayRowCount = 0;
  private replayDictionary: Map<string, number> | undefined;
  private replayCategories: string[] = [];

  constructor(
    name: string,
    /** shared by a table's builders: distinct texts they may hold together (CsvLimits.maxCategories) */
    private readonly budget?: CategoryBudget,
  ) {
    this.name = name;
  }

  /** Rows whose cells must be passed to {@link replay} before {@link finish} (0 when none). */
  get replayRows(): number {
    return this.replayRowCount;
  }

  /** Append the next row's cell. */
  push(cell: string): void {
    const row = this.length;
    if (this.state === NUMERIC) {
      const value = parseDecimal(cell);
      if (value === value || isMissingCell(cell)) {
        this.numbers = ensureFloat64(this.numbers, row + 1);
        this.numbers[row] = value;
        this.length = row + 1;
        return;
      }
      this.numberToText(row);
    } else if (this.state === EMPTY) {
      if (isMissingCell(cell)) {
        this.length = row + 1;
        return;
      }
      // The first value decides the candidate type; earlier rows were all missing.
      const value = parseDecimal(cell);
      if (value === value) {
        this.state = NUMERIC;
        this.numbers = new Float64Array(Math.max(INITIAL_CAPACITY, row + 1)).fill(NaN, 0, row);
        this.numbers[row] = value;
        this.length = row + 1;
        return;
      }
      this.state = TEXT;
      this.codes = new Int32Array(Math.max(INITIAL_CAPACITY, row + 1)).fill(MISSING_CODE, 0, row);
    }
    this.codes = ensureInt32(this.codes, row + 1);
    this.codes[row] = cell.length === 0 ? MISSING_CODE : this.encode(cell);
    this.length = row + 1;
  }

  /**
   * Feed again the cell of `row` (< replayRows), rows in increasing order, after every row was
   * pushed. Cells of rows at or beyond `replayRows` are ignored.
   */
  replay(row: number, cell: string): void {
    if (row >= this.replayRowCount) return;
    if (this.replayDictionary === undefined) this.replayDictionary = new Map();
    let code = this.replayDictionary.get(cell);
    if (code === undefined) {
      if (isMissingCell(cell)) code = MISSING_CODE;
      else {
        cell = ownString(cell);
        this.budget?.take(this.name);
        code = this.replayCategories.push(cell) - 1;
      }
      this.replayDictionary.set(cell, code);
    }
    this.codes[row] = code;
  }

  /** The finished column. Throws if rows still await {@link replay}. */
  finish(): Column {
    const name = this.name;
    const n = this.length;
    if (this.state === NUMERIC) return { name, type: "NUMBER", values: this.numbers.slice(0, n) };
    if (this.state === EMPTY) return { name, type: "CATEGORY", values: new Int32Array(n).fill(MISSING_CODE), categories: [] };
    if (this.replayRowCount > 0) this.mergeReplay();
    if (this.maybeBoolean) return { name, type: "BOOLEAN", values: this.booleanValues() };
    return { name, type: "CATEGORY", values: this.codes.slice(0, n), categories: this.categories };
  }

  private encode(cell: string): number {
    let code = this.dictionary.get(cell);
    if (code === undefined) {
      // Classify each distinct text once: blank → missing; a non-boolean ends BOOLEAN candidacy.
      if (isMissingCell(cell)) code = MISSING_CODE;
      else {
        if (this.maybeBoolean && parseBoolean(cell) < 0) this.maybeBoolean = false;
        // A cell cut out of the parser's chunk may be a view of that chunk's whole text: kept as
        // a category it would keep the chunk alive, and a column of distinct values the file.
        cell = ownString(cell);
        this.budget?.take(this.name);
        code = this.categories.push(cell) - 1;
      }
      this.dictionary.set(cell, code);
    }
    return code;
  }

  private numberToText(row: number): void {
    this.state = TEXT;
    this.maybeBoolean = false; // numbers mixed with anything else are categories
    this.replayRowCount = row;
    this.numbers = new Float64Array(0);
    // Codes of rows < row are placeholders until replayed.
    this.codes = new Int32Array(Math.max(INITIAL_CAPACITY, row + 1));
  }

  /**
   * Put the replayed rows' categories first so that the dictionary stays in order of first
   * appearance, and renumber the codes pushed after the switch to text.
   */
  private mergeReplay(): void {
    if (this.replayDictionary === undefined) {
      throw new Error(`ColumnBuilder(${this.name}): rows 0..${this.replayRowCount - 1} must be replayed before finish()`);
    }
    const merged = this.replayCategories;
    const index = new Map<string, number>();
    for (let k = 0; k < merged.length; k++) index.set(merged[k], k);
    const remap = new Int32Array(this.categories.length);
    for (let k = 0; k < this.categories.length; k++) {
      const text = this.categories[k];
      remap[k] = index.get(text) ?? merged.push(text) - 1;
    }
    const codes = this.codes;
    for (let i = this.replayRowCount; i < this.length; i++) if (codes[i] >= 0) codes[i] = remap[codes[i]];
    this.categories = merged;
    this.dictionary = index;
    this.replayRowCount = 0;
    this.replayDictionary = undefined;
  }

  private booleanValues(): Float64Array {
    const truth = new Float64Array(this.categories.length);
    for (let k = 0; k < truth.length; k++) truth[k] = parseBoolean(this.categories[k]);
    const out = new Float64Array(this.length);
    const codes = this.codes;
    for (let i = 0; i < out.length; i++) out[i] = codes[i] < 0 ? NaN : truth[codes[i]];
    return out;
  }
}

/** A copy of `text` that shares no memory with the string it was cut from. */
function ownString(text: string): string {
  // V8 cuts substrings of 13 characters and more as views of their parent; shorter ones are copies.
  return text.length < 13 ? text : Buffer.from(text, "utf8").toString("utf8");
}

function ensureFloat64(a: Float64Array, size: number): Float64Array {
  if (size <= a.length) return a;
  const grown = new Float64Array(Math.max(INITIAL_CAPACITY, a.length * 2, size));
  grown.set(a);
  return grown;
}

function ensureInt32(a: Int32Array, size: number): Int32Array {
  if (size <= a.length) return a;
  const grown = new Int32Array(Math.max(INITIAL_CAPACITY, a.length * 2, size));
  grown.set(a);
  return grown;
}

/**
 * Infer one column from its cells (tests, small inputs, JSON uploads). Same rules as CSV ingest.
 * @example inferColumn("age", ["31", "", "47"]) // { type: "NUMBER", values: [31, NaN, 47] }
 */
export function inferColumn(name: string, cells: readonly string[]): Column {
  const builder = new ColumnBuilder(name);
  for (const cell of cells) builder.push(cell);
  for (let i = 0; i < builder.replayRows; i++) builder.replay(i, cells[i]);
  return builder.finish();
}

/** Find a column by name, or throw InvalidInputError naming it. */
export function getColumn(columns: readonly Column[], name: string): Column {
  for (const column of columns) if (column.name === name) return column;
  throw new InvalidInputError(`Column ${JSON.stringify(name)} does not exist; available columns: ${columns.map((c) => c.name).join(", ")}.`, { field: name });
}
