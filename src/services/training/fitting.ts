/**
 * From typed columns to a fitted, evaluated model: the training use case without I/O, so that
 * a request handler today and a job worker later run exactly the same code.
 *
 *   columns → drop rows with missing values → seeded split (stratified for classifiers)
 *   → FeaturePipeline fitted on the training rows → estimator.fit → metrics on the test rows
 *   (or on the training rows when testFraction is 0, flagged as such)
 */
import type { Column } from "../../core/dataset/columns.ts";
import { InvalidInputError } from "../../core/errors.ts";
import { createEstimator, FitCancelledError, taskOf, type Algorithm, type Classifier, type Estimator } from "../../core/estimators/index.ts";
import type { Progress } from "../../core/estimators/types.ts";
import { checkSpecs, FeaturePipeline, type FeatureSpec } from "../../core/preprocessing/feature-pipeline.ts";
import type { SimpleImputerParams } from "../../core/preprocessing/simple-imputer.ts";
import { compareCodePoints } from "../../core/preprocessing/one-hot-encoder.ts";
import { rawCoefficients } from "../../core/preprocessing/coefficients.ts";
import { kFold, trainTestSplit } from "../../core/selection/split.ts";
import { regressionMetrics } from "../../core/metrics/regression.ts";
import { classificationMetrics } from "../../core/metrics/summary.ts";
import { takeValues, type Matrix } from "../../core/matrix.ts";
import { createRandom, permutation } from "../../core/random.ts";
import { classificationCurves, regressionCurves, type Curves } from "./curves.ts";
import { OrderStatistics, quantileOfOrder, quantileRanks } from "../../core/dataset/stats.ts";
import type { DerivedFeature } from "../../core/preprocessing/expressions.ts";
import { featureImportanceOf, type FeatureImportance } from "./importance.ts";
import { inferenceFor, type IntervalState, type StoredInference } from "./inference.ts";

/** Format of `Model.state`; bump when its shape changes. */
export const MODEL_STATE_FORMAT = 1;

/**
 * Every model but OLS sees standardized numbers: a penalty (or a kernel's distance) depends on
 * units. OLS is exact in raw units.
 */
const UNSCALED: ReadonlySet<Algorithm> = new Set(["LINEAR_REGRESSION"]);

/** Classifiers that accept more than two classes (the others refuse them up front). */
export const MULTICLASS: ReadonlySet<string> = new Set(["LOGISTIC_REGRESSION", "LINEAR_SVM", "SVM"]);

export interface FitRequest {
  algorithm: Algorithm;
  hyperparameters: Record<string, unknown>;
  target: Column;
  features: Column[];
  testFraction: number;
  seed: number;
  /** k-fold cross-validation over the training rows (stratified for classifiers); absent → none */
  folds?: number;
  /** per-column preprocessing choices overriding the defaults (see `featureSpecs`) */
  preprocessing?: Record<string, ColumnPreprocessing>;
  /** derived features (expressions), already computed as NUMBER columns at the end of `features` */
  derived?: DerivedFeature[];
  /** the raw columns a prediction record must carry (default: `features`); derived features are computed from them */
  inputs?: Column[];
  /** wall-clock budget shared by every fit of the request (performance.now() deadline, ms) */
  budget?: { seconds: number; deadline: number };
  /** a job's hooks: cancellation checked between solver iterations, and progress per stage */
  control?: FitControl;
}

/**
 * One fit request is `stages` estimator fits: the model itself (stage 0), then one per
 * cross-validation fold. Progress names the stage and the solver's own report within it.
 */
export interface StageProgress extends Progress {
  stage: number;
  stages: number;
}

export interface FitControl {
  /** true once the job is cancelled: the solver stops with FitCancelledError */
  isCancelled?: () => boolean;
  onProgress?: (progress: StageProgress) => void;
}

