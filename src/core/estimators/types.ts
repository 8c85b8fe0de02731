/**
 * The estimator contract (scikit-learn's, see STYLE.md §1, §5, §6).
 *
 * - A constructor takes one `params` object and only stores it (defaults merged in).
 * - `fit(X, y)` validates `params` against the estimator's declared table, sets learned state
 *   and returns `this`. Invalid params throw InvalidInputError naming the parameter.
 * - `predict` before `fit` throws NotFittedError.
 * - `toJSON()` → { kind, version, params, state }; `<Estimator>.fromJSON` checks kind and version.
 *
 * Shapes: X is n_samples × n_features (row-major Matrix); y has n_samples entries.
 * Classifiers take y as class indices 0..k-1 (the service maps labels ↔ indices) and
 * are told the number of classes through `FitOptions.nClasses` (defaults to max(y)+1).
 */
import type { Matrix } from "../matrix.ts";

export type Algorithm = "LINEAR_REGRESSION" | "RIDGE" | "LASSO" | "ELASTIC_NET" | "LOGISTIC_REGRESSION" | "LINEAR_SVM" | "SVM";

export type Task = "regression" | "classification";

export interface Progress {
  iteration: number;
  /** value of the objective being minimised at this iteration */
  objective: number;
  /** the quantity compared with `tol` (gradient norm, duality gap…), when the solver has one */
  gap?: number;
}

export interface FitOptions {
  /** number of classes for classifiers (y holds indices 0..nClasses-1) */
  nClasses?: number;
  /** called between iterations by iterative solvers; cheap to ignore */
  onProgress?: (progress: Progress) => void;
  /** checked between iterations; when it returns true the solver throws FitCancelledError */
  isCancelled?: () => boolean;
}

export interface SerializedEstimator {
  kind: string;
  version: number;
  params: Record<string, unknown>;
  state: Record<string, unknown>;
}

export interface FitInfo {
  /** iterations used by an iterative solver (undefined for closed forms) */
  nIter?: number;
  converged: boolean;
  /** final objective value (the quantity scikit-learn minimises, for parity tests) */
  objective?: number;
  /** human-readable warnings: rank deficiency, non-convergence… */
  warnings: string[];
  /** which solver produced the fit (e.g. "cholesky", "qr-svd", "lbfgs", "dual-cd") */
  solver?: string;
  /** numerical rank of the design, for least-squares estimators */
  rank?: number;
  /** number of distinct support vectors, for kernel SVMs */
  nSupportVectors?: number;
}

export interface Estimator {
  readonly kind: string;
  readonly task: Task;
  readonly params: Record<string, unknown>;
  fit(X: Matrix, y: Float64Array, options?: FitOptions): this;
  /** regression: predicted values; classification: predicted class indices */
  predict(X: Matrix): Float64Array;
  /**
   * Linear models: coefficients in the units of X (length n_features) and the intercept.
   * For multi-output (multiclass) models, `coef` is row-major n_outputs × n_features.
   */
  coefficients(): { coef: Float64Array; intercept: Float64Array };
  fitInfo(): FitInfo;
  toJSON(): SerializedEstimator;
}

export interface Classifier extends Estimator {
  readonly task: "classification";
  /** binary: n values (positive class score); k>2 classes: n × k row-major */
  decisionFunction(X: Matrix): Float64Array;
  /** n × k row-major class probabilities, or undefined when the model has none (SVM) */
  predictProba?(X: Matrix): Float64Array;
}
