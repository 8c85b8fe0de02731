/**
 * Logistic regression (scikit-learn's LogisticRegression), for k ≥ 2 classes:
 *
 *   two classes     minimise_{w, b}  C · Σ_i s_i log(1 + exp(−ỹ_i (x_iᵀw + b))) + P(w),   ỹ_i = 2y_i − 1,
 *   k > 2 classes   minimise_{W, b}  C · Σ_i s_i (−log softmax(W x_i + b)[y_i]) + ½‖W‖²_F
 *                   (multi_class="multinomial"; W: k × p, b: length k, Σ_c b_c = 0),
 *
 * with P(w) = ½‖w‖² (penalty "l2"), ‖w‖₁ ("l1"), (1−ρ)/2‖w‖² + ρ‖w‖₁ ("elasticnet",
 * ρ = l1_ratio) or 0 ("none", where C plays no part: the objective is Σ_i s_i ℓ_i), s_i the
 * class weight of sample i (1 without `class_weight`), and intercepts never penalised.
 *
 * Solvers:
 *  - two classes, l2, no class weights: L-BFGS on (1/C) × the objective (sklearn's lbfgs
 *    scaling, so `tol` bounds the same gradient as there);
 *  - two classes otherwise: proximal Newton (Lee, Sun & Saunders 2014; glmnet's quadratic
 *    model, Friedman, Hastie & Tibshirani 2010, with Yuan, Ho & Lin's 2012 line search):
 *    the Newton system solved by Cholesky when there is no L1 term, by coordinate descent
 *    on the quadratic model otherwise; stops when the largest component of the
 *    minimum-norm subgradient of (1/C) × the objective is at most `tol`;
 *  - k > 2 classes: L-BFGS on (1/C) × the multinomial objective (sklearn's lbfgs).
 */
import { InvalidInputError } from "../errors.ts";
import type { Matrix } from "../matrix.ts";
import { axpy, dot } from "../linalg/blas.ts";
import { choleskyFactor, choleskySolve } from "../linalg/cholesky.ts";
import { argmaxRows, checkClassTarget, classWeights, withClassWeight, sampleWeights, type ClassWeight } from "./classifier.ts";
import { FitCancelledError } from "./errors.ts";
import type { HyperparameterTable } from "./hyperparameters.ts";
import { LinearModel, type LinearState } from "./linear-model.ts";
import { minimizeLbfgs, type LbfgsResult, type ObjectiveWithGradient } from "./solvers/lbfgs.ts";
import { logisticObjective, sigmoid } from "./solvers/logistic-loss.ts";
import type { Classifier, FitInfo, FitOptions, SerializedEstimator } from "./types.ts";

/**
 * The relative-reduction stop of L-BFGS, set to 64ε (as scikit-learn's lbfgs call does) rather
 * than scipy's default 1e7·ε: with the default, a flat stretch of the log-loss stops the solver
 * long before max |gradient| ≤ tol, and a user's tight `tol` would not be honoured.
 */
const LOGISTIC_FTOL = 64 * Number.EPSILON;

export const LOGISTIC_REGRESSION_HYPERPARAMETERS: HyperparameterTable = {
  C: {
    type: "float",
    interval: { low: 0, high: null, closed: "neither" },
    default: 1,
    description: "Inverse of the regularisation strength; smaller values regularise more (unused with penalty none).",
  },
  fit_intercept: {
    type: "bool",
    default: true,
    description: "Fit an (unpenalised) intercept.",
  },
  tol: {
    type: "float",
    interval: { low: 0, high: null, closed: "left" },
    default: 1e-4,
    description: "Stop when the largest (sub)gradient component of Σ logloss + penalty/C is at most tol.",
  },
  max_iter: {
    type: "int",
    interval: { low: 1, high: null, closed: "left" },
    default: 100,
    description: "Maximum number of solver iterations; reaching it gives a convergence warning.",
  },
  penalty: {
    type: "enum",
    values: ["l2", "l1", "elasticnet", "none"],
    default: "l2",
    description: "Penalty on the coefficients: l2 (ridge), l1 (lasso, two classes), elasticnet (two classes) or none.",
  },
  l1_ratio: {
    type: "float",
    interval: { low: 0, high: 1, closed: "both" },
    default: 0.5,
    description: "Elastic-net mixing ρ: penalty (1−ρ)/2·‖w‖² + ρ·‖w‖₁; used only with penalty elasticnet.",
  },
};