/**
 * What a user may choose per feature column (TrainModelInput.preprocessing):
 * - impute: "mean" | "median" | "most_frequent" | "constant" (shorthand for { strategy }), or
 *   { strategy, fill_value } (fill_value for "constant"); "error" (or { strategy: "error" }) is
 *   no imputation, as leaving it out: training rows missing the column are left out, and a
 *   prediction missing it is refused (BAD_USER_INPUT naming row and field).
 * - scale (numbers, and ordinal-encoded categories): "standard" | "minmax" | "robust" | "none"
 * - encode (categories): "one_hot" | "ordinal"
 * - handle_unknown (categories): "ignore" (one-hot: all zeros; ordinal: −1) | "error"
 */
export interface ColumnPreprocessing {
  impute?: FeatureSpec["impute"] | ImputeChoice | { strategy: "error" };
  scale?: FeatureSpec["scale"];
  encode?: FeatureSpec["encode"];
  handle_unknown?: FeatureSpec["handle_unknown"];
}

type ImputeChoice = "mean" | "median" | "most_frequent" | "constant" | "error";

const IMPUTE_STRATEGIES: readonly string[] = ["mean", "median", "most_frequent", "constant", "error"];

/**
 * A column's `impute` choice as SimpleImputer params, or undefined when it is not imputed
 * (absent, null, "error" or { strategy: "error" }).
 * @throws InvalidInputError (`field` preprocessing.<column>.impute[.key]) for any other form
 */
export function imputerParams(column: string, impute: unknown): SimpleImputerParams | undefined {
  const field = `preprocessing.${column}.impute`;
  const strategies = IMPUTE_STRATEGIES.map((s) => JSON.stringify(s)).join(", ");
  if (impute === undefined || impute === null || impute === "error") return undefined;
  if (typeof impute === "string") {
    if (!IMPUTE_STRATEGIES.includes(impute)) throw new InvalidInputError(`${field} must be one of ${strategies} or { "strategy": …, "fill_value": … }, got ${JSON.stringify(impute)}.`, { field });
    return { strategy: impute as SimpleImputerParams["strategy"] };
  }
  if (typeof impute !== "object" || Array.isArray(impute)) {
    throw new InvalidInputError(`${field} must be a strategy (${strategies}) or an object such as { "strategy": "constant", "fill_value": 0 }, got ${JSON.stringify(impute)}.`, { field });
  }
  const choice = impute as Record<string, unknown>;
  for (const key of Object.keys(choice)) {
    if (key !== "strategy" && key !== "fill_value") throw new InvalidInputError(`${field} has unknown option ${JSON.stringify(key)}; use strategy and fill_value.`, { field: `${field}.${key}` });
  }
  if (choice.strategy !== undefined && !IMPUTE_STRATEGIES.includes(choice.strategy as string)) {
    throw new InvalidInputError(`${field}.strategy must be one of ${strategies}, got ${JSON.stringify(choice.strategy)}.`, { field: `${field}.strategy` });
  }
  if (choice.strategy === "error") {
    if (choice.fill_value !== undefined) throw new InvalidInputError(`${field}: strategy "error" imputes nothing; remove fill_value.`, { field: `${field}.fill_value` });
    return undefined;
  }
  return choice as SimpleImputerParams;
}

/** Whether the user's choices impute `column` (then its missing values are filled, not refused). */
function isImputed(choices: Record<string, ColumnPreprocessing>, column: string): boolean {
  return Object.hasOwn(choices, column) && imputerParams(column, choices[column]?.impute) !== undefined;
}

/** One raw input column as the model expects it (Model.signature). */
export interface SignatureEntry {
  name: string;
  type: Column["type"];
  /** false when missing values are imputed */
  required: boolean;
  /** NUMBER/BOOLEAN: range seen in training */
  min: number | null;
  max: number | null;
  /** CATEGORY: categories seen in training */
  categories: string[] | null;
}

