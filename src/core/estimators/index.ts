/**
 * The estimator registry: every algorithm the API offers, by name. The conformance suite
 * iterates over ALGORITHMS, so a new estimator cannot escape it.
 */
import { InvalidInputError } from "../errors.ts";
import { LinearRegression, LINEAR_REGRESSION_PARAMS } from "./linear-regression.ts";
import { Ridge, RIDGE_PARAMS } from "./ridge.ts";
import { LogisticRegression, LOGISTIC_REGRESSION_PARAMS } from "./logistic-regression.ts";
import { LinearSVM, LINEAR_SVM_PARAMS } from "./linear-svm.ts";
import { SERIALIZATION_VERSION, type LinearModel } from "./linear-model.ts";
import { resolveParams, type ParamTable } from "./params.ts";
import type { Algorithm, Estimator, SerializedEstimator, Task } from "./types.ts";

export type { Algorithm, Classifier, Estimator, FitInfo, FitOptions, Progress, SerializedEstimator, Task } from "./types.ts";
export { describeAllowed, type ParamSpec, type ParamTable } from "./params.ts";
export { FitCancelledError } from "./classifier.ts";

const REGISTRY: Record<Algorithm, { create: (params: Record<string, unknown>) => LinearModel; params: ParamTable; task: Task }> = {
  LINEAR_REGRESSION: { create: (p) => new LinearRegression(p), params: LINEAR_REGRESSION_PARAMS, task: "regression" },
  RIDGE: { create: (p) => new Ridge(p), params: RIDGE_PARAMS, task: "regression" },
  LOGISTIC_REGRESSION: { create: (p) => new LogisticRegression(p), params: LOGISTIC_REGRESSION_PARAMS, task: "classification" },
  LINEAR_SVM: { create: (p) => new LinearSVM(p), params: LINEAR_SVM_PARAMS, task: "classification" },
};

export const ALGORITHMS = Object.keys(REGISTRY) as Algorithm[];

function entry(algorithm: string) {
  const found = REGISTRY[algorithm as Algorithm];
  if (!found) throw new InvalidInputError(`Unknown algorithm ${JSON.stringify(algorithm)}; use one of ${ALGORITHMS.join(", ")}.`, { field: "algorithm" });
  return found;
}

export function createEstimator(algorithm: Algorithm, params: Record<string, unknown> = {}): Estimator {
  return entry(algorithm).create(params);
}

export function hyperparameterSpec(algorithm: Algorithm): ParamTable {
  return entry(algorithm).params;
}

export function taskOf(algorithm: Algorithm): Task {
  return entry(algorithm).task;
}

/** Check hyperparameters before any work, returning them with defaults filled in. */
export function validateHyperparameters(algorithm: Algorithm, params: unknown): Record<string, unknown> {
  return resolveParams(algorithm, entry(algorithm).params, (params ?? {}) as Record<string, unknown>);
}

export function estimatorFromJSON(json: SerializedEstimator): Estimator {
  if (!json || typeof json !== "object" || !(json.kind in REGISTRY)) {
    throw new InvalidInputError(`Serialized estimator has unknown kind ${JSON.stringify(json?.kind)}.`, { field: "kind" });
  }
  if (json.version !== SERIALIZATION_VERSION) {
    throw new InvalidInputError(`Serialized ${json.kind} has format version ${json.version}; this server reads version ${SERIALIZATION_VERSION}.`, { field: "version" });
  }
  return entry(json.kind).create(json.params).restore(json.state);
}