type Penalty = "l2" | "l1" | "elasticnet" | "none";

export class LogisticRegression extends LinearModel implements Classifier {
  readonly kind = "LOGISTIC_REGRESSION";
  readonly task = "classification";

  constructor(params: Record<string, unknown> = {}) {
    super(LOGISTIC_REGRESSION_HYPERPARAMETERS, params);
  }

  static fromJSON(json: SerializedEstimator): LogisticRegression {
    return new LogisticRegression(json?.params ?? {}).restore(json);
  }

  /** The table's params, plus class_weight (an object, which the table cannot express). */
  protected override validateParams(params: Record<string, unknown>): Record<string, unknown> {
    return withClassWeight(this.kind, params, (rest) => super.validateParams(rest));
  }

  protected fitState(X: Matrix, y: Float64Array, params: Record<string, unknown>, options: FitOptions): LinearState {
    const k = checkClassTarget(y, this.kind, options.nClasses);
    const penalty = params.penalty as Penalty;
    const s = sampleWeights(classWeights(this.kind, params.class_weight as ClassWeight, y, k), y);
    const report = (iteration: number, objective: number, gap: number): void => {
      if (options.isCancelled?.()) throw new FitCancelledError(this.kind, iteration);
      options.onProgress?.({ iteration, objective, gap });
    };
    if (k > 2) {
      if (penalty === "l1" || penalty === "elasticnet") {
        throw new InvalidInputError(
          `${this.kind}: penalty "${penalty}" is supported for two classes; the target has ${k}. Use penalty "l2" or "none".`,
          { field: "hyperparameters.penalty" },
        );
      }
      return this.fitMultinomial(X, y, s, k, params, report);
    }
    if (penalty === "l2" && !s) return this.fitBinaryLbfgs(X, y, params, report);
    return this.fitBinaryNewton(X, y, s, params, report);
  }

  /** Two classes, l2, unit weights: L-BFGS (the original path; its results are unchanged). */
  private fitBinaryLbfgs(X: Matrix, y: Float64Array, params: Record<string, unknown>, report: Report): LinearState {
    const C = params.C as number;
    const fitIntercept = params.fit_intercept as boolean;
    const maxIter = params.max_iter as number;
    const p = X.cols;
    const theta = new Float64Array(fitIntercept ? p + 1 : p);
    if (fitIntercept) {
      // Start at the intercept-only optimum, logit(mean y): the solution sklearn would reach
      // from 0 anyway, minus the first few iterations (they matter with class imbalance).
      let positives = 0;
      for (let i = 0; i < y.length; i++) positives += y[i];
      theta[p] = Math.log(positives / (y.length - positives));
    }
    // On large data the loss runs on two threads (logistic-loss.ts); the helper stops here,
    // also when the fit is cancelled or fails.
    const objective = logisticObjective(X, y, C, fitIntercept);
    let result: LbfgsResult;
    try {
      result = minimizeLbfgs(objective, theta, {
        maxIter,
        gtol: params.tol as number,
        ftol: LOGISTIC_FTOL,
        onIteration: (iteration, f, gradMax) => report(iteration, C * f, gradMax),
      });
    } finally {
      objective.close();
    }
    return {
      coef_: result.x.slice(0, p),
      intercept_: fitIntercept ? result.x[p] : 0,
      info: lbfgsInfo(result, maxIter, C * result.f),
    };
  }