export interface ModelState {
  format: number;
  pipeline: ReturnType<FeaturePipeline["toJSON"]>;
  estimator: ReturnType<Estimator["toJSON"]>;
  /** classifiers: label of each class index */
  classes: string[] | null;
  /** OLS: what prediction intervals need (absent for other models) */
  interval?: IntervalState | null;
  /** derived features, computed from each record before the pipeline (compiled once per served model) */
  derived?: DerivedFeature[];
  /** models without linear coefficients: training rows (transformed) that Shapley explanations average over */
  background?: { rows: number; cols: number; data: number[] } | null;
}

export interface Metrics {
  evaluatedOn: "TEST" | "TRAINING";
  rows: number;
  [metric: string]: unknown;
}

export interface ModelSummary {
  task: "REGRESSION" | "CLASSIFICATION";
  /** linear models, in raw units; `class` set when the model has one row of coefficients per class */
  coefficients: { feature: string; value: number; class?: string }[] | null;
  /** the intercept (the first class's for per-class models; see `intercepts`) */
  intercept: number | null;
  /** per-class models: one intercept per class, in the order of `classes` */
  intercepts?: number[];
  classes: string[] | null;
  trainingRows: number;
  testRows: number;
  warnings: string[];
  /** dashboard curves on the evaluation rows */
  curves: Curves;
  /** the raw inputs the model takes, with their training ranges */
  signature: SignatureEntry[];
  /** training distribution of each raw input, for drift (services/drift.ts) */
  reference: DriftReference[];
  /** standard errors, tests and fit statistics where the algorithm has them (services/inference.ts) */
  inference?: StoredInference | null;
  /** the expressions of the derived features (their columns are in `coefficients`, `featureImportance`) */
  derivedFeatures?: DerivedFeature[];
  /** one value per raw input column, most important first (services/importance.ts) */
  featureImportance?: FeatureImportance[];
}

/**
 * A feature's training distribution: deciles, the proportion of training values in each bin,
 * and up to REFERENCE_SAMPLE evenly spaced order statistics (for a KS test); or category
 * frequencies.
 */
export type DriftReference =
  | { name: string; kind: "number"; edges: number[]; expected: number[]; sample: number[] }
  | { name: string; kind: "category"; frequencies: Record<string, number> };

const REFERENCE_SAMPLE = 1000;

/** Each metric's mean and (population) standard deviation across folds. */
export interface CvMetrics {
  folds: number;
  [metric: string]: { mean: number; std: number } | number;
}

export interface FitResult {
  state: ModelState;
  metrics: Metrics;
  cvMetrics: CvMetrics | null;
  summary: ModelSummary;
}

/**
 * How each feature column is preprocessed for an algorithm (README "What the models do"),
 * with the user's per-column choices on top.
 */
export function featureSpecs(
  algorithm: Algorithm,
  features: Pick<Column, "name" | "type">[],
  choices: Record<string, ColumnPreprocessing> = {},
  hyperparameters: Record<string, unknown> = {},
): FeatureSpec[] {
  const penalized = !UNSCALED.has(algorithm);
  // Unpenalized fits need a full-rank design (an intercept plus every category is collinear):
  // OLS, and logistic regression with penalty "none" (whose inference statistics need it too).
  const fullRank = !penalized || (algorithm === "LOGISTIC_REGRESSION" && hyperparameters.penalty === "none");
  for (const name of Object.keys(choices)) {
    if (!features.some((c) => c.name === name)) {
      throw new InvalidInputError(`preprocessing names ${JSON.stringify(name)}, which is not a feature of this model.`, { field: `preprocessing.${name}` });
    }
  }
  return features.map((column) => {
    const choice = choices[column.name] ?? {};
    for (const key of Object.keys(choice)) {
      if (!["impute", "scale", "encode", "handle_unknown"].includes(key)) {
        throw new InvalidInputError(`preprocessing.${column.name} has unknown option ${JSON.stringify(key)}; use impute, scale, encode or handle_unknown.`, { field: `preprocessing.${column.name}.${key}` });
      }
    }
    const { impute, ...rest } = choice;
    const imputer = imputerParams(column.name, impute);
    const chosen = { ...rest, ...(imputer ? { impute: imputer } : {}) } as Partial<FeatureSpec>;
    // An ordinal-encoded category is one numeric feature (its index), scaled like a number.
    if (column.type === "CATEGORY" && chosen.encode === "ordinal") {
      return { name: column.name, type: column.type, handle_unknown: "ignore", scale: penalized ? "standard" : "none", ...chosen, encode: "ordinal" };
    }
    return column.type === "CATEGORY"
      ? // unpenalized fits get treatment coding (first category dropped): a full-rank design.
        { name: column.name, type: column.type, encode: "one_hot", handle_unknown: "ignore", drop: fullRank ? "first" : null, ...chosen }
      : { name: column.name, type: column.type, scale: penalized ? "standard" : "none", ...chosen };
  });
}

