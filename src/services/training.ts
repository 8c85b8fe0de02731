/**
 * Training: validate the request against the dataset and the algorithm's declared
 * hyperparameters, fit (src/services/fitting.ts), and store the model version with its
 * fitted state, metrics and summary. Bad input is refused before anything is written.
 */
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { InvalidInputError } from "../core/errors.ts";
import {
  ALGORITHMS,
  describeAllowed,
  hyperparameterSpec,
  taskOf,
  validateHyperparameters,
  type Algorithm,
} from "../core/estimators/index.ts";
import type { DatasetRecord, DatasetService } from "./datasets.ts";
import { insertModelVersion, type ModelRecord } from "./models.ts";
import { fitPrepared, prepare, type ColumnPreprocessing, type FitRequest, type FitResult, type Prepared } from "./fitting.ts";

export type { ModelSummary } from "./fitting.ts";
import { DEFAULT_MAX_TRAINING_SECONDS } from "../config.ts";
import { compileDerivedFeatures, deriveColumn, type DerivedFeature } from "../core/preprocessing/expressions.ts";

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

export class TrainingService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly datasets: DatasetService,
    /** after a version is stored, READY or FAILED (the registry moves rule-following aliases; events are published) */
    private readonly onStored: (model: ModelRecord) => Promise<void> = async () => {},
    /** wall-clock budget of one training request (the fit, its cross-validation, a whole search) */
    private readonly maxTrainingSeconds = DEFAULT_MAX_TRAINING_SECONDS,
  ) {}

  async trainModel(workspaceId: string, input: TrainModelInput): Promise<ModelRecord> {
    const name = checkModelName(input.name);
    const hyperparameters = validateHyperparameters(input.algorithm, input.hyperparameters ?? {});
    const plan = await this.plan(workspaceId, input);
    const prepared = prepare(plan.request(input.algorithm));
    return this.fitAndStore(workspaceId, name, plan, prepared, hyperparameters);
  }

  /**
   * Validate what every training request shares (split, folds, dataset, target, features)
   * and load the columns once. Throws BAD_USER_INPUT / NOT_FOUND before anything is written.
   */
  async plan(workspaceId: string, input: Omit<TrainModelInput, "name" | "hyperparameters">, algorithms: Algorithm[] = [input.algorithm]): Promise<TrainingPlan> {
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
    const budget = { seconds: this.maxTrainingSeconds, deadline: performance.now() + this.maxTrainingSeconds * 1000 };
    // Derived features read dataset columns other than the target (reading it would leak the
    // answer into the inputs); the columns they read become inputs of the model.
    const derived = input.derivedFeatures ?? [];
    const readable = new Map(columns.filter((c) => c !== target).map((c) => [c.name, c.type]));
    const clash = derived.findIndex((d) => d?.name === target.name);
    if (clash >= 0) {
      throw new InvalidInputError(`Derived feature ${JSON.stringify(target.name)} has the name of the target; choose another.`, { field: `derivedFeatures[${clash}].name` });
    }
    const compiled = compileDerivedFeatures(derived, readable);
    const extra = [...new Set(compiled.flatMap((e) => e.inputs))].filter((name) => !features.includes(name));
    const [targetColumn, ...loaded] = await this.datasets.loadColumns(dataset, [target.name, ...features, ...extra]);
    const inputColumns = loaded;
    const featureColumns = [...loaded.slice(0, features.length), ...compiled.map((e, j) => deriveColumn(derived[j].name, e, loaded))];
    return {
      dataset,
      target: target.name,
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

  /**
   * Fit one setting on a prepared request and store it as the next version of `name`: READY
   * with its state and metrics, or FAILED with the reason when the solver itself failed.
   */
  async fitAndStore(workspaceId: string, name: string, plan: TrainingPlan, prepared: Prepared, hyperparameters: Record<string, unknown>): Promise<ModelRecord> {
    let fitted: FitResult | undefined;
    let error: string | undefined;
    try {
      fitted = fitPrepared(prepared, hyperparameters);
    } catch (e) {
      // The user's data cannot be trained on as asked (one class in a fold…): refuse, write nothing.
      if (e instanceof InvalidInputError || !(e instanceof Error)) throw e;
      error = e.message;
    }
    const model = await insertModelVersion(this.prisma, {
      workspaceId,
      name,
      datasetId: plan.dataset.id,
      algorithm: prepared.request.algorithm,
      target: plan.target,
      features: plan.features,
      hyperparameters: hyperparameters as Prisma.InputJsonObject,
      testFraction: plan.testFraction,
      seed: plan.seed,
      folds: plan.folds ?? null,
      ...(fitted
        ? {
            status: "READY" as const,
            state: fitted.state as unknown as Prisma.InputJsonObject,
            metrics: fitted.metrics as Prisma.InputJsonObject,
            cvMetrics: (fitted.cvMetrics ?? undefined) as Prisma.InputJsonObject | undefined,
            summary: fitted.summary as unknown as Prisma.InputJsonObject,
            trainedAt: new Date(),
          }
        : { status: "FAILED" as const, error }),
    });
    await this.onStored(model);
    return model;
  }
}