  /** Two classes with class weights, an L1 term or no penalty: proximal Newton. */
  private fitBinaryNewton(
    X: Matrix,
    y: Float64Array,
    s: Float64Array | undefined,
    params: Record<string, unknown>,
    report: Report,
  ): LinearState {
    const penalty = params.penalty as Penalty;
    const rho = penalty === "l1" ? 1 : penalty === "elasticnet" ? (params.l1_ratio as number) : 0;
    const none = penalty === "none";
    const fitIntercept = params.fit_intercept as boolean;
    const maxIter = params.max_iter as number;
    const p = X.cols;
    const theta = new Float64Array(fitIntercept ? p + 1 : p);
    if (fitIntercept) {
      let positives = 0;
      let total = 0;
      for (let i = 0; i < y.length; i++) {
        const si = s ? s[i] : 1;
        positives += si * y[i];
        total += si;
      }
      if (positives > 0 && positives < total) theta[p] = Math.log(positives / (total - positives));
    }
    const result = proximalNewton(
      { X, y, s, C: none ? 1 : (params.C as number), l2: none ? 0 : 1 - rho, l1: none ? 0 : rho, fitIntercept },
      theta,
      params.tol as number,
      maxIter,
      report,
    );
    const warnings: string[] = [];
    if (result.reason === "max_iter") {
      warnings.push(
        `proximal Newton did not converge in ${maxIter} iterations (largest subgradient ${result.gap.toExponential(2)} > tol): ` +
          (none ? "the classes may be separable (no finite optimum without a penalty); " : "") +
          "increase max_iter or scale the features.",
      );
    } else if (result.reason === "line_search") {
      warnings.push(
        `proximal Newton stopped after ${result.nIter} iterations: the line search made no progress ` +
          `(largest subgradient ${result.gap.toExponential(2)}); scaling the features usually helps.`,
      );
    }
    if (none && separation(X, y, s, result.theta, fitIntercept)) {
      // The gradient vanishes only as ‖w‖ → ∞, so "converged" is no finite optimum.
      warnings.push(
        "fitted probabilities numerically 0 or 1 occurred: the classes are (quasi-)separable, so the unpenalised " +
          "coefficients are not finite and their inference is meaningless; use penalty l2 or drop the separating features.",
      );
    }
    return {
      coef_: result.theta.slice(0, p),
      intercept_: fitIntercept ? result.theta[p] : 0,
      info: {
        nIter: result.nIter,
        converged: result.reason === "converged",
        objective: result.objective,
        warnings,
        solver: rho > 0 ? "proximal-newton-cd" : "newton-cholesky",
      },
    };
  }

  /** k > 2 classes: L-BFGS on the multinomial objective, W (k × p) then b (k) in one vector. */
  private fitMultinomial(
    X: Matrix,
    y: Float64Array,
    s: Float64Array | undefined,
    k: number,
    params: Record<string, unknown>,
    report: Report,
  ): LinearState {
    const none = params.penalty === "none";
    const C = none ? 1 : (params.C as number);
    const fitIntercept = params.fit_intercept as boolean;
    const maxIter = params.max_iter as number;
    const p = X.cols;
    const theta = new Float64Array(fitIntercept ? k * (p + 1) : k * p);
    if (fitIntercept) {
      // The intercept-only optimum: softmax(b) = the (weighted) class proportions, Σ b = 0.
      const mass = new Float64Array(k);
      for (let i = 0; i < y.length; i++) mass[y[i]] += s ? s[i] : 1;
      for (let c = 0; c < k; c++) theta[k * p + c] = Math.log(Math.max(mass[c], 1e-300));
      centre(theta, k * p, k);
    }
    const result = minimizeLbfgs(multinomialObjective(X, y, s, k, none ? 0 : 1 / C, fitIntercept), theta, {
      maxIter,
      gtol: params.tol as number,
      ftol: LOGISTIC_FTOL,
      onIteration: (iteration, f, gradMax) => report(iteration, C * f, gradMax),
    });
    const coef = result.x.slice(0, k * p);
    const intercept = fitIntercept ? result.x.slice(k * p) : new Float64Array(k);
    // Softmax is unchanged by adding one vector to every class's (w_c, b_c): L-BFGS from a
    // centred start stays centred, up to rounding, which this removes (sklearn's convention).
    centre(intercept, 0, k);
    if (none) for (let j = 0; j < p; j++) centreColumn(coef, j, p, k);
    return { coef_: coef, intercept_: intercept, info: lbfgsInfo(result, maxIter, C * result.f) };
  }

