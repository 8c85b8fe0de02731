/**
 * Linear support vector machine (scikit-learn's LinearSVC, i.e. liblinear with `-s 1`
 * (squared hinge, dual) or `-s 3` (hinge, dual)). Two classes:
 *
 *     minimise_{w̄}  ½ ‖w̄‖² + Σ_i C_i · ξ(1 − ỹ_i w̄ᵀx̄_i),   ỹ_i = 2y_i − 1,  C_i = C · weight[y_i],
 *
 * where x̄_i = (x_i, intercept_scaling) and w̄ = (w, w_b), ξ the hinge or squared hinge.
 * The intercept is b = intercept_scaling · w_b, so — unlike LogisticRegression — the
 * intercept IS penalised (through w_b², liblinear's bias-as-a-feature); raising
 * `intercept_scaling` weakens that penalty. Solved by dual coordinate descent
 * (solvers/dual-cd.ts). No probabilities: the decision function is a margin, not a log-odds.
 *
 * k > 2 classes: one-vs-rest, as liblinear's `train`: k binary problems "class c (+1) vs the
 * rest (−1)", solved in class order with one random stream; with class weights the class-c
 * samples get C · weight[c] and the rest keep C (liblinear's train_one(…, weighted_C[c], C)).
 * decisionFunction is n × k and predict its row-wise argmax; fitInfo.objective is the sum
 * of the k primal objectives and nIter the largest of the k pass counts (sklearn's n_iter_).
 */
import type { Matrix } from "../matrix.ts";
import { axpy, dot } from "../linalg/blas.ts";
import { createRandom, type Random } from "../random.ts";
import { argmaxRows, checkClassTarget, classWeights, withClassWeight, type ClassWeight } from "./classifier.ts";
import { FitCancelledError } from "./errors.ts";
import type { HyperparameterTable } from "./hyperparameters.ts";
import { LinearModel, type LinearState } from "./linear-model.ts";
import { dualCoordinateDescent, svmPrimalObjective, type DualCDResult } from "./solvers/dual-cd.ts";
import type { Classifier, FitOptions, SerializedEstimator } from "./types.ts";

export const LINEAR_SVM_HYPERPARAMETERS: HyperparameterTable = {
  C: {
    type: "float",
    interval: { low: 0, high: null, closed: "neither" },
    default: 1,
    description: "Penalty on margin violations; smaller values regularise more.",
  },
  loss: {
    type: "enum",
    values: ["squared_hinge", "hinge"],
    default: "squared_hinge",
    description: "Loss on the margin: squared hinge (LinearSVC's default) or hinge (the classic SVM).",
  },
  tol: {
    type: "float",
    interval: { low: 0, high: null, closed: "neither" },
    default: 1e-4,
    description: "Stop when the spread of the dual projected gradient over a pass is at most tol.",
  },
  max_iter: {
    type: "int",
    interval: { low: 1, high: null, closed: "left" },
    default: 1000,
    description: "Maximum number of passes over the data; reaching it gives a convergence warning.",
  },
  fit_intercept: {
    type: "bool",
    default: true,
    description: "Fit an intercept, as the weight of a constant feature (so it is penalised, as in liblinear).",
  },
  intercept_scaling: {
    type: "float",
    interval: { low: 0, high: null, closed: "neither" },
    default: 1,
    description: "Value of the constant feature that carries the intercept; larger values penalise the intercept less.",
  },
  random_state: {
    type: "int",
    interval: { low: 0, high: 2147483647, closed: "both" },
    default: 0,
    description: "Seed of the order in which the solver visits the samples.",
  },
};

export class LinearSVM extends LinearModel implements Classifier {
  readonly kind = "LINEAR_SVM";
  readonly task = "classification";

  constructor(params: Record<string, unknown> = {}) {
    super(LINEAR_SVM_HYPERPARAMETERS, params);
  }

  static fromJSON(json: SerializedEstimator): LinearSVM {
    return new LinearSVM(json?.params ?? {}).restore(json);
  }

  /** The table's params, plus class_weight (an object, which the table cannot express). */
  protected override validateParams(params: Record<string, unknown>): Record<string, unknown> {
    return withClassWeight(this.kind, params, (rest) => super.validateParams(rest));
  }

