/**
 * The one place that maps an `Algorithm` to its estimator: construction, deserialization,
 * hyperparameter tables and task. The conformance suite iterates over ALGORITHMS, so an
 * estimator added here is tested by it automatically.
 */
import { InvalidInputError } from "../errors.ts";
import { validateHyperparameters as validate, type HyperparameterTable } from "./hyperparameters.ts";
import { LINEAR_REGRESSION_HYPERPARAMETERS, LinearRegression } from "./linear-regression.ts";
import { LINEAR_SVM_HYPERPARAMETERS, LinearSVM } from "./linear-svm.ts";
import { LOGISTIC_REGRESSION_HYPERPARAMETERS, LogisticRegression } from "./logistic-regression.ts";
import { RIDGE_HYPERPARAMETERS, Ridge } from "./ridge.ts";
import { ELASTIC_NET_HYPERPARAMETERS, ElasticNet, LASSO_HYPERPARAMETERS, Lasso } from "./elastic-net.ts";
import { SVM, SVM_HYPERPARAMETERS, validateSVMHyperparameters } from "./svm.ts";
import { validateWithClassWeightLabels } from "./classifier.ts";
import type { Algorithm, Estimator, SerializedEstimator, Task } from "./types.ts";

interface Entry {
  kind: string;
  task: Task;
  hyperparameters: HyperparameterTable;
  create: (params: Record<string, unknown>) => Estimator;
  fromJSON: (json: SerializedEstimator) => Estimator;
  /** request-time check for params the table cannot express (class_weight, gamma); default: the table */
  validate?: (params: Record<string, unknown>) => Record<string, unknown>;
}

const REGISTRY: Readonly<Record<Algorithm, Entry>> = {
  LINEAR_REGRESSION: {
    kind: "LINEAR_REGRESSION",
    task: "regression",
    hyperparameters: LINEAR_REGRESSION_HYPERPARAMETERS,
    create: (params) => new LinearRegression(params),
    fromJSON: (json) => LinearRegression.fromJSON(json),
  },
  RIDGE: {
    kind: "RIDGE",
    task: "regression",
    hyperparameters: RIDGE_HYPERPARAMETERS,
    create: (params) => new Ridge(params),
    fromJSON: (json) => Ridge.fromJSON(json),
  },
  LASSO: {
    kind: "LASSO",
    task: "regression",
    hyperparameters: LASSO_HYPERPARAMETERS,
    create: (params) => new Lasso(params),
    fromJSON: (json) => Lasso.fromJSON(json),
  },
  ELASTIC_NET: {
    kind: "ELASTIC_NET",
    task: "regression",
    hyperparameters: ELASTIC_NET_HYPERPARAMETERS,
    create: (params) => new ElasticNet(params),
    fromJSON: (json) => ElasticNet.fromJSON(json),
  },
  LOGISTIC_REGRESSION: {
    kind: "LOGISTIC_REGRESSION",
    task: "classification",
    hyperparameters: LOGISTIC_REGRESSION_HYPERPARAMETERS,
    create: (params) => new LogisticRegression(params),
    fromJSON: (json) => LogisticRegression.fromJSON(json),
    validate: (params) => validateWithClassWeightLabels("LOGISTIC_REGRESSION", LOGISTIC_REGRESSION_HYPERPARAMETERS, params),
  },
  LINEAR_SVM: {
    kind: "LINEAR_SVM",
    task: "classification",
    hyperparameters: LINEAR_SVM_HYPERPARAMETERS,
    create: (params) => new LinearSVM(params),
    fromJSON: (json) => LinearSVM.fromJSON(json),
    validate: (params) => validateWithClassWeightLabels("LINEAR_SVM", LINEAR_SVM_HYPERPARAMETERS, params),
  },
  SVM: {
    kind: "SVM",
    task: "classification",
    hyperparameters: SVM_HYPERPARAMETERS,
    create: (params) => new SVM(params),
    fromJSON: (json) => SVM.fromJSON(json),
    validate: (params) => validateSVMHyperparameters(params, "label"),
  },
};

/** Every algorithm the core implements. */
export const ALGORITHMS = Object.keys(REGISTRY) as Algorithm[];

function entry(algorithm: Algorithm): Entry {
  const found = Object.hasOwn(REGISTRY, algorithm) ? REGISTRY[algorithm] : undefined;
  if (!found) {
    throw new InvalidInputError(`Unknown algorithm ${JSON.stringify(algorithm)}; valid ones are: ${ALGORITHMS.join(", ")}.`, {
      field: "algorithm",
    });
  }
  return found;
}

/** A new, unfitted estimator; params are checked when it is fitted (or by validateHyperparameters). */
export function createEstimator(algorithm: Algorithm, params: Record<string, unknown> = {}): Estimator {
  return entry(algorithm).create(params);
}

/** Rebuild a fitted estimator from toJSON output; unknown kind or version → InvalidInputError. */
export function estimatorFromJSON(json: SerializedEstimator): Estimator {
  const algorithm = ALGORITHMS.find((a) => REGISTRY[a].kind === json?.kind);
  if (!algorithm) {
    throw new InvalidInputError(
      `Unknown estimator kind ${JSON.stringify(json?.kind)}; known kinds are: ${ALGORITHMS.map((a) => REGISTRY[a].kind).join(", ")}.`,
      { field: "kind" },
    );
  }
  return REGISTRY[algorithm].fromJSON(json);
}

/** The declared hyperparameter table (names, types, intervals, defaults, descriptions). */
export function hyperparameterSpec(algorithm: Algorithm): HyperparameterTable {
  return entry(algorithm).hyperparameters;
}

export function taskOf(algorithm: Algorithm): Task {
  return entry(algorithm).task;
}

/**
 * Check params before training (what fit will check) and return them with defaults.
 * Accepts any value, as it comes from a request: anything but a plain object is refused.
 */
export function validateHyperparameters(algorithm: Algorithm, params: unknown): Record<string, unknown> {
  const { kind, hyperparameters } = entry(algorithm);
  if (typeof params !== "object" || params === null || Array.isArray(params)) {
    throw new InvalidInputError(`${kind}: hyperparameters must be an object of name → value.`, {
      field: "hyperparameters",
    });
  }
  const found = entry(algorithm);
  return found.validate ? found.validate(params as Record<string, unknown>) : validate(kind, hyperparameters, params as Record<string, unknown>);
}
