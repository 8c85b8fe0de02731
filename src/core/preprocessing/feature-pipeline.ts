/**
 * FeaturePipeline: dataset columns (or raw JSON records) → the row-major design matrix an
 * estimator sees, as a scikit-learn `ColumnTransformer` with one `Pipeline` per column:
 *
 *   NUMBER / BOOLEAN:  [SimpleImputer] → [scaler]                   → 1 feature, named `column`
 *   CATEGORY one_hot:  [SimpleImputer] → OneHotEncoder              → 1 feature per category, `column=value`
 *   CATEGORY ordinal:  [SimpleImputer] → OrdinalEncoder → [scaler]  → 1 feature, named `column`
 *
 * The scaler is StandardScaler, MinMaxScaler or RobustScaler (`scale` standard / minmax / robust;
 * see scalers.ts): each an affine map x' = (x − center) / scale, which `standardization()`
 * reports so that coefficients can be given in raw units. An ordinal feature (the category's
 * index 0..k−1, or −1 for an unseen one under handle_unknown 'ignore') may be scaled like a
 * number, as scikit-learn's `make_pipeline(OrdinalEncoder(), StandardScaler())`; a one-hot block
 * may not (its 0/1 features are not scaled). A missing value in a column without `impute` is an
 * error for numbers and ordinal features; a one-hot block encodes it as all zeros.
 *
 * Features appear in the order of `params.features`, each column's block contiguous. Each step is
 * fitted on the output of the step before, on training rows only (the scaler sees imputed
 * values, as in scikit-learn's Pipeline). BOOLEAN columns are numeric 0/1 features.
 *
 * Shapes: X is n_rows × n_features (Matrix); `featureNames` and `featureSources` have n_features
 * entries (the source is an index into `params.features`).
 */
import { matrix, type Matrix } from "../matrix.ts";
import { InvalidInputError, NotFittedError } from "../errors.ts";
import { getColumn, isMissingCell, type CategoryColumn, type Column, type ColumnType, type NumberColumn } from "../dataset/columns.ts";
import { affineOf, createScaler, scalerFromJSON, SCALE_KINDS, type ScaleKind, type Scaler } from "./scalers.ts";
import { OrdinalEncoder, UNSEEN } from "./ordinal-encoder.ts";
import { SimpleImputer, type SimpleImputerParams } from "./simple-imputer.ts";
import { ALL_ZEROS, OneHotEncoder, UNKNOWN, type Drop, type HandleUnknown } from "./one-hot-encoder.ts";
import { checkEnum, checkSerialized, type SerializedEstimator } from "./serialized.ts";

const KIND = "FeaturePipeline";
const VERSION = 1;

/** How one input column becomes features. */
export interface FeatureSpec {
  /** the dataset column (and the key of a prediction record) */
  name: string;
  type: ColumnType;
  /** fill missing values first; without it a missing NUMBER/BOOLEAN (or ordinal) value is an error */
  impute?: SimpleImputerParams;
  /**
   * NUMBER/BOOLEAN, and CATEGORY with encode 'ordinal': 'standard' = StandardScaler, 'minmax' =
   * MinMaxScaler, 'robust' = RobustScaler; default 'none'
   */
  scale?: ScaleKind | "none";
  /** CATEGORY: 'one_hot' (default; one 0/1 feature per category) or 'ordinal' (one feature, the category's index) */
  encode?: "one_hot" | "ordinal";
  /** CATEGORY: 'error' (default) or 'ignore': an unseen category encodes as all zeros (one_hot) or −1 (ordinal) */
  handle_unknown?: HandleUnknown;
  /** CATEGORY one_hot: OneHotEncoder's drop; default null */
  drop?: Drop;
}

export interface FeaturePipelineParams {
  features: FeatureSpec[];
}

/** The features of one input column, for explanations (one-hot features back to their column; `category` null for a numeric or ordinal feature). */
export interface FeatureGroup {
  column: string;
  type: ColumnType;
  features: { index: number; name: string; category: string | null }[];
}

/**
 * Per output feature, the affine map from raw units: x_model = (x_raw − mean) / scale. `mean` is
 * the scaler's centre (the mean for StandardScaler, the minimum for MinMaxScaler, the median for
 * RobustScaler; the name is kept for compatibility); unscaled and one-hot features have 0 and 1.
 * An ordinal feature's raw unit is its category index.
 */
