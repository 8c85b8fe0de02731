/**
 * Training requests: validate one against the dataset's metadata and the algorithm's declared
 * hyperparameters (refused before anything is written), and read the columns it trains on.
 * Fitting is src/services/training/fitting.ts, run by a worker (src/services/training/training-jobs.ts).
 */
import { InvalidInputError } from "../../core/errors.ts";
import { checkText } from "../text.ts";
import { ALGORITHMS, describeAllowed, hyperparameterSpec, taskOf, type Algorithm } from "../../core/estimators/index.ts";
import type { ColumnRecord, DatasetRecord, DatasetService } from "../datasets/datasets.ts";
import { checkPreprocessingFor, MULTICLASS, type ColumnPreprocessing, type FitRequest } from "./fitting.ts";

export type { ModelSummary } from "./fitting.ts";
import { DEFAULT_MAX_TRAINING_SECONDS } from "../../config.ts";
import { compileDerivedFeatures, deriveColumn, type DerivedFeature } from "../../core/preprocessing/expressions.ts";

export interface TrainModelInput {
  datasetId: string;
  name: string;
  algorithm: Algorithm;
  target: string;
  features?: string[] | null;
  hyperparameters?: unknown;
  testFraction?: number | null;
  seed?: number | null;
  folds?: number | null;
  preprocessing?: unknown;
  derivedFeatures?: DerivedFeature[] | null;
}

const MAX_TEST_FRACTION = 0.9;
const MAX_NAME_LENGTH = 200;

/** A validated training request with its columns loaded, shared by single fits and searches. */
export interface TrainingPlan {
  dataset: DatasetRecord;
  target: string;
  features: string[];
  testFraction: number;
  seed: number;
  folds: number | undefined;
  /** the fit request for an algorithm over the loaded columns */
  request(algorithm: Algorithm): FitRequest;
}

function checkPreprocessing(value: unknown): Record<string, ColumnPreprocessing> | undefined {
  if (value === null || value === undefined) return undefined;
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
  if (!isObject(value)) throw new InvalidInputError("preprocessing must be an object of column → choices.", { field: "preprocessing" });
  for (const [column, choice] of Object.entries(value)) {
    if (!isObject(choice)) throw new InvalidInputError(`preprocessing.${column} must be an object such as { "impute": { "strategy": "median" } }.`, { field: `preprocessing.${column}` });
  }
  return value as Record<string, ColumnPreprocessing>;
}

export function checkModelName(raw: string): string {
  const name = raw.trim();
  if (!name || name.length > MAX_NAME_LENGTH) {
    throw new InvalidInputError(`name must be 1 to ${MAX_NAME_LENGTH} characters.`, { field: "name" });
  }
  // Stored as text: the GraphQL edge refuses NUL and unpaired surrogates already; this covers callers without it.
  checkText(name, "name");
  return name;
}

/** The algorithms and their hyperparameters, for `Query.algorithms`. */
export function algorithmCatalog() {
  return ALGORITHMS.map((algorithm) => ({
    algorithm,
    task: taskOf(algorithm) === "regression" ? ("REGRESSION" as const) : ("CLASSIFICATION" as const),
    hyperparameters: Object.entries(hyperparameterSpec(algorithm)).map(([name, spec]) => ({
      name,
      type: spec.type,
      default: spec.default,
      allowed: describeAllowed(spec),
      description: spec.description,
    })),
  }));
}

/** A training request checked against the dataset's metadata; `load` reads its columns. */
export interface ValidatedRequest {
  dataset: DatasetRecord;
  target: string;
  targetColumn: ColumnRecord;
  features: string[];
  testFraction: number;
  seed: number;
  folds: number | undefined;
  preprocessing: Record<string, ColumnPreprocessing> | undefined;
  derived: DerivedFeature[];
  compiled: ReturnType<typeof compileDerivedFeatures>;
}

/**
 * What the column statistics already tell about a classification target: one class (or
 * none) cannot be trained on, and binary-only algorithms refuse more than two categories.
 * Cases the statistics cannot see (classes lost with incomplete rows) fail at fit time.
 */