  /** Two classes: log-odds of class 1, x_iᵀw + b (length n); k > 2: W x_i + b, n × k row-major. */
  decisionFunction(X: Matrix): Float64Array {
    return this.linearPredictor(X);
  }

  /**
   * Class indices: two classes, 1 where the log-odds are positive (sklearn's tie goes to
   * class 0); k > 2, the argmax of the decision function.
   */
  predict(X: Matrix): Float64Array {
    const z = this.linearPredictor(X);
    const k = this.nOutputs();
    if (k > 1) return argmaxRows(z, k);
    for (let i = 0; i < z.length; i++) z[i] = z[i] > 0 ? 1 : 0;
    return z;
  }

  /** n_samples × k row-major class probabilities (k = 2: [P(y = 0), P(y = 1)] per row). */
  predictProba(X: Matrix): Float64Array {
    const z = this.linearPredictor(X);
    const k = this.nOutputs();
    if (k > 1) {
      for (let o = 0; o < z.length; o += k) softmaxInPlace(z, o, k);
      return z;
    }
    const out = new Float64Array(2 * z.length);
    for (let i = 0; i < z.length; i++) {
      // Each probability from its own sigmoid, so a tiny P(y = 0) is not lost as 1 − (1 − ε).
      out[2 * i] = sigmoid(-z[i]);
      out[2 * i + 1] = sigmoid(z[i]);
    }
    return out;
  }
}

type Report = (iteration: number, objective: number, gap: number) => void;

/** |z| beyond which σ(z) is within 1e-13 of 0 or 1 (σ(30) = 1 − 9.4e-14; R's glm warns near 36). */
const SATURATED = 30;

/**
 * Signs that an unpenalised fit has no finite optimum: every (weighted) sample on its own
 * side of the hyperplane (complete separation: the fit itself separates the classes), or
 * some fitted probability numerically 0 or 1 (quasi-separation, as R's glm warns).
 */
function separation(X: Matrix, y: Float64Array, s: Float64Array | undefined, theta: Float64Array, fitIntercept: boolean): boolean {
  const { rows: n, cols: p, data } = X;
  const b = fitIntercept ? theta[p] : 0;
  let minMargin = Infinity;
  for (let i = 0; i < n; i++) {
    if (s && s[i] === 0) continue;
    const z = dot(p, data, i * p, theta, 0) + b;
    if (Math.abs(z) > SATURATED) return true;
    minMargin = Math.min(minMargin, (2 * y[i] - 1) * z);
  }
  return minMargin > 0;
}

function lbfgsInfo(result: LbfgsResult, maxIter: number, objective: number): FitInfo {
  const warnings: string[] = [];
  if (result.reason === "max_iter") {
    warnings.push(
      `lbfgs failed to converge in ${maxIter} iterations (max |gradient| ${result.gradMax.toExponential(2)} > tol): ` +
        `increase max_iter or scale the features.`,
    );
  } else if (result.reason === "line_search") {
    warnings.push(
      `lbfgs stopped after ${result.nIter} iterations: the line search made no progress ` +
        `(max |gradient| ${result.gradMax.toExponential(2)}); scaling the features usually helps.`,
    );
  }
  return { nIter: result.nIter, converged: result.converged, objective, warnings, solver: "lbfgs" };
}

/** x[o..o+k) ← softmax, with the max subtracted first so that no exponential overflows. */
function softmaxInPlace(x: Float64Array, o: number, k: number): void {
  let max = -Infinity;
  for (let c = 0; c < k; c++) max = Math.max(max, x[o + c]);
  let sum = 0;
  for (let c = 0; c < k; c++) sum += x[o + c] = Math.exp(x[o + c] - max);
  for (let c = 0; c < k; c++) x[o + c] /= sum;
}

/** Subtract the mean of x[o..o+k). */
function centre(x: Float64Array, o: number, k: number): void {
  let mean = 0;
  for (let c = 0; c < k; c++) mean += x[o + c];
  mean /= k;
  for (let c = 0; c < k; c++) x[o + c] -= mean;
}