export interface Standardization {
  mean: Float64Array;
  scale: Float64Array;
}

interface Step {
  spec: FeatureSpec;
  imputer?: SimpleImputer;
  scaler?: Scaler;
  /** one_hot encoding */
  encoder?: OneHotEncoder;
  /** ordinal encoding (serialized under `encoder` too, told apart by its kind) */
  ordinal?: OrdinalEncoder;
  /** the scaler's affine map x' = (x − center) / scale; 0 and 1 without scaler */
  center: number;
  scale: number;
  /** first output feature of this column */
  offset: number;
  width: number;
}

export class FeaturePipeline {
  readonly kind = KIND;
  readonly params: FeaturePipelineParams;
  private steps: Step[] | undefined;

  constructor(params: FeaturePipelineParams) {
    this.params = params;
  }

  /** Names of the input columns, in order. */
  get inputColumns(): string[] {
    return this.params.features.map((f) => f.name);
  }

  /**
   * Fit every column's steps on `rows` of `columns` (all rows when omitted).
   * @throws InvalidInputError for an invalid spec (`field`: features[j].option), a missing column
   *   or one of another type (`field`: the column), a missing NUMBER/BOOLEAN value without
   *   `impute`, or no rows
   */
  fit(columns: readonly Column[], rows?: Int32Array): this {
    const specs = checkSpecs(this.params.features);
    if (rows) checkRows(rows, columnOf(columns, specs[0]).values.length);
    const steps: Step[] = [];
    let offset = 0;
    for (const spec of specs) {
      const source = columnOf(columns, spec);
      // A number column left as it is needs no statistic, only a missing-value count, which
      // reads the rows in place: copying them out cost ~0.1 s per 1M × 20 training.
      const asIs = source.type !== "CATEGORY" && !spec.impute && (spec.scale === undefined || spec.scale === "none");
      const column = asIs ? source : select(source, rows);
      if ((rows ?? column.values).length === 0) throw new InvalidInputError("FeaturePipeline needs at least one training row.", { field: "rows" });
      const step: Step = { spec, offset, width: 1, center: 0, scale: 1 };
      let prepared = column;
      if (spec.impute) {
        step.imputer = new SimpleImputer(spec.impute).fit(column);
        prepared = step.imputer.transform(column);
      }
      if (prepared.type === "CATEGORY" && spec.encode !== "ordinal") {
        step.encoder = new OneHotEncoder({ handle_unknown: spec.handle_unknown, drop: spec.drop }).fit(prepared);
        step.width = step.encoder.nFeatures;
      } else {
        const missing = prepared.type === "CATEGORY" ? countMissingCodes(prepared.values) : countMissing(prepared.values, asIs ? rows : undefined);
        if (missing > 0) {
          throw new InvalidInputError(
            `Column ${JSON.stringify(spec.name)} has ${missing} missing value${missing === 1 ? "" : "s"} in the training rows; set an impute strategy for it (${prepared.type === "CATEGORY" ? "most_frequent or constant" : "mean, median, most_frequent or constant"}) or drop those rows.`,
            { field: spec.name, missing },
          );
        }
        let values: Float64Array;
        if (prepared.type === "CATEGORY") {
          step.ordinal = new OrdinalEncoder({ handle_unknown: spec.handle_unknown }).fit(prepared);
          values = step.ordinal.transform(prepared);
        } else values = prepared.values;
        if (spec.scale !== undefined && spec.scale !== "none") {
          step.scaler = createScaler(spec.scale).fit(values);
          Object.assign(step, affineOf(step.scaler));
        }
      }
      steps.push(step);
      offset += step.width;
    }
    this.steps = steps;
    return this;
  }

  /** `fit(columns, rows)` then `transform(columns, rows)`. */
  fitTransform(columns: readonly Column[], rows?: Int32Array): Matrix {
    return this.fit(columns, rows).transform(columns, rows);
  }

  /** Number of output features. */
  get nFeatures(): number {
    const steps = this.fitted();
    const last = steps[steps.length - 1];
    return last.offset + last.width;
  }

  /** Output feature names: `column` for numeric and ordinal columns, `column=value` for one-hot features. */
  get featureNames(): string[] {
    return this.fitted().flatMap((step) => (step.encoder ? step.encoder.featureNames(step.spec.name) : [step.spec.name]));
  }