  protected fitState(X: Matrix, y: Float64Array, params: Record<string, unknown>, options: FitOptions): LinearState {
    const k = checkClassTarget(y, this.kind, options.nClasses);
    const weights = classWeights(this.kind, params.class_weight as ClassWeight, y, k);
    const C = params.C as number;
    const loss = params.loss as "hinge" | "squared_hinge";
    const maxIter = params.max_iter as number;
    const bias = params.fit_intercept ? (params.intercept_scaling as number) : 0;
    const random = createRandom(params.random_state as number);
    const p = X.cols;

    // The binary problems: (0/1 target, per-sample C_i or undefined for a uniform C).
    const problems: { target: Float64Array; Ci: Float64Array | undefined }[] = [];
    if (k === 2) {
      problems.push({ target: y, Ci: weights && Float64Array.from(y, (c) => C * weights[c]) });
    } else {
      for (let c = 0; c < k; c++) {
        const target = Float64Array.from(y, (v) => (v === c ? 1 : 0));
        const Ci = weights && weights[c] !== 1 ? Float64Array.from(y, (v) => (v === c ? C * weights[c] : C)) : undefined;
        problems.push({ target, Ci });
      }
    }

    const coef = new Float64Array(problems.length * p);
    const intercept = new Float64Array(problems.length);
    let passes = 0;
    let nIter = 0;
    let converged = true;
    let objective = 0;
    for (let c = 0; c < problems.length; c++) {
      const { target, Ci } = problems[c];
      const offset = passes;
      const solverOptions = {
        C,
        loss,
        tol: params.tol as number,
        maxIter,
        bias,
        random,
        onIteration: (iteration: number, dual: number, gap: number) => {
          if (options.isCancelled?.()) throw new FitCancelledError(this.kind, offset + iteration);
          // The solver minimises the dual D(α) (≤ 0); −D(α) rises to the primal optimum.
          options.onProgress?.({ iteration: offset + iteration, objective: dual, gap });
        },
      };
      const result = Ci ? weightedDualCD(X, target, Ci, solverOptions) : dualCoordinateDescent(X, target, solverOptions);
      coef.set(result.w, c * p);
      intercept[c] = bias * result.wBias;
      passes += result.nIter;
      nIter = Math.max(nIter, result.nIter);
      converged &&= result.converged;
      objective += Ci
        ? weightedPrimalObjective(X, target, result.w, result.wBias, bias, Ci, loss)
        : svmPrimalObjective(X, target, result.w, result.wBias, bias, C, loss);
    }
    const warnings = converged
      ? []
      : [`Dual coordinate descent did not converge in ${maxIter} passes: increase max_iter or scale the features.`];
    return {
      coef_: coef,
      intercept_: k === 2 ? intercept[0] : intercept,
      info: { nIter, converged, objective, warnings, solver: "dual-cd" },
    };
  }

  /**
   * Signed distance-like score x_iᵀw + b: two classes, length n (positive means class 1);
   * k > 2, n × k row-major (one column per one-vs-rest problem).
   */
  decisionFunction(X: Matrix): Float64Array {
    return this.linearPredictor(X);
  }

  /** Class indices: two classes, 1 where the decision function is positive; k > 2, its argmax. */
  predict(X: Matrix): Float64Array {
    const z = this.linearPredictor(X);
    const k = this.nOutputs();
    if (k > 1) return argmaxRows(z, k);
    for (let i = 0; i < z.length; i++) z[i] = z[i] > 0 ? 1 : 0;
    return z;
  }
}

interface WeightedDualCDOptions {
  loss: "hinge" | "squared_hinge";
  tol: number;
  maxIter: number;
  bias: number;
  random: Random;
  onIteration?: (iteration: number, dual: number, gap: number) => void;
}

/**
 * solvers/dual-cd.ts's dual coordinate descent (Hsieh et al. 2008, with shrinking and the
 * same stopping rule) with a per-sample C_i, as liblinear's solve_l2r_l1l2_svc with
 * weighted_C: hinge U_i = C_i, D_ii = 0; squared hinge U_i = ∞, D_ii = 1/(2C_i).
 * TODO(lead): fold a `Ci` option into solvers/dual-cd.ts (not this file's owner's) and
 * delete this copy; with every C_i = C the two give identical iterates.
 *
 * @param y length n, 0/1;  Ci length n, C_i ≥ 0
 */