/** Subtract from column j of the k × p matrix W its mean over the k rows. */
function centreColumn(W: Float64Array, j: number, p: number, k: number): void {
  let mean = 0;
  for (let c = 0; c < k; c++) mean += W[c * p + j];
  mean /= k;
  for (let c = 0; c < k; c++) W[c * p + j] -= mean;
}

/**
 * The multinomial objective in sklearn's lbfgs scaling (sklearn/linear_model/_linear_loss.py
 * with HalfMultinomialLoss, l2_reg_strength = 1/C):
 *
 *     f(W, b) = Σ_i s_i [logsumexp(z_i) − z_i[y_i]] + ‖W‖²_F / (2C),   z_i = W x_i + b,
 *     ∇_{w_c} f = Σ_i s_i (P_ic − [y_i = c]) x_i + w_c / C,   ∂_{b_c} f = Σ_i s_i (P_ic − [y_i = c]),
 *
 * θ = (W row-major k × p, then b when fitted). `invC` = 0 leaves the loss unpenalised.
 *
 * @param X n × p;  y length n, class indices;  s length n or undefined (unit weights)
 */
function multinomialObjective(
  X: Matrix,
  y: Float64Array,
  s: Float64Array | undefined,
  k: number,
  invC: number,
  fitIntercept: boolean,
): ObjectiveWithGradient {
  const { rows: n, cols: p, data } = X;
  const kp = k * p;
  const z = new Float64Array(k);
  return (theta, grad) => {
    grad.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const o = i * p;
      let max = -Infinity;
      for (let c = 0; c < k; c++) {
        z[c] = dot(p, data, o, theta, c * p) + (fitIntercept ? theta[kp + c] : 0);
        if (z[c] > max) max = z[c];
      }
      const yi = y[i];
      const zy = z[yi];
      let sum = 0;
      for (let c = 0; c < k; c++) sum += z[c] = Math.exp(z[c] - max);
      const si = s ? s[i] : 1;
      loss += si * (max + Math.log(sum) - zy);
      for (let c = 0; c < k; c++) {
        const r = si * (z[c] / sum - (c === yi ? 1 : 0));
        axpy(p, r, data, o, grad, c * p);
        if (fitIntercept) grad[kp + c] += r;
      }
    }
    let ww = 0;
    for (let j = 0; j < kp; j++) {
      ww += theta[j] * theta[j];
      grad[j] += invC * theta[j];
    }
    return loss + 0.5 * invC * ww;
  };
}

interface BinaryProblem {
  /** n × p */
  X: Matrix;
  /** length n, 0/1 */
  y: Float64Array;
  /** per-sample weights, or undefined for 1 */
  s: Float64Array | undefined;
  /** multiplies the loss (1 for penalty none) */
  C: number;
  /** ridge coefficient λ₂ of λ₂/2·‖w‖² */
  l2: number;
  /** lasso coefficient λ₁ of λ₁·‖w‖₁ */
  l1: number;
  fitIntercept: boolean;
}

interface ProximalNewtonResult {
  /** (w, b) or w */
  theta: Float64Array;
  objective: number;
  /** largest minimum-norm subgradient component of objective / C at theta */
  gap: number;
  nIter: number;
  reason: "converged" | "max_iter" | "line_search";
}

const ARMIJO = 1e-4;
const MAX_HALVINGS = 60;
const MAX_CD_SWEEPS = 1000;

/**
 * Proximal Newton for F(θ) = C·Σ s_i ℓ(z_i) + λ₂/2·‖w‖² + λ₁·‖w‖₁, z = Xw + b (b unpenalised).
 *
 * Each iteration minimises the second-order model of the smooth part plus the exact L1 term,
 *   q(d) = γᵀd + ½ dᵀ(AᵀHA + λ₂ I_w)d + λ₁‖w + d_w‖₁,   A = [X 1], H = diag(C s_i p_i(1−p_i)),
 * (Cholesky when λ₁ = 0, cyclic coordinate descent with soft-thresholding otherwise), then
 * backtracks t = 1, ½, … until F(θ + t d) ≤ F(θ) + 1e-4·t·Δ, Δ = γᵀd + λ₁(‖w + d_w‖₁ − ‖w‖₁)
 * (Tseng & Yun 2009, as newGLMNET). Stops when max_j |∂⁰F_j| / C ≤ tol, ∂⁰F the
 * minimum-norm subgradient: γ_j + λ₁ sign(w_j) for w_j ≠ 0, max(|γ_j| − λ₁, 0) at w_j = 0.
 */