  /** For each output feature, the index in `params.features` of the column it comes from. */
  get featureSources(): Int32Array {
    const out = new Int32Array(this.nFeatures);
    this.fitted().forEach((step, j) => out.fill(j, step.offset, step.offset + step.width));
    return out;
  }

  /** Output features grouped by input column, with the category each one-hot feature stands for. */
  featureGroups(): FeatureGroup[] {
    return this.fitted().map((step) => {
      const { name, type } = step.spec;
      const categories = step.encoder?.outputCategories();
      const features = Array.from({ length: step.width }, (_, k) => ({
        index: step.offset + k,
        name: categories ? `${name}=${categories[k]}` : name,
        category: categories ? categories[k] : null,
      }));
      return { column: name, type, features };
    });
  }

  /** Centre (in `mean`) and scale of each output feature, whatever the scaler (0 and 1 where nothing is scaled). */
  standardization(): Standardization {
    const mean = new Float64Array(this.nFeatures);
    const scale = new Float64Array(this.nFeatures).fill(1);
    for (const step of this.fitted()) {
      if (step.scaler) {
        mean[step.offset] = step.center;
        scale[step.offset] = step.scale;
      }
    }
    return { mean, scale };
  }

  /**
   * The design matrix of `rows` of `columns` (all rows when omitted). Columns are found by name,
   * so they may come from another dataset with its own category dictionaries.
   * @throws InvalidInputError (`details.row` = dataset row, `details.field` = column) for a missing
   *   value without imputer or an unknown category under handle_unknown 'error'
   */
  transform(columns: readonly Column[], rows?: Int32Array): Matrix {
    const steps = this.fitted();
    const sources = steps.map((step) => columnOf(columns, step.spec));
    if (rows) checkRows(rows, sources[0].values.length);
    const n = rows ? rows.length : sources[0].values.length;
    const X = matrix(n, this.nFeatures);
    for (const column of sources) {
      if (column.values.length !== sources[0].values.length) {
        throw new InvalidInputError(`Column ${JSON.stringify(column.name)} has ${column.values.length} rows, ${JSON.stringify(sources[0].name)} has ${sources[0].values.length}.`, { field: column.name });
      }
    }
    // A block of rows at a time through every column: column by column over all rows, each
    // column's pass strode over the whole row-major matrix (one cache line per value, p passes
    // over n·p·8 bytes); a block of rows stays in cache while its row segments fill.
    for (let start = 0; start < n; start += TRANSFORM_BLOCK_ROWS) {
      const end = Math.min(n, start + TRANSFORM_BLOCK_ROWS);
      steps.forEach((step, j) => {
        const column = sources[j];
        if (column.type !== "CATEGORY") writeNumbers(step, column, rows, X, start, end);
        else if (step.ordinal) encodeOrdinal(step, column, rows, X, start, end);
        else encodeCategories(step, column, rows, X, start, end);
      });
    }
    return X;
  }

  /**
   * The design matrix of raw prediction inputs, one record per row, keyed by column name. Values:
   * NUMBER a finite number, BOOLEAN true/false, CATEGORY a string; null (or a blank string for a
   * CATEGORY) is a missing value, imputed when the column has `impute`. Other keys are ignored.
   * @throws InvalidInputError (`details.row` = record index, `details.field` = column) for a record
   *   that is not an object, a missing key, a value of the wrong type, NaN or ±Infinity, a null
   *   without imputer (numbers and ordinal categories), or an unknown category under
   *   handle_unknown 'error'
   */
  transformRecords(records: readonly Record<string, unknown>[]): Matrix {
    const steps = this.fitted();
    const p = this.nFeatures;
    const X = matrix(records.length, p);
    const data = X.data;
    for (let row = 0; row < records.length; row++) {
      const record = records[row];
      if (record === null || typeof record !== "object" || Array.isArray(record)) {
        throw new InvalidInputError(`Input ${row} must be an object of column values, got ${record === null ? "null" : Array.isArray(record) ? "an array" : typeof record}.`, { row });
      }
      for (const step of steps) {
        const { name, type } = step.spec;
        const value = record[name];
        if (value === undefined) {
          throw new InvalidInputError(`Input ${row} is missing feature ${JSON.stringify(name)} (${type}); pass null for a missing value.`, { row, field: name });
        }
        const base = row * p + step.offset;
        if (step.encoder) {
          if (value !== null && typeof value !== "string") throw wrongType(row, name, type, value);
          let feature: number;
          if (value === null || isMissingCell(value)) feature = missingCategory(step);
          else feature = step.encoder.featureOf(value);
          if (feature >= 0) data[base + feature] = 1;
          else if (feature === UNKNOWN) step.encoder.unknown(name, value as string, row);
        } else if (step.ordinal) {
          if (value !== null && typeof value !== "string") throw wrongType(row, name, type, value);
          let category: string;
          if (value === null || isMissingCell(value)) {
            if (!step.imputer) throw missingValue(name, row);
            category = step.imputer.statistic_ as string;
          } else category = value;
          let x = step.ordinal.indexOf(category);
          if (x === UNSEEN) x = step.ordinal.unknown(name, category, row);
          data[base] = (x - step.center) / step.scale;
        } else {
          let x: number;
          if (value === null) x = missingNumber(step, row);
          else if (type === "BOOLEAN") {
            if (typeof value !== "boolean") throw wrongType(row, name, type, value);
            x = value ? 1 : 0;
          } else {
            if (typeof value !== "number") throw wrongType(row, name, type, value);
            if (!Number.isFinite(value)) {
              throw new InvalidInputError(`Input ${row} has ${value} for ${JSON.stringify(name)}; values must be finite numbers (pass null for a missing value).`, { row, field: name });
            }
            x = value;
          }
          // Unscaled columns are copied: (x − 0) / 1 is x, bit for bit.
          data[base] = (x - step.center) / step.scale;
        }
      }
    }
    return X;
  }

