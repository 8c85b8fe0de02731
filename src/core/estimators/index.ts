/**
 * Public API of the estimators package. Services import from here, never from the
 * individual files.
 */
export type {
  Algorithm,
  Classifier,
  Estimator,
  FitInfo,
  FitOptions,
  Progress,
  SerializedEstimator,
  Task,
} from "./types.ts";
export type { HyperparameterSpec, HyperparameterTable, Interval } from "./hyperparameters.ts";
export { defaultHyperparameters, describeAllowed, formatInterval } from "./hyperparameters.ts";
export { FitCancelledError } from "./errors.ts";
export { LinearRegression, LINEAR_REGRESSION_HYPERPARAMETERS } from "./linear-regression.ts";
export { Ridge, RIDGE_HYPERPARAMETERS } from "./ridge.ts";
export { LogisticRegression, LOGISTIC_REGRESSION_HYPERPARAMETERS } from "./logistic-regression.ts";
export { LinearSVM, LINEAR_SVM_HYPERPARAMETERS } from "./linear-svm.ts";
export { SVM, SVM_HYPERPARAMETERS } from "./svm.ts";
export { ElasticNet, ELASTIC_NET_HYPERPARAMETERS, Lasso, LASSO_HYPERPARAMETERS } from "./elastic-net.ts";
export {
  ALGORITHMS,
  createEstimator,
  estimatorFromJSON,
  hyperparameterSpec,
  taskOf,
  validateHyperparameters,
} from "./registry.ts";