/**
 * The per-column choices checked against the columns' names and types alone (what `fit`
 * would refuse in them, refused before any data is read).
 */
export function checkPreprocessingFor(algorithm: Algorithm, features: Pick<Column, "name" | "type">[], choices: Record<string, ColumnPreprocessing> = {}): void {
  withColumnFields(features, () => checkSpecs(featureSpecs(algorithm, features, choices)));
}

/**
 * What every fit of a request shares: complete rows, encoded target, the seeded split.
 * Validation failures (too few rows, one class) throw InvalidInputError before any fitting.
 */
export interface Prepared {
  request: FitRequest;
  /** dataset row of each usable row */
  rows: Int32Array;
  /** target per usable row (class indices for classifiers) */
  y: Float64Array;
  classes: string[] | null;
  split: { train: Int32Array; test: Int32Array };
  trainRows: Int32Array;
  yTrain: Float64Array;
  warnings: string[];
}

export function prepare(request: FitRequest): Prepared {
  const { algorithm, target, features } = request;
  const task = taskOf(algorithm);
  const warnings: string[] = [];
  const choices = request.preprocessing ?? {};
  const rows = completeRows([target, ...features.filter((c) => !isImputed(choices, c.name))]);
  const dropped = target.values.length - rows.length;
  if (dropped > 0) warnings.push(`${dropped} of ${target.values.length} rows have a missing target or (not imputed) feature value and were left out.`);
  if (rows.length < 2) {
    throw new InvalidInputError(`Only ${rows.length} rows have every chosen column present; training needs at least 2.`, { field: "features" });
  }
  const { y, classes } = task === "classification" ? encodeClasses(target, rows) : { y: takeValues(target.values as Float64Array, rows), classes: null };
  if (classes && classes.length < 2) {
    throw new InvalidInputError(`Target ${JSON.stringify(target.name)} has a single class (${JSON.stringify(classes[0])}); a classifier needs at least two.`, { field: "target" });
  }
  if (classes && classes.length > 2 && !MULTICLASS.has(algorithm)) {
    throw new InvalidInputError(`${algorithm} supports two classes; target ${JSON.stringify(target.name)} has ${classes.length}.`, { field: "target" });
  }
  const split = trainTestSplit(rows.length, { testFraction: request.testFraction, seed: request.seed, stratify: classes ? y : undefined, minTrain: 2 });
  return { request, rows, y, classes, split, trainRows: takeRows32(rows, split.train), yTrain: takeValues(y, split.train), warnings };
}

export function fitModel(request: FitRequest): FitResult {
  return fitPrepared(prepare(request), request.hyperparameters);
}