  toJSON(): SerializedEstimator {
    const steps = this.fitted();
    return {
      kind: KIND,
      version: VERSION,
      params: { features: this.params.features.map((f) => ({ ...f })) },
      state: {
        steps: steps.map((step) => ({
          imputer: step.imputer?.toJSON() ?? null,
          scaler: step.scaler?.toJSON() ?? null,
          encoder: (step.encoder ?? step.ordinal)?.toJSON() ?? null,
        })),
      },
    };
  }

  static fromJSON(json: unknown): FeaturePipeline {
    const { params, state } = checkSerialized(json, KIND, VERSION);
    const pipeline = new FeaturePipeline(params as unknown as FeaturePipelineParams);
    const saved = (state as { steps: { imputer: unknown; scaler: unknown; encoder: unknown }[] }).steps;
    const specs = pipeline.params.features;
    if (!Array.isArray(saved) || saved.length !== specs.length) {
      throw new InvalidInputError(`A serialized ${KIND} must have one step per feature column.`, { field: "state" });
    }
    let offset = 0;
    pipeline.steps = specs.map((spec, j) => {
      const s = saved[j];
      const step: Step = { spec, offset, width: 1, center: 0, scale: 1 };
      if (s.imputer !== null) step.imputer = SimpleImputer.fromJSON(s.imputer);
      // Each scaler and encoder carries its kind (pipelines saved before MinMaxScaler,
      // RobustScaler and OrdinalEncoder existed hold StandardScaler and OneHotEncoder: same format).
      if (s.scaler !== null) {
        step.scaler = scalerFromJSON(s.scaler);
        Object.assign(step, affineOf(step.scaler));
      }
      if (s.encoder !== null) {
        if ((s.encoder as { kind?: unknown }).kind === "OrdinalEncoder") step.ordinal = OrdinalEncoder.fromJSON(s.encoder);
        else {
          step.encoder = OneHotEncoder.fromJSON(s.encoder);
          step.width = step.encoder.nFeatures;
        }
      }
      offset += step.width;
      return step;
    });
    return pipeline;
  }

  private fitted(): Step[] {
    if (this.steps === undefined) throw new NotFittedError(KIND);
    return this.steps;
  }
}