function weightedDualCD(X: Matrix, y: Float64Array, Ci: Float64Array, options: WeightedDualCDOptions): DualCDResult {
  const { rows: n, cols: p, data } = X;
  const { loss, tol, maxIter, bias, random, onIteration } = options;
  const diag = new Float64Array(n);
  const upper = new Float64Array(n);
  const w = new Float64Array(p);
  let wBias = 0;
  const alpha = new Float64Array(n);
  const QD = new Float64Array(n);
  const sign = new Float64Array(n);
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    // A sample of weight 0 is out of the problem: its α_i is held at 0.
    diag[i] = loss === "hinge" || Ci[i] === 0 ? 0 : 0.5 / Ci[i];
    upper[i] = loss === "hinge" || Ci[i] === 0 ? Ci[i] : Infinity;
    sign[i] = y[i] > 0 ? 1 : -1;
    QD[i] = diag[i] + dot(p, data, i * p, data, i * p) + bias * bias;
    index[i] = i;
  }
  // D(α) = ½‖w̄‖² + ½ Σ D_ii α_i² − Σ α_i, from running sums.
  let sumAlpha = 0;
  let sumDiagAlpha2 = 0;
  const dual = (): number => 0.5 * (dot(p, w, 0, w, 0) + wBias * wBias) + 0.5 * sumDiagAlpha2 - sumAlpha;
  let active = n;
  let pgMaxOld = Infinity;
  let pgMinOld = -Infinity;
  let iter = 0;
  let converged = false;
  while (iter < maxIter) {
    let pgMax = -Infinity;
    let pgMin = Infinity;
    for (let s = 0; s < active; s++) {
      const j = Math.min(s + Math.floor(random.float() * (active - s)), active - 1);
      const t = index[s];
      index[s] = index[j];
      index[j] = t;
    }
    for (let s = 0; s < active; s++) {
      const i = index[s];
      const o = i * p;
      const yi = sign[i];
      const a = alpha[i];
      const G = yi * (dot(p, data, o, w, 0) + bias * wBias) - 1 + a * diag[i];
      let pg = 0;
      if (a === 0) {
        if (G > pgMaxOld) {
          active--;
          index[s] = index[active];
          index[active] = i;
          s--;
          continue;
        }
        if (G < 0) pg = G;
      } else if (a === upper[i]) {
        if (G < pgMinOld) {
          active--;
          index[s] = index[active];
          index[active] = i;
          s--;
          continue;
        }
        if (G > 0) pg = G;
      } else {
        pg = G;
      }
      if (pg > pgMax) pgMax = pg;
      if (pg < pgMin) pgMin = pg;
      if (Math.abs(pg) > 1e-12 && QD[i] > 0) {
        const next = Math.min(Math.max(a - G / QD[i], 0), upper[i]);
        alpha[i] = next;
        const step = (next - a) * yi;
        axpy(p, step, data, o, w, 0);
        wBias += step * bias;
        sumAlpha += next - a;
        sumDiagAlpha2 += diag[i] * (next * next - a * a);
      }
    }
    iter++;
    const spread = pgMax - pgMin;
    onIteration?.(iter, dual(), spread);
    if (spread <= tol) {
      if (active === n) {
        converged = true;
        break;
      }
      active = n;
      pgMaxOld = Infinity;
      pgMinOld = -Infinity;
      continue;
    }
    pgMaxOld = pgMax > 0 ? pgMax : Infinity;
    pgMinOld = pgMin < 0 ? pgMin : -Infinity;
  }
  return { w, wBias, nIter: iter, converged, dual: dual() };
}

/** ½‖w̄‖² + Σ_i C_i ξ(1 − ỹ_i w̄ᵀx̄_i) (one pass). */
function weightedPrimalObjective(
  X: Matrix,
  y: Float64Array,
  w: Float64Array,
  wBias: number,
  bias: number,
  Ci: Float64Array,
  loss: "hinge" | "squared_hinge",
): number {
  const { rows: n, cols: p, data } = X;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const m = 1 - (y[i] > 0 ? 1 : -1) * (dot(p, data, i * p, w, 0) + bias * wBias);
    if (m > 0) sum += Ci[i] * (loss === "hinge" ? m : m * m);
  }
  return 0.5 * (dot(p, w, 0, w, 0) + wBias * wBias) + sum;
}
