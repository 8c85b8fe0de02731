/**
 * What the linear estimators share: learned state (coef_, intercept_), the decision
 * function X w + b, the contract's fit/predict plumbing and versioned serialization.
 * Each estimator file adds only its hyperparameter table and its solver call.
 *
 * Single-output models (regression, binary classifiers) hold coef_ of length p and a
 * number intercept_; multi-output models (multinomial / one-vs-rest classifiers with
 * k > 2 classes) hold coef_ k × p row-major and intercept_ a Float64Array of length k,
 * and their decision function is n × k.
 */
import { InvalidInputError, NotFittedError } from "../errors.ts";
import type { Matrix } from "../matrix.ts";
import { dot } from "../linalg/blas.ts";
import { defaultHyperparameters, validateHyperparameters, type HyperparameterTable } from "./hyperparameters.ts";
import type { FitInfo, FitOptions, SerializedEstimator, Task } from "./types.ts";
import { checkFeatures, checkPredictFeatures, checkTarget } from "./validation.ts";

/** Version of the `state` layout written by toJSON; bump it when the layout changes. */
export const STATE_VERSION = 1;

/** Learned state, with scikit-learn's trailing-underscore names (also the JSON layout). */
export interface LinearState {
  /** length n_features, or n_outputs × n_features row-major for multi-output models */
  coef_: Float64Array;
  /** single-output: a number; multi-output: one intercept per output (length n_outputs) */
  intercept_: number | Float64Array;
  info: FitInfo;
}

/** Number of outputs k of a state (1 for single-output models). */
function outputsOf(state: LinearState): number {
  return typeof state.intercept_ === "number" ? 1 : state.intercept_.length;
}

export abstract class LinearModel {
  abstract readonly kind: string;
  abstract readonly task: Task;
  readonly params: Record<string, unknown>;
  protected state: LinearState | undefined;
  readonly #table: HyperparameterTable;

  /** Stores params over the table's defaults; checking them is fit's job (STYLE §1). */
  protected constructor(table: HyperparameterTable, params: Record<string, unknown>) {
    this.#table = table;
    this.params = { ...defaultHyperparameters(table), ...params };
  }

  /**
   * Validate params and data, then fit. On any error (invalid input, cancellation) the
   * previous learned state, if any, is kept.
   *
   * @param X n_samples × n_features
   * @param y length n_samples
   */
  fit(X: Matrix, y: Float64Array, options: FitOptions = {}): this {
    const params = this.validateParams(this.params);
    checkFeatures(X, this.kind);
    checkTarget(y, X.rows, this.kind);
    this.state = this.fitState(X, y, params, options);
    return this;
  }

  /**
   * Check params against the declared table and return them with defaults. Estimators with
   * a hyperparameter the table cannot express (an object, e.g. class_weight) override this,
   * check that one themselves and pass the rest on.
   */
  protected validateParams(params: Record<string, unknown>): Record<string, unknown> {
    return validateHyperparameters(this.kind, this.#table, params);
  }

  /** Solve for w, b on validated input. */
  protected abstract fitState(
    X: Matrix,
    y: Float64Array,
    params: Record<string, unknown>,
    options: FitOptions,
  ): LinearState;

  abstract predict(X: Matrix): Float64Array;

  /** Number of outputs of the fitted model: 1, or k for a multi-output classifier. */
  protected nOutputs(): number {
    return outputsOf(this.fitted());
  }

  /** X w + b: length n_samples, or n_samples × k row-major for a multi-output model. */
  protected linearPredictor(X: Matrix): Float64Array {
    const state = this.fitted();
    const { coef_: coef, intercept_: intercept } = state;
    const k = outputsOf(state);
    const p = coef.length / k;
    checkPredictFeatures(X, p, this.kind);
    const { rows: n, data } = X;
    if (typeof intercept === "number") {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = dot(p, data, i * p, coef, 0) + intercept;
      return out;
    }
    const out = new Float64Array(n * k);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < k; c++) out[i * k + c] = dot(p, data, i * p, coef, c * p) + intercept[c];
    }
    return out;
  }

  /** coef: length p, or k × p row-major; intercept: length 1, or k. */
  coefficients(): { coef: Float64Array; intercept: Float64Array } {
    const { coef_, intercept_ } = this.fitted();
    return {
      coef: Float64Array.from(coef_),
      intercept: typeof intercept_ === "number" ? Float64Array.of(intercept_) : Float64Array.from(intercept_),
    };
  }

  fitInfo(): FitInfo {
    const { info } = this.fitted();
    return { ...info, warnings: [...info.warnings] };
  }

  toJSON(): SerializedEstimator {
    const { coef_, intercept_, info } = this.fitted();
    return {
      kind: this.kind,
      version: STATE_VERSION,
      params: { ...this.params },
      // Plain numbers: JSON's shortest round-trip formatting restores every double exactly.
      state: {
        coef_: Array.from(coef_),
        intercept_: typeof intercept_ === "number" ? intercept_ : Array.from(intercept_),
        info: { ...info, warnings: [...info.warnings] },
      },
    };
  }

  protected fitted(): LinearState {
    if (!this.state) throw new NotFittedError(this.kind);
    return this.state;
  }

  /**
   * Restore learned state from toJSON output, checking kind, version, params and shape
   * (a serialized model comes from the database and is treated as untrusted input).
   */
  protected restore(json: SerializedEstimator): this {
    if (json?.kind !== this.kind) {
      throw new InvalidInputError(`Cannot load a ${String(json?.kind)} model as ${this.kind}.`, { field: "kind" });
    }
    if (json.version !== STATE_VERSION) {
      throw new InvalidInputError(
        `${this.kind} model state version ${String(json.version)} is not supported (expected ${STATE_VERSION}); retrain the model.`,
        { field: "version" },
      );
    }
    this.validateParams(this.params);
    const { coef_, intercept_, info } = (json.state ?? {}) as Record<string, unknown>;
    const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
    // intercept_: a number (single output) or k ≥ 2 numbers with coef_ k × p.
    const interceptOk = finite(intercept_) ||
      (Array.isArray(intercept_) && intercept_.length >= 2 && intercept_.every(finite) &&
        Array.isArray(coef_) && coef_.length % intercept_.length === 0);
    if (!Array.isArray(coef_) || coef_.length === 0 || !coef_.every(finite) || !interceptOk) {
      throw new InvalidInputError(`${this.kind} model state is malformed: expected finite coef_[] and intercept_.`, {
        field: "state",
      });
    }
    const fitInfo = (info ?? {}) as Partial<FitInfo>;
    this.state = {
      coef_: Float64Array.from(coef_),
      intercept_: typeof intercept_ === "number" ? intercept_ : Float64Array.from(intercept_ as number[]),
      info: {
        ...fitInfo,
        converged: fitInfo.converged === true,
        warnings: Array.isArray(fitInfo.warnings) ? fitInfo.warnings.map(String) : [],
      },
    };
    return this;
  }
}
