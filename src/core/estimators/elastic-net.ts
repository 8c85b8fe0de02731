/**
 * Elastic net and lasso (scikit-learn's ElasticNet and Lasso):
 *
 *     minimise_{w, b} (1/2n)‖y − X w − b·1‖² + α·ρ‖w‖₁ + ½α(1 − ρ)‖w‖²
 *
 * with ρ = `l1_ratio` (1 for the lasso). The intercept is not penalised: X and y are centred
 * and b = ȳ − x̄ᵀw. Solved by coordinate descent with scikit-learn's duality-gap stopping rule
 * (solvers/coordinate-descent.ts); the L1 term sets coefficients exactly to zero.
 */
import type { Matrix } from "../matrix.ts";
import { createRandom } from "../random.ts";
import type { HyperparameterTable } from "./hyperparameters.ts";
import { LinearModel, type LinearState } from "./linear-model.ts";
import { elasticNetCD, elasticNetGramCD } from "./solvers/coordinate-descent.ts";
import { gramWithTarget } from "../linalg/kernels.ts";
import { FitCancelledError } from "./errors.ts";
import type { Estimator, FitOptions, SerializedEstimator } from "./types.ts";

const SHARED: HyperparameterTable = {
  alpha: {
    type: "float",
    interval: { low: 0, high: null, closed: "left" },
    default: 1,
    description: "Penalty strength α multiplying the L1 (and L2) terms; 0 is least squares (better fitted with LINEAR_REGRESSION).",
  },
  fit_intercept: { type: "bool", default: true, description: "Fit an unpenalised intercept (by centring X and y)." },
  max_iter: {
    type: "int",
    interval: { low: 1, high: null, closed: "left" },
    default: 1000,
    description: "Passes over the coordinates at most.",
  },
  tol: {
    type: "float",
    interval: { low: 0, high: null, closed: "neither" },
    default: 1e-4,
    description: "Stop when the duality gap is below tol·‖y‖² (checked after passes that change no coefficient by more than tol·max|w|).",
  },
  selection: {
    type: "enum",
    values: ["cyclic", "random"],
    default: "cyclic",
    description: "Update the coordinates in order, or draw one at random each step (seeded by random_state).",
  },
  random_state: {
    type: "int",
    interval: { low: 0, high: null, closed: "left" },
    default: 0,
    description: "Seed of the coordinate draws when selection is random.",
  },
};

export const LASSO_HYPERPARAMETERS: HyperparameterTable = SHARED;

export const ELASTIC_NET_HYPERPARAMETERS: HyperparameterTable = {
  alpha: SHARED.alpha,
  l1_ratio: {
    type: "float",
    interval: { low: 0, high: 1, closed: "both" },
    default: 0.5,
    description: "Mix ρ of the penalties: 1 is the lasso (L1 only), 0 ridge-like (L2 only).",
  },
  fit_intercept: SHARED.fit_intercept,
  max_iter: SHARED.max_iter,
  tol: SHARED.tol,
  selection: SHARED.selection,
  random_state: SHARED.random_state,
};

/** Coordinate descent on centred data, shared by ElasticNet and Lasso. */
function fitElasticNet(kind: string, X: Matrix, y: Float64Array, params: Record<string, unknown>, l1Ratio: number, options: FitOptions): LinearState {
  const { rows: n, cols: p, data } = X;
  const alpha = params.alpha as number;
  const fitIntercept = params.fit_intercept as boolean;
  const xMean = new Float64Array(p);
  let yMean = 0;
  if (fitIntercept) {
    for (let i = 0; i < n; i++) {
      yMean += y[i];
      for (let j = 0; j < p; j++) xMean[j] += data[i * p + j];
    }
    yMean /= n;
    for (let j = 0; j < p; j++) xMean[j] /= n;
  }
  // Column-major, centred: coordinate descent walks columns.
  const cd = {
    l1: n * alpha * l1Ratio,
    l2: n * alpha * (1 - l1Ratio),
    tol: params.tol as number,
    maxIter: params.max_iter as number,
    random: params.selection === "random" ? createRandom(params.random_state as number) : undefined,
    onIteration: (iteration: number, objective: number, gap: number | undefined) => {
      if (options.isCancelled?.()) throw new FitCancelledError(kind, iteration);
      options.onProgress?.(gap === undefined ? { iteration, objective: objective / n } : { iteration, objective: objective / n, gap: gap / n });
    },
  };
  let result: { w: Float64Array; nIter: number; converged: boolean; gap: number };
  let objective: number;
  if (useGram(n, p)) {
    // The centred Gram of [X | y] in one pass over X, no copy of X (solvers/coordinate-descent.ts).
    const A = gramWithTarget(X, y, xMean, yMean);
    const G = new Float64Array(p * p);
    const b = new Float64Array(p);
    for (let j = 0; j < p; j++) {
      G.set(A.subarray(j * (p + 1), j * (p + 1) + p), j * p);
      b[j] = A[j * (p + 1) + p];
    }
    const gram = elasticNetGramCD(G, b, A[p * (p + 1) + p], p, cd);
    result = gram;
    objective = penalizedObjective(gram.residualNorm2, gram.w, n, alpha, l1Ratio);
  } else {
    const Xc = new Float64Array(n * p);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) Xc[j * n + i] = data[i * p + j] - xMean[j];
    const yc = Float64Array.from(y, (v) => v - yMean);
    result = elasticNetCD(Xc, n, p, yc, cd);
    objective = objectiveOf(Xc, n, p, yc, result.w, alpha, l1Ratio);
  }
  const w = result.w;
  let intercept = 0;
  if (fitIntercept) {
    intercept = yMean;
    for (let j = 0; j < p; j++) intercept -= xMean[j] * w[j];
  }
  const warnings: string[] = [];
  // sklearn warns likewise: with no penalty the duality gap closes only on an exact fit.
  if (alpha === 0) warnings.push(`${kind}: alpha = 0 is unpenalised least squares, on which coordinate descent converges poorly: use LINEAR_REGRESSION.`);
  if (!result.converged) {
    warnings.push(
      `${kind}: coordinate descent did not converge in ${result.nIter} passes (duality gap ${result.gap.toExponential(2)} ≥ tol·‖y‖²): ` +
        "increase max_iter, or alpha (a larger penalty converges faster).",
    );
  }
  return {
    coef_: w,
    intercept_: intercept,
    info: { nIter: result.nIter, converged: result.converged, objective, warnings, solver: "coordinate-descent" },
  };
}

