/**
 * What every linear estimator shares: the params/learned-state contract (STYLE §1, §6),
 * input checks, and versioned serialization. Each algorithm supplies `fitLinear`.
 */
import { InvalidInputError, NotFittedError } from "../errors.ts";
import type { Matrix } from "../matrix.ts";
import { linearPredict } from "../linalg/kernels.ts";
import { resolveParams, type ParamTable } from "./params.ts";
import type { Estimator, FitInfo, FitOptions, SerializedEstimator, Task } from "./types.ts";

export const SERIALIZATION_VERSION = 1;

export interface LinearState {
  coef_: Float64Array;
  intercept_: number;
  info: FitInfo;
}

export abstract class LinearModel implements Estimator {
  abstract readonly kind: string;
  abstract readonly task: Task;
  readonly params: Record<string, unknown>;
  protected state: LinearState | undefined;

  constructor(params: Record<string, unknown> = {}) {
    this.params = { ...params };
  }

  /** The declared hyperparameters of this estimator. */
  abstract paramTable(): ParamTable;
  protected abstract fitLinear(X: Matrix, y: Float64Array, params: Record<string, any>, options: FitOptions): LinearState;

  fit(X: Matrix, y: Float64Array, options: FitOptions = {}): this {
    const params = resolveParams(this.kind, this.paramTable(), this.params);
    checkFinite(X, y);
    if (X.rows === 0) throw new InvalidInputError("Cannot fit on zero rows.", { field: "rows" });
    this.state = this.fitLinear(X, y, params, options);
    return this;
  }

  protected fitted(): LinearState {
    if (!this.state) throw new NotFittedError(this.kind);
    return this.state;
  }

  /** Linear score X·w + b (n values). */
  protected score(X: Matrix): Float64Array {
    const { coef_, intercept_ } = this.fitted();
    if (X.cols !== coef_.length) throw new RangeError(`${this.kind}: X has ${X.cols} features, the model was fitted on ${coef_.length}`);
    return linearPredict(X, coef_, intercept_);
  }

  abstract predict(X: Matrix): Float64Array;

  coefficients() {
    const { coef_, intercept_ } = this.fitted();
    return { coef: Float64Array.from(coef_), intercept: Float64Array.of(intercept_) };
  }

  fitInfo(): FitInfo {
    return this.fitted().info;
  }

  toJSON(): SerializedEstimator {
    const { coef_, intercept_, info } = this.fitted();
    return { kind: this.kind, version: SERIALIZATION_VERSION, params: { ...this.params }, state: { coef_: Array.from(coef_), intercept_, info } };
  }

  /** Restore learned state written by `toJSON` (kind and version already checked by the registry). */
  restore(state: Record<string, unknown>): this {
    const coef = state.coef_;
    if (!Array.isArray(coef) || !coef.every((v) => typeof v === "number") || typeof state.intercept_ !== "number") {
      throw new InvalidInputError(`${this.kind}: serialized state is malformed.`, { field: "state" });
    }
    this.state = { coef_: Float64Array.from(coef as number[]), intercept_: state.intercept_, info: state.info as FitInfo };
    return this;
  }
}

/** NaN or ±Infinity anywhere in X or y is refused, naming where (scikit-learn's check_array). */
export function checkFinite(X: Matrix, y: Float64Array): void {
  const { data, cols } = X;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new InvalidInputError(`Input contains ${data[i]} at row ${Math.floor(i / cols)}, feature ${i % cols}.`, {
        field: "X",
        row: Math.floor(i / cols),
        column: i % cols,
      });
    }
  }
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) throw new InvalidInputError(`Target contains ${y[i]} at row ${i}.`, { field: "target", row: i });
  }
  if (y.length !== X.rows) throw new RangeError(`X has ${X.rows} rows but y has ${y.length}`);
}