function proximalNewton(
  problem: BinaryProblem,
  theta0: Float64Array,
  tol: number,
  maxIter: number,
  report: Report,
): ProximalNewtonResult {
  const { X, y, s, C, l2, l1, fitIntercept } = problem;
  const { rows: n, cols: p, data } = X;
  const d = fitIntercept ? p + 1 : p;
  let theta = Float64Array.from(theta0);
  let trial = new Float64Array(d);
  const z = new Float64Array(n);
  const h = new Float64Array(n);
  const grad = new Float64Array(d);
  const G = new Float64Array(d * d);
  const step = new Float64Array(d);
  const u = new Float64Array(d);
  const v = new Float64Array(d);

  const objective = (t: Float64Array): number => {
    const b = fitIntercept ? t[p] : 0;
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const zi = dot(p, data, i * p, t, 0) + b;
      z[i] = zi;
      // log(1 + e^z) − y z, through softplus(z) = max(z, 0) + log1p(e^{−|z|})
      loss += (s ? s[i] : 1) * ((zi > 0 ? zi : 0) + Math.log1p(Math.exp(-Math.abs(zi))) - y[i] * zi);
    }
    let ww = 0;
    let w1 = 0;
    for (let j = 0; j < p; j++) {
      ww += t[j] * t[j];
      w1 += Math.abs(t[j]);
    }
    return C * loss + 0.5 * l2 * ww + l1 * w1;
  };
  const l1Norm = (t: Float64Array): number => {
    let sum = 0;
    for (let j = 0; j < p; j++) sum += Math.abs(t[j]);
    return sum;
  };

  let F = objective(theta); // leaves z = Xw + b of theta
  let gap = Infinity;
  let iter = 0;
  let reason: ProximalNewtonResult["reason"] = "max_iter";
  for (;;) {
    // Gradient γ of the smooth part and the weights of the Newton model, at theta.
    grad.fill(0);
    for (let i = 0; i < n; i++) {
      const pi = sigmoid(z[i]);
      const ci = C * (s ? s[i] : 1);
      const g = ci * (pi - y[i]);
      h[i] = ci * pi * (1 - pi);
      axpy(p, g, data, i * p, grad, 0);
      if (fitIntercept) grad[p] += g;
    }
    gap = 0;
    for (let j = 0; j < d; j++) {
      if (j < p) grad[j] += l2 * theta[j];
      let sub = grad[j];
      if (j < p && l1 > 0) sub = theta[j] !== 0 ? grad[j] + l1 * Math.sign(theta[j]) : Math.max(Math.abs(grad[j]) - l1, 0);
      gap = Math.max(gap, Math.abs(sub) / C);
    }
    if (gap <= tol) {
      reason = "converged";
      break;
    }
    if (iter >= maxIter) break;

    // G = Aᵀ H A (d × d, symmetric), accumulated in the lower triangle then mirrored.
    G.fill(0);
    for (let i = 0; i < n; i++) {
      const hi = h[i];
      if (hi === 0) continue;
      const o = i * p;
      for (let a = 0; a < p; a++) {
        const xa = hi * data[o + a];
        axpy(a + 1, xa, data, o, G, a * d);
      }
      if (fitIntercept) {
        axpy(p, hi, data, o, G, p * d);
        G[p * d + p] += hi;
      }
    }
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) G[b * d + a] = G[a * d + b];

    if (l1 === 0) newtonStep(G, d, p, l2, grad, step);
    else quadraticModelCD(G, d, p, l2, l1, grad, theta, u, v, step);

    let delta = l1 * (-l1Norm(theta));
    for (let j = 0; j < d; j++) {
      delta += grad[j] * step[j];
      u[j] = theta[j] + step[j];
    }
    delta += l1 * l1Norm(u);
    if (!(delta < 0)) {
      reason = "line_search";
      break;
    }
    let t = 1;
    let accepted = false;
    // Near the optimum the predicted decrease δ falls below the rounding of F itself, and an
    // Armijo test on function values can no longer tell a good step from a bad one (it would
    // halve forever). There the quadratic model is accurate: take the full Newton step, as
    // scikit-learn's newton-cholesky line search does when the loss change is within rounding.
    if (-delta <= 16 * Number.EPSILON * Math.abs(F)) {
      for (let j = 0; j < d; j++) trial[j] = theta[j] + step[j];
      F = objective(trial);
      accepted = true;
    }
    for (let k = 0; !accepted && k < MAX_HALVINGS; k++, t *= 0.5) {
      for (let j = 0; j < d; j++) trial[j] = theta[j] + t * step[j];
      const Ft = objective(trial);
      if (Ft <= F + ARMIJO * t * delta) {
        F = Ft;
        accepted = true;
        break;
      }
    }
    if (!accepted) {
      objective(theta); // restore z for the caller's final state
      reason = "line_search";
      break;
    }
    [theta, trial] = [trial, theta];
    iter++;
    report(iter, F, gap);
  }
  return { theta, objective: F, gap, nIter: iter, reason };
}