/** Fit one hyperparameter setting on a prepared request: model, test metrics, optional CV. */
export function fitPrepared(prepared: Prepared, hyperparameters: Record<string, unknown>): FitResult {
  const { request, rows, y, classes, split, trainRows, yTrain } = prepared;
  const { algorithm, features } = request;
  const warnings = [...prepared.warnings];
  const stages = 1 + (request.folds ?? 0);
  const { pipeline, estimator, X } = fitOn(request, hyperparameters, trainRows, yTrain, classes, { stage: 0, stages });
  warnings.push(...estimator.fitInfo().warnings);
  const inference = inferenceFor(algorithm, estimator, X, yTrain, pipeline.standardization(), classes);

  // Held-out rows when there are any; otherwise the training rows, flagged as such.
  const evalPositions = split.test.length > 0 ? split.test : split.train;
  const evaluation = evaluate(pipeline, estimator, features, takeRows32(rows, evalPositions), takeValues(y, evalPositions), classes, true);
  const metrics: Metrics = { evaluatedOn: split.test.length > 0 ? "TEST" : "TRAINING", rows: evalPositions.length, ...evaluation.metrics };
  const cvMetrics = request.folds ? crossValidate(prepared, hyperparameters, request.folds) : null;
  const featureImportance = featureImportanceOf(estimator, pipeline, X, evaluation.X, takeValues(y, evalPositions), classes !== null, request.seed);

  const linear = linearSummary(estimator, pipeline, classes);
  return {
    state: {
      format: MODEL_STATE_FORMAT,
      pipeline: pipeline.toJSON(),
      estimator: estimator.toJSON(),
      classes,
      interval: inference?.interval ?? null,
      derived: request.derived ?? [],
      background: linear.coefficients ? null : backgroundOf(X, request.seed),
    },
    metrics,
    cvMetrics,
    summary: {
      task: taskOf(algorithm) === "regression" ? "REGRESSION" : "CLASSIFICATION",
      ...linear,
      classes,
      trainingRows: split.train.length,
      testRows: split.test.length,
      warnings,
      curves: evaluation.curves!,
      ...trainingProfile(request.inputs ?? features, trainRows, request.preprocessing ?? {}),
      derivedFeatures: request.derived ?? [],
      inference: inference?.summary ?? null,
      featureImportance,
    },
  };
}

/**
 * Coefficients in raw units (null for models without them, e.g. kernel SVMs). A model with
 * one row of coefficients per class (multinomial, one-vs-rest) labels each row's class.
 */
function linearSummary(estimator: Estimator, pipeline: FeaturePipeline, classes: string[] | null) {
  let fitted: { coef: Float64Array; intercept: Float64Array };
  try {
    fitted = estimator.coefficients();
  } catch (e) {
    if (e instanceof InvalidInputError) return { coefficients: null, intercept: null };
    throw e;
  }
  if (fitted.intercept.length === 0) return { coefficients: null, intercept: null };
  const raw = rawCoefficients(fitted.coef, fitted.intercept, pipeline.standardization());
  const names = pipeline.featureNames;
  const outputs = raw.intercept.length;
  const coefficients = Array.from({ length: outputs }, (_, o) =>
    names.map((feature, j) => ({ feature, value: raw.coef[o * names.length + j], ...(outputs > 1 && classes ? { class: classes[o] } : {}) })),
  ).flat();
  return { coefficients, intercept: raw.intercept[0], ...(outputs > 1 ? { intercepts: Array.from(raw.intercept) } : {}) };
}

/** A fresh pipeline and estimator fitted on the given dataset rows (preprocessing sees only them). */
function fitOn(request: FitRequest, hyperparameters: Record<string, unknown>, rows: Int32Array, y: Float64Array, classes: string[] | null, at = { stage: 0, stages: 1 }) {
  const { algorithm, features } = request;
  const { pipeline, X } = withColumnFields(features, () => {
    const pipeline = new FeaturePipeline({ features: featureSpecs(algorithm, features, request.preprocessing, hyperparameters) });
    return { pipeline, X: pipeline.fit(features, rows).transform(features, rows) };
  });
  const { budget, control } = request;
  const overBudget = () => budget !== undefined && performance.now() > budget.deadline;
  const onProgress = control?.onProgress;
  const estimator = createEstimator(algorithm, withClassIndices(hyperparameters, classes));
  try {
    estimator.fit(X, y, {
      nClasses: classes?.length,
      isCancelled: budget || control?.isCancelled ? () => control?.isCancelled?.() === true || overBudget() : undefined,
      onProgress: onProgress ? (progress) => onProgress({ ...progress, ...at }) : undefined,
    });
  } catch (e) {
    // A cancelled job stays cancelled; only running out of time is the request's fault.
    if (e instanceof FitCancelledError && control?.isCancelled?.() !== true && budget && overBudget()) {
      throw new InvalidInputError(
        `Training stopped: this request took longer than its budget of ${budget.seconds} s (MAX_TRAINING_SECONDS). Lower max_iter or raise tol, train on fewer rows or folds, or search a smaller space.`,
        { field: "hyperparameters", limit: "MAX_TRAINING_SECONDS" },
      );
    }
    throw e;
  }
  return { pipeline, estimator, X };
}