function checkClasses(algorithm: Algorithm, target: ColumnRecord): void {
  const { stats } = target;
  const single =
    target.type === "CATEGORY" ? (stats.distinct ?? 0) < 2 : target.type === "BOOLEAN" ? !stats.trueCount || !stats.falseCount : stats.count > 0 && stats.min === stats.max;
  if (single) {
    throw new InvalidInputError(`Target ${JSON.stringify(target.name)} has a single class; a classifier needs at least two.`, { field: "target" });
  }
  if (target.type === "CATEGORY" && (stats.distinct ?? 0) > 2 && !MULTICLASS.has(algorithm)) {
    throw new InvalidInputError(`${algorithm} supports two classes; target ${JSON.stringify(target.name)} has ${stats.distinct}.`, { field: "target" });
  }
}

/**
 * Settings the estimator would refuse for this target once fitting, refused up front when the
 * column statistics show it (the estimator's own check stays: it is the rule; this is its
 * early echo, so that a queued job does not fail for what the request already showed).
 */
export function checkSettingForTarget(algorithm: Algorithm, hyperparameters: Record<string, unknown>, target: ColumnRecord): void {
  const penalty = hyperparameters.penalty;
  const weights = hyperparameters.class_weight;
  const labels = target.type === "CATEGORY" ? target.categories : target.type === "BOOLEAN" ? ["false", "true"] : null;
  if (labels && weights !== null && typeof weights === "object" && !Array.isArray(weights)) {
    for (const label of Object.keys(weights)) {
      if (!labels.includes(label)) {
        throw new InvalidInputError(`class_weight names class ${JSON.stringify(label)}, which the target does not have; its classes are ${labels.map((c) => JSON.stringify(c)).join(", ")}.`, {
          field: `hyperparameters.class_weight.${label}`,
        });
      }
    }
  }
  const classes = target.type === "CATEGORY" ? (target.stats.distinct ?? 0) : 2;
  if (algorithm === "LOGISTIC_REGRESSION" && classes > 2 && (penalty === "l1" || penalty === "elasticnet")) {
    throw new InvalidInputError(`${algorithm}: penalty "${penalty}" is supported for two classes; the target has ${classes}. Use penalty "l2" or "none".`, {
      field: "hyperparameters.penalty",
    });
  }
}

export class TrainingService {
  constructor(
    private readonly datasets: DatasetService,
    /** wall-clock budget of one training request (the fit, its cross-validation, a whole search) */
    private readonly maxTrainingSeconds = DEFAULT_MAX_TRAINING_SECONDS,
  ) {}

  /**
   * Validate what every training request shares (split, folds, dataset, target, features)
   * and load the columns once. Throws BAD_USER_INPUT / NOT_FOUND before anything is written.
   */
  async plan(workspaceId: string, input: Omit<TrainModelInput, "name" | "hyperparameters">, algorithms: Algorithm[] = [input.algorithm]): Promise<TrainingPlan> {
    return this.load(await this.validate(workspaceId, input, algorithms));
  }