/**
 * Solve (G + λ₂ I_w) d = −γ by Cholesky. A singular G (penalty none with collinear
 * columns, or probabilities saturated at 0/1) gets a growing diagonal shift, which turns
 * the step into a damped Newton (Levenberg–Marquardt) step but never a wrong one.
 */
function newtonStep(G: Float64Array, d: number, p: number, l2: number, grad: Float64Array, step: Float64Array): void {
  let maxDiag = 0;
  for (let j = 0; j < d; j++) maxDiag = Math.max(maxDiag, G[j * d + j]);
  const M = new Float64Array(d * d);
  for (let shift = 0, attempt = 0; ; attempt++) {
    M.set(G);
    for (let j = 0; j < d; j++) M[j * d + j] += (j < p ? l2 : 0) + shift;
    if (choleskyFactor(M, d)) break;
    shift = Math.max(maxDiag, 1) * 1e-12 * 10 ** attempt;
  }
  for (let j = 0; j < d; j++) step[j] = -grad[j];
  choleskySolve(M, d, step);
}

/**
 * Minimise q(u − θ) = γᵀ(u − θ) + ½ (u − θ)ᵀ(G + λ₂ I_w)(u − θ) + λ₁‖u_w‖₁ over u by cyclic
 * coordinate descent (glmnet's covariance updates: v = G(u − θ) kept current, O(d) per
 * coordinate); writes the step u − θ.
 */
function quadraticModelCD(
  G: Float64Array,
  d: number,
  p: number,
  l2: number,
  l1: number,
  grad: Float64Array,
  theta: Float64Array,
  u: Float64Array,
  v: Float64Array,
  step: Float64Array,
): void {
  u.set(theta);
  v.fill(0);
  for (let sweep = 0; sweep < MAX_CD_SWEEPS; sweep++) {
    let maxDelta = 0;
    let maxU = 0;
    for (let j = 0; j < d; j++) {
      const penalised = j < p;
      const a = G[j * d + j] + (penalised ? l2 : 0);
      if (!(a > 0)) continue;
      const r = grad[j] + v[j] + (penalised ? l2 * (u[j] - theta[j]) : 0);
      let next: number;
      if (penalised) {
        const c = a * u[j] - r;
        next = c > l1 ? (c - l1) / a : c < -l1 ? (c + l1) / a : 0;
      } else {
        next = u[j] - r / a;
      }
      const change = next - u[j];
      if (change !== 0) {
        u[j] = next;
        axpy(d, change, G, j * d, v, 0);
        maxDelta = Math.max(maxDelta, Math.abs(change));
      }
      maxU = Math.max(maxU, Math.abs(next));
    }
    if (maxDelta <= 1e-12 * Math.max(1, maxU)) break;
  }
  for (let j = 0; j < d; j++) step[j] = u[j] - theta[j];
}