/**
 * Users name classes by label in `class_weight` ({ "yes": 5 }); estimators see class indices.
 * An unknown label is an input error naming it.
 */
function withClassIndices(hyperparameters: Record<string, unknown>, classes: string[] | null): Record<string, unknown> {
  const weights = hyperparameters.class_weight;
  if (!classes || weights === null || typeof weights !== "object" || Array.isArray(weights)) return hyperparameters;
  const byIndex: Record<string, unknown> = {};
  for (const [label, weight] of Object.entries(weights)) {
    const index = classes.indexOf(label);
    if (index < 0) {
      throw new InvalidInputError(`class_weight names class ${JSON.stringify(label)}, which the target does not have; its classes are ${classes.map((c) => JSON.stringify(c)).join(", ")}.`, {
        field: `hyperparameters.class_weight.${label}`,
      });
    }
    byIndex[String(index)] = weight;
  }
  return { ...hyperparameters, class_weight: byIndex };
}

/** Rows of the background sample kept for Shapley explanations. */
export const BACKGROUND_ROWS = 50;

/** Up to BACKGROUND_ROWS training rows drawn without replacement with the request's seed. */
function backgroundOf(X: Matrix, seed: number): { rows: number; cols: number; data: number[] } {
  const rows = Math.min(BACKGROUND_ROWS, X.rows);
  const order = permutation(X.rows, createRandom(seed));
  const data: number[] = [];
  for (let k = 0; k < rows; k++) for (let j = 0; j < X.cols; j++) data.push(X.data[order[k] * X.cols + j]);
  return { rows, cols: X.cols, data };
}

/** Every metric of the task on the given rows (JSON-ready), and the dashboard curves when asked. */
function evaluate(pipeline: FeaturePipeline, estimator: Estimator, features: Column[], rows: Int32Array, y: Float64Array, classes: string[] | null, withCurves = false) {
  const X = pipeline.transform(features, rows);
  if (!classes) {
    const fitted = estimator.predict(X);
    return { metrics: { ...regressionMetrics(y, fitted, pipeline.nFeatures) } as Record<string, unknown>, curves: withCurves ? regressionCurves(y, fitted) : null, X };
  }
  const classifier = estimator as Classifier;
  const decision = classifier.decisionFunction(X);
  const proba = classifier.predictProba?.(X);
  return {
    metrics: { ...classificationMetrics(y, classifier.predict(X), { nClasses: classes.length, decision, proba }) } as Record<string, unknown>,
    curves: withCurves ? classificationCurves(y, classes, decision, proba) : null,
    X,
  };
}

/**
 * k-fold cross-validation over the training rows (the test split stays untouched): each fold
 * refits preprocessing and estimator on the other folds, as scikit-learn's cross_validate on
 * a Pipeline does. Returns each scalar metric's mean and population std (ddof 0, numpy's).
 */