  /**
   * The checks of `plan` that need only the dataset's metadata (no column is read), so that a
   * request can be refused, or queued, in milliseconds whatever the dataset's size.
   */
  async validate(workspaceId: string, input: Omit<TrainModelInput, "name" | "hyperparameters">, algorithms: Algorithm[] = [input.algorithm]): Promise<ValidatedRequest> {
    const testFraction = input.testFraction ?? 0.2;
    if (!(testFraction >= 0 && testFraction <= MAX_TEST_FRACTION)) {
      throw new InvalidInputError(`testFraction must be in [0, ${MAX_TEST_FRACTION}], got ${testFraction}.`, { field: "testFraction" });
    }
    const seed = input.seed ?? 0;
    const folds = input.folds ?? undefined;
    if (folds !== undefined && (!Number.isInteger(folds) || folds < 2)) {
      throw new InvalidInputError(`folds must be an integer of at least 2 (and at most the number of training rows), got ${folds}.`, { field: "folds" });
    }
    const dataset = await this.datasets.requireDataset(workspaceId, input.datasetId);
    const columns = await this.datasets.columns(dataset.id);
    const names = new Set(columns.map((c) => c.name));
    const target = columns.find((c) => c.name === input.target);
    if (!target) {
      throw new InvalidInputError(`Target ${JSON.stringify(input.target)} is not a column of dataset ${dataset.name}; columns: ${[...names].join(", ")}.`, { field: "target" });
    }
    for (const algorithm of algorithms) {
      if (taskOf(algorithm) === "regression" && target.type !== "NUMBER") {
        throw new InvalidInputError(`${algorithm} is a regression: target ${JSON.stringify(target.name)} must be NUMBER, not ${target.type}. Use a classifier for it.`, { field: "target" });
      }
    }
    const features = input.features ?? columns.filter((c) => c !== target).map((c) => c.name);
    if (features.length === 0) throw new InvalidInputError("features must name at least one column.", { field: "features" });
    for (const feature of features) {
      if (!names.has(feature)) throw new InvalidInputError(`Feature ${JSON.stringify(feature)} is not a column of dataset ${dataset.name}.`, { field: "features" });
      if (feature === target.name) throw new InvalidInputError(`Feature ${JSON.stringify(feature)} is the target; a model cannot take its target as input.`, { field: "features" });
    }
    if (new Set(features).size !== features.length) throw new InvalidInputError("features lists a column more than once.", { field: "features" });

    const preprocessing = checkPreprocessing(input.preprocessing);
    // Derived features read dataset columns other than the target (reading it would leak the
    // answer into the inputs); the columns they read become inputs of the model.
    const derived = input.derivedFeatures ?? [];
    const readable = new Map(columns.filter((c) => c !== target).map((c) => [c.name, c.type]));
    const clash = derived.findIndex((d) => d?.name === target.name);
    if (clash >= 0) {
      throw new InvalidInputError(`Derived feature ${JSON.stringify(target.name)} has the name of the target; choose another.`, { field: `derivedFeatures[${clash}].name` });
    }
    const compiled = compileDerivedFeatures(derived, readable);
    for (const algorithm of algorithms) {
      if (taskOf(algorithm) === "classification") checkClasses(algorithm, target);
      const typed = [...features.map((name) => columns.find((c) => c.name === name)!), ...derived.map((d) => ({ name: d.name, type: "NUMBER" as const }))];
      checkPreprocessingFor(algorithm, typed, preprocessing);
    }
    if (folds !== undefined && folds > dataset.rowCount) {
      throw new InvalidInputError(`folds must be an integer from 2 to the number of training rows (at most ${dataset.rowCount}), got ${folds}.`, { field: "folds" });
    }
    return { dataset, target: target.name, targetColumn: target, features, testFraction, seed, folds, preprocessing, derived, compiled };
  }

  /** Read the validated request's columns (target, features, the inputs of derived features). */
  async load(validated: ValidatedRequest): Promise<TrainingPlan> {
    const { dataset, target, features, testFraction, seed, folds, preprocessing, derived, compiled } = validated;
    const budget = { seconds: this.maxTrainingSeconds, deadline: performance.now() + this.maxTrainingSeconds * 1000 };
    const extra = [...new Set(compiled.flatMap((e) => e.inputs))].filter((name) => !features.includes(name));
    const [targetColumn, ...loaded] = await this.datasets.loadColumns(dataset, [target, ...features, ...extra]);
    const inputColumns = loaded;
    const featureColumns = [...loaded.slice(0, features.length), ...compiled.map((e, j) => deriveColumn(derived[j].name, e, loaded))];
    return {
      dataset,
      target,
      features,
      testFraction,
      seed,
      folds,
      request: (algorithm) => ({
        algorithm,
        hyperparameters: {},
        target: targetColumn,
        features: featureColumns,
        testFraction,
        seed,
        folds,
        preprocessing,
        derived: derived.map(({ name, expression }) => ({ name, expression })),
        inputs: inputColumns,
        budget,
      }),
    };
  }
}