/** Validate the specs (STYLE §1: parameters are checked in fit, with what to do instead). */
export function checkSpecs(features: readonly FeatureSpec[]): readonly FeatureSpec[] {
  if (!Array.isArray(features) || features.length === 0) {
    throw new InvalidInputError("features must list at least one column.", { field: "features" });
  }
  const seen = new Set<string>();
  features.forEach((spec, j) => {
    const at = `features[${j}]`;
    if (typeof spec.name !== "string" || spec.name.length === 0) throw new InvalidInputError(`${at}.name must be a non-empty column name.`, { field: `${at}.name` });
    if (seen.has(spec.name)) throw new InvalidInputError(`Column ${JSON.stringify(spec.name)} is listed twice in features.`, { field: spec.name });
    seen.add(spec.name);
    checkEnum(spec.type, ["NUMBER", "BOOLEAN", "CATEGORY"] as const, `${at}.type`);
    if (spec.impute !== undefined) checkImpute(spec, at);
    if (spec.type === "CATEGORY") {
      const encode = spec.encode === undefined ? "one_hot" : checkEnum(spec.encode, ["one_hot", "ordinal"] as const, `${at}.encode`);
      if (spec.handle_unknown !== undefined) checkEnum(spec.handle_unknown, ["error", "ignore"] as const, `${at}.handle_unknown`);
      if (encode === "one_hot") {
        if (spec.scale !== undefined && spec.scale !== "none") {
          throw new InvalidInputError(`Column ${JSON.stringify(spec.name)} is CATEGORY: it is one-hot encoded, not scaled; remove scale (or use encode "ordinal", whose single feature may be scaled).`, { field: `${at}.scale` });
        }
        if (spec.drop !== undefined) checkEnum(spec.drop, ["first", "if_binary", null] as const, `${at}.drop`);
      } else {
        if (spec.scale !== undefined) checkEnum(spec.scale, [...SCALE_KINDS, "none"] as const, `${at}.scale`);
        if (spec.drop !== undefined && spec.drop !== null) {
          throw new InvalidInputError(`Column ${JSON.stringify(spec.name)} is ordinal-encoded: drop applies to one_hot encoding only; remove it.`, { field: `${at}.drop` });
        }
      }
    } else {
      if (spec.scale !== undefined) checkEnum(spec.scale, [...SCALE_KINDS, "none"] as const, `${at}.scale`);
      for (const option of ["encode", "handle_unknown", "drop"] as const) {
        if (spec[option] !== undefined) {
          throw new InvalidInputError(`Column ${JSON.stringify(spec.name)} is ${spec.type}: ${option} applies to CATEGORY columns only; remove it.`, { field: `${at}.${option}` });
        }
      }
    }
  });
  return features;
}

/** `impute` must be SimpleImputer params whose strategy suits the column type. */
function checkImpute(spec: FeatureSpec, at: string): void {
  const impute = spec.impute as unknown;
  if (impute === null || typeof impute !== "object" || Array.isArray(impute)) {
    throw new InvalidInputError(`${at}.impute must be an object such as { strategy: "median" }, got ${JSON.stringify(impute)}.`, { field: `${at}.impute` });
  }
  const strategy = checkEnum((impute as SimpleImputerParams).strategy ?? "mean", ["mean", "median", "most_frequent", "constant"] as const, `${at}.impute.strategy`);
  if (spec.type === "CATEGORY" && (strategy === "mean" || strategy === "median")) {
    throw new InvalidInputError(`Column ${JSON.stringify(spec.name)} is CATEGORY: impute strategy ${JSON.stringify(strategy)} needs numbers; use "most_frequent" or "constant".`, { field: `${at}.impute.strategy` });
  }
}

function columnOf(columns: readonly Column[], spec: FeatureSpec): Column {
  const column = getColumn(columns, spec.name);
  if (column.type !== spec.type) {
    throw new InvalidInputError(`Column ${JSON.stringify(spec.name)} is ${column.type}, but the pipeline expects ${spec.type}.`, { field: spec.name });
  }
  return column;
}

/** The column restricted to `rows` (the column itself when rows is undefined). */
function select(column: Column, rows: Int32Array | undefined): Column {
  if (rows === undefined) return column;
  if (column.type === "CATEGORY") {
    const values = new Int32Array(rows.length);
    for (let k = 0; k < rows.length; k++) values[k] = column.values[rows[k]];
    return { ...column, values };
  }
  const values = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) values[k] = column.values[rows[k]];
  return { ...column, values };
}

function checkRows(rows: Int32Array, n: number): void {
  for (let k = 0; k < rows.length; k++) {
    if (rows[k] < 0 || rows[k] >= n) throw new RangeError(`FeaturePipeline: row index ${rows[k]} is outside 0..${n - 1}`);
  }
}