export function crossValidate(prepared: Prepared, hyperparameters: Record<string, unknown>, folds: number): CvMetrics {
  const { request, trainRows, yTrain, classes } = prepared;
  checkFolds(prepared, folds);
  const splits = kFold(trainRows.length, folds, { seed: request.seed, stratify: classes ? yTrain : undefined });
  const perFold = splits.map(({ train, test }, fold) => {
    const at = { stage: 1 + fold, stages: 1 + folds };
    const { pipeline, estimator } = fitOn(request, hyperparameters, takeRows32(trainRows, train), takeValues(yTrain, train), classes, at);
    return evaluate(pipeline, estimator, request.features, takeRows32(trainRows, test), takeValues(yTrain, test), classes).metrics;
  });
  const out: CvMetrics = { folds };
  for (const name of Object.keys(perFold[0])) {
    const values = perFold.map((m) => m[name]);
    if (!values.every((v): v is number => typeof v === "number" && Number.isFinite(v))) continue;
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
    out[name] = { mean, std };
  }
  return out;
}

/** One hyperparameter setting's cross-validated score (a search's trial). */
export interface TrialScore {
  hyperparameters: Record<string, unknown>;
  mean: number;
  std: number;
  fitSeconds: number;
}

/**
 * Score every candidate setting by k-fold cross-validation on the same folds (scikit-learn's
 * GridSearchCV / RandomizedSearchCV without the refit). `onTrial` tells which trial runs, so
 * that progress can count the search's folds as one sequence.
 * @throws InvalidInputError (`field` metric) when the metric is undefined on these folds
 */
export function crossValidateCandidates(prepared: Prepared, candidates: Record<string, unknown>[], folds: number, metric: string, onTrial: (trial: number) => void = () => {}): TrialScore[] {
  checkFolds(prepared, folds);
  return candidates.map((hyperparameters, trial) => {
    onTrial(trial);
    const started = performance.now();
    const cv = crossValidate(prepared, hyperparameters, folds)[metric];
    if (!cv || typeof cv === "number") {
      throw new InvalidInputError(`Metric ${metric} is undefined on these folds (e.g. a fold with one class); choose another metric.`, { field: "metric" });
    }
    return { hyperparameters, mean: cv.mean, std: cv.std, fitSeconds: (performance.now() - started) / 1000 };
  });
}

/**
 * The pipeline names a bad per-column option by its position in the feature list
 * (`features[2].scale`); users wrote it as `preprocessing.<column>.<option>`.
 */
function withColumnFields<T>(features: Pick<Column, "name">[], run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (!(e instanceof InvalidInputError) || typeof e.details.field !== "string") throw e;
    const at = /^features\[(\d+)\]\.(.*)$/.exec(e.details.field);
    if (!at) throw e;
    throw new InvalidInputError(e.message, { ...e.details, field: `preprocessing.${features[Number(at[1])].name}.${at[2]}` });
  }
}

/**
 * What training saw of each raw input, from one pass over its training rows: the signature
 * (type, whether it may be missing, range or categories) and the drift reference.
 */