/**
 * Coordinate descent on the Gram matrix when the data are large and the features few: a pass
 * is then O(p²) instead of O(n·p), and X is not copied column-major (the copy was the largest
 * memory peak of any estimator at 1M × 20). Small problems keep the data form, which is
 * scikit-learn's default (precompute=False), so that its fixtures match pass for pass.
 */
const GRAM_MIN_VALUES = 1 << 20;
const GRAM_MAX_FEATURES = 128;
function useGram(n: number, p: number): boolean {
  return p <= GRAM_MAX_FEATURES && n * p >= GRAM_MIN_VALUES && n >= 4 * p;
}

/** scikit-learn's objective (1/2n)‖y − Xw − b‖² + αρ‖w‖₁ + ½α(1−ρ)‖w‖², on the centred data. */
function objectiveOf(Xc: Float64Array, n: number, p: number, yc: Float64Array, w: Float64Array, alpha: number, rho: number): number {
  const r = Float64Array.from(yc);
  for (let j = 0; j < p; j++) {
    if (w[j] === 0) continue;
    for (let i = 0; i < n; i++) r[i] -= Xc[j * n + i] * w[j];
  }
  let rr = 0;
  for (let i = 0; i < n; i++) rr += r[i] * r[i];
  return penalizedObjective(rr, w, n, alpha, rho);
}

/** The same objective from ‖r‖². */
function penalizedObjective(rr: number, w: Float64Array, n: number, alpha: number, rho: number): number {
  const p = w.length;
  let w1 = 0;
  let ww = 0;
  for (let j = 0; j < p; j++) {
    w1 += Math.abs(w[j]);
    ww += w[j] * w[j];
  }
  return rr / (2 * n) + alpha * rho * w1 + 0.5 * alpha * (1 - rho) * ww;
}

export class ElasticNet extends LinearModel implements Estimator {
  readonly kind = "ELASTIC_NET";
  readonly task = "regression";

  constructor(params: Record<string, unknown> = {}) {
    super(ELASTIC_NET_HYPERPARAMETERS, params);
  }

  static fromJSON(json: SerializedEstimator): ElasticNet {
    return new ElasticNet(json?.params ?? {}).restore(json);
  }

  protected fitState(X: Matrix, y: Float64Array, params: Record<string, unknown>, options: FitOptions): LinearState {
    return fitElasticNet(this.kind, X, y, params, params.l1_ratio as number, options);
  }

  /** Predicted values X w + b, length n_samples. */
  predict(X: Matrix): Float64Array {
    return this.linearPredictor(X);
  }
}

export class Lasso extends LinearModel implements Estimator {
  readonly kind = "LASSO";
  readonly task = "regression";

  constructor(params: Record<string, unknown> = {}) {
    super(LASSO_HYPERPARAMETERS, params);
  }

  static fromJSON(json: SerializedEstimator): Lasso {
    return new Lasso(json?.params ?? {}).restore(json);
  }

  protected fitState(X: Matrix, y: Float64Array, params: Record<string, unknown>, options: FitOptions): LinearState {
    return fitElasticNet(this.kind, X, y, params, 1, options);
  }

  /** Predicted values X w + b, length n_samples. */
  predict(X: Matrix): Float64Array {
    return this.linearPredictor(X);
  }
}