/** NaNs among `values` (at `rows` when given). */
function countMissing(values: Float64Array, rows?: Int32Array): number {
  let missing = 0;
  if (rows) {
    for (let k = 0; k < rows.length; k++) if (values[rows[k]] !== values[rows[k]]) missing++;
    return missing;
  }
  // Four values summed at a time: a sum is NaN when one of them is (or when ±∞ meet, which
  // the recount then settles); one comparison per four values is ~2x faster on 20M values.
  const n = values.length;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const sum = values[i] + values[i + 1] + values[i + 2] + values[i + 3];
    if (sum !== sum) for (let k = i; k < i + 4; k++) if (values[k] !== values[k]) missing++;
  }
  for (; i < n; i++) if (values[i] !== values[i]) missing++;
  return missing;
}

function countMissingCodes(codes: Int32Array): number {
  let missing = 0;
  for (let i = 0; i < codes.length; i++) if (codes[i] < 0) missing++;
  return missing;
}

/** Rows per block of FeaturePipeline.transform (1,024 rows × 20 features: 160 KiB of the matrix). */
const TRANSFORM_BLOCK_ROWS = 1024;

/** Impute → scale one numeric column into its matrix column, rows [start, end). */
function writeNumbers(step: Step, column: NumberColumn, rows: Int32Array | undefined, X: Matrix, start: number, end: number): void {
  const values = column.values;
  const { center, scale } = step;
  const fill = step.imputer ? (step.imputer.statistic_ as number) : NaN;
  const { data, cols } = X;
  for (let k = start, at = start * cols + step.offset; k < end; k++, at += cols) {
    const i = rows ? rows[k] : k;
    let x = values[i];
    if (x !== x) {
      if (!step.imputer) throw missingValue(step.spec.name, i);
      x = fill;
    }
    // Unscaled columns are copied: (x − 0) / 1 is x, bit for bit.
    data[at] = (x - center) / scale;
  }
}

/** Impute → ordinal-encode → scale one category column into its matrix column, rows [start, end). */
function encodeOrdinal(step: Step, column: CategoryColumn, rows: Int32Array | undefined, X: Matrix, start: number, end: number): void {
  const encoder = step.ordinal!;
  const table = encoder.lookup(column.categories);
  const fill = step.imputer ? (step.imputer.statistic_ as string) : null;
  const filled = fill === null ? UNSEEN : encoder.indexOf(fill);
  const { center, scale } = step;
  const codes = column.values;
  const { data, cols } = X;
  for (let k = start, at = start * cols + step.offset; k < end; k++, at += cols) {
    const i = rows ? rows[k] : k;
    const code = codes[i];
    if (code < 0 && fill === null) throw missingValue(step.spec.name, i);
    let x = code < 0 ? filled : table[code];
    if (x === UNSEEN) x = encoder.unknown(column.name, code < 0 ? fill! : column.categories[code], i);
    data[at] = (x - center) / scale;
  }
}

/** Impute → one-hot one category column into its block of matrix columns, rows [start, end). */
function encodeCategories(step: Step, column: CategoryColumn, rows: Int32Array | undefined, X: Matrix, start: number, end: number): void {
  const encoder = step.encoder!;
  const table = encoder.lookup(column.categories);
  const missing = missingCategory(step);
  const codes = column.values;
  const { data, cols } = X;
  for (let k = start, at = start * cols + step.offset; k < end; k++, at += cols) {
    const i = rows ? rows[k] : k;
    const code = codes[i];
    const feature = code < 0 ? missing : table[code];
    if (feature >= 0) data[at + feature] = 1;
    else if (feature === UNKNOWN) encoder.unknown(column.name, code < 0 ? String(step.imputer?.statistic_) : column.categories[code], i);
  }
}

/** Output feature of a missing category: the imputed category's, or all zeros. */
function missingCategory(step: Step): number {
  return step.imputer ? step.encoder!.featureOf(step.imputer.statistic_ as string) : ALL_ZEROS;
}

function missingNumber(step: Step, row: number): number {
  if (!step.imputer) throw missingValue(step.spec.name, row);
  return step.imputer.statistic_ as number;
}

function missingValue(name: string, row: number): InvalidInputError {
  return new InvalidInputError(`Row ${row} has no value for ${JSON.stringify(name)}, and the model does not impute it; supply a value.`, { row, field: name });
}

function wrongType(row: number, name: string, type: ColumnType, value: unknown): InvalidInputError {
  const expected = type === "NUMBER" ? "a number" : type === "BOOLEAN" ? "true or false" : "a string";
  return new InvalidInputError(`Input ${row} has ${JSON.stringify(value)} (${typeof value}) for ${JSON.stringify(name)}, which expects ${expected}.`, { row, field: name });
}