function trainingProfile(features: Column[], trainRows: Int32Array, choices: Record<string, ColumnPreprocessing>): { signature: SignatureEntry[]; reference: DriftReference[] } {
  const signature: SignatureEntry[] = [];
  const reference: DriftReference[] = [];
  for (const column of features) {
    const { name, type } = column;
    const required = !isImputed(choices, name);
    if (column.type === "CATEGORY") {
      const counts = new Int32Array(column.categories.length);
      // Codes in order of first appearance: the frequencies' key order.
      const seen: number[] = [];
      for (let k = 0; k < trainRows.length; k++) {
        const code = column.values[trainRows[k]];
        if (code >= 0 && counts[code]++ === 0) seen.push(code);
      }
      const n = seen.reduce((sum, code) => sum + counts[code], 0);
      // Defined as own properties, so that a category named like an Object.prototype member
      // ("__proto__") is a key like any other (an assignment would set the prototype instead).
      const frequencies: Record<string, number> = {};
      for (const code of seen) Object.defineProperty(frequencies, column.categories[code], { value: counts[code] / (n || 1), enumerable: true, writable: true, configurable: true });
      const categories = seen.map((code) => column.categories[code]).sort(compareCodePoints);
      signature.push({ name, type, required, min: null, max: null, categories });
      reference.push({ name, kind: "category", frequencies });
      continue;
    }
    const values = presentValues(column.values, trainRows);
    const n = values.length;
    if (n === 0) {
      signature.push({ name, type, required, min: null, max: null, categories: null });
      reference.push({ name, kind: "number", edges: [], expected: [1], sample: [] });
      continue;
    }
    // The range, the deciles and the sample are order statistics: sorting each column of 800k
    // training rows for them was half of a 1M-row training.
    const m = Math.min(n, REFERENCE_SAMPLE);
    const sampleRanks = Array.from({ length: m }, (_, k) => (m === 1 ? 0 : Math.round((k * (n - 1)) / (m - 1))));
    const order = new OrderStatistics(values, [0, n - 1, ...quantileRanks(n, DECILES), ...sampleRanks]);
    const at = (rank: number) => order.at(rank);
    const edges = [...new Set(DECILES.map((q) => quantileOfOrder(n, q, at)))];
    // The share of values in each bin (−∞, e₀], (e₀, e₁], …, (e_last, ∞), as binProportions
    // (core/metrics/drift.ts) would count them, from the same buckets instead of another pass.
    const atMost = [...edges.map((e) => order.countAtMost(e)), n];
    const expected = atMost.map((count, j) => (count - (j > 0 ? atMost[j - 1] : 0)) / n);
    signature.push({ name, type, required, min: at(0), max: at(n - 1), categories: null });
    reference.push({ name, kind: "number", edges, expected, sample: sampleRanks.map(at) });
  }
  return { signature, reference };
}

const DECILES = Array.from({ length: 9 }, (_, k) => (k + 1) / 10);

/** The column's non-missing values at `rows`, in row order. */
function presentValues(values: Float64Array, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  let count = 0;
  for (let k = 0; k < rows.length; k++) {
    const v = values[rows[k]];
    if (v === v) out[count++] = v;
  }
  return out.subarray(0, count);
}

export function checkFolds(prepared: Prepared, folds: number): void {
  const n = prepared.trainRows.length;
  if (!Number.isInteger(folds) || folds < 2 || folds > n) {
    throw new InvalidInputError(`folds must be an integer from 2 to the number of training rows (${n}), got ${folds}.`, { field: "folds" });
  }
}

/** Indices of rows where every column has a value. */
function completeRows(columns: Column[]): Int32Array {
  const n = columns[0].values.length;
  const keep = new Int32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    let complete = true;
    for (const column of columns) {
      const v = column.values[i];
      if (column.type === "CATEGORY" ? v < 0 : Number.isNaN(v)) {
        complete = false;
        break;
      }
    }
    if (complete) keep[count++] = i;
  }
  return keep.slice(0, count);
}

function takeRows32(rows: Int32Array, positions: Int32Array): Int32Array {
  const out = new Int32Array(positions.length);
  for (let k = 0; k < positions.length; k++) out[k] = rows[positions[k]];
  return out;
}

/**
 * Class labels as strings, sorted like numpy's unique (numbers numerically, text by code
 * point, false before true), and y as indices into them; the positive class is the last.
 */
function encodeClasses(target: Column, rows: Int32Array): { y: Float64Array; classes: string[] } {
  const labelOf = (i: number): string => {
    const v = target.values[i];
    if (target.type === "CATEGORY") return target.categories[v];
    if (target.type === "BOOLEAN") return v === 1 ? "true" : "false";
    return String(v);
  };
  const distinct = new Map<string, number>();
  for (const i of rows) {
    const label = labelOf(i);
    if (!distinct.has(label)) distinct.set(label, target.type === "CATEGORY" ? 0 : target.values[i]);
  }
  const classes = [...distinct.keys()].sort((a, b) =>
    target.type === "CATEGORY" ? compareCodePoints(a, b) : distinct.get(a)! - distinct.get(b)!,
  );
  const index = new Map(classes.map((label, k) => [label, k]));
  const y = new Float64Array(rows.length);
  rows.forEach((i, k) => (y[k] = index.get(labelOf(i))!));
  return { y, classes };
}
