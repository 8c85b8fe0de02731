/**
 * Kernel support vector machine for classification (scikit-learn's SVC, i.e. LIBSVM's
 * C-SVC). Two classes, with ỹ_i = +1 for class 0 and −1 for class 1 (LIBSVM's order):
 *
 *     minimise_α  ½ αᵀQα − Σ_i α_i,   Q_ij = ỹ_i ỹ_j K(x_i, x_j),
 *     subject to  ỹᵀα = 0,  0 ≤ α_i ≤ C_i = C · class_weight[y_i],
 *
 * solved by SMO with second-order working-set selection (solvers/smo.ts), kernels of
 * solvers/svm-kernels.ts. The support vectors are the rows with α_i > 0; the decision
 * function is f(x) = Σ_i α_i ỹ_i K(x_i, x) − ρ. As in scikit-learn, `decisionFunction`
 * returns −f (positive for class 1) and `dual_coef_` / `intercept_` carry that sign, and a
 * row with f(x) = 0 is predicted as class 1 (LIBSVM's vote).
 *
 * k > 2 classes: one-vs-one, as LIBSVM: k(k−1)/2 binary problems (i, j), i < j, in the
 * order (0,1), (0,2), …, (1,2), …, each on the rows of classes i (+1) and j (−1) only, with
 * C_i = C · class_weight of the row's class. `predict` is the majority vote (f_ij > 0 votes
 * for i, otherwise for j; a tie goes to the lowest class index, LIBSVM's and sklearn's
 * predict). `decisionFunction` is n × k with scikit-learn's decision_function_shape="ovr"
 * transform (`_ovr_decision_function`): votes_c + s_c / (3(|s_c| + 1)), s_c the sum of the
 * pairwise f values in favour of c — monotone in the votes, so its argmax is the vote
 * winner except where votes tie (there it follows the confidences, not the lowest index).
 *
 * probability=true: for each binary problem, Platt's sigmoid fitted on decision values
 * from an internal 5-fold cross-validation with a seeded shuffle (LIBSVM's
 * svm_binary_svc_probability; our folds differ from sklearn's, so the probabilities are
 * close to, not equal to, sklearn's); k > 2 by pairwise coupling (solvers/platt.ts).
 *
 * Hyperparameters beyond the declared table: `gamma` ("scale" (default), "auto" or a
 * number > 0; a union the table cannot express) and `class_weight` (as LinearSVM). A kernel
 * parameter set to anything but its default for a kernel that ignores it (gamma with
 * linear, degree with anything but poly, coef0 with linear or rbf) is refused, naming it.
 *
 * fitInfo: nIter is the total number of SMO iterations of the k(k−1)/2 final problems
 * (sklearn's n_iter_ summed), objective the sum of their dual objectives above (LIBSVM's
 * `obj`), nSupportVectors the number of distinct support vectors.
 */
import { InvalidInputError, NotFittedError } from "../errors.ts";
import { matrix, takeRows, type Matrix } from "../matrix.ts";
import { createRandom, type Random } from "../random.ts";
import { checkClassTarget, classWeights, parseClassWeight, validateWithClassWeightLabels, type ClassWeight } from "./classifier.ts";
import { FitCancelledError } from "./errors.ts";
import { defaultHyperparameters, validateHyperparameters, type HyperparameterTable } from "./hyperparameters.ts";
import { multiclassProbability, sigmoidPredict, sigmoidTrain, type Sigmoid } from "./solvers/platt.ts";
import { smo, type SMOResult } from "./solvers/smo.ts";
import { KERNEL_PARAMETERS, kernelAgainst, kernelValue, resolveGamma, type KernelName, type KernelSpec } from "./solvers/svm-kernels.ts";
import type { Classifier, FitInfo, FitOptions, SerializedEstimator } from "./types.ts";
import { checkFeatures, checkPredictFeatures, checkTarget } from "./validation.ts";

/** Version of the `state` layout written by toJSON; bump it when the layout changes. */
export const SVM_STATE_VERSION = 1;

const KIND = "SVM";

/**
 * Largest `cache_size` in MB. The cache fills up to min(cache_size, 8·n² bytes) during a fit:
 * unbounded, one request's cache_size: 100000 on 20k rows took 3 GB of a server's memory. A
 * cache beyond the kernel matrix's size buys nothing, and past a few hundred MB the fit's time
 * goes to the kernel rows it must compute anyway.
 */
export const MAX_CACHE_SIZE_MB = 1024;

export const SVM_HYPERPARAMETERS: HyperparameterTable = {
  C: {
    type: "float",
    interval: { low: 0, high: null, closed: "neither" },
    default: 1,
    description: "Penalty on margin violations (the upper bound of each α_i); smaller values regularise more.",
  },
  kernel: {
    type: "enum",
    values: ["rbf", "linear", "poly", "sigmoid"],
    default: "rbf",
    description:
      "Kernel K(x, z): rbf exp(−γ‖x − z‖²), linear xᵀz, poly (γ xᵀz + coef0)^degree, sigmoid tanh(γ xᵀz + coef0). " +
      "gamma (\"scale\", \"auto\" or a number > 0, default \"scale\" = 1/(p·Var(X))) is set beside these.",
  },
  degree: {
    type: "int",
    interval: { low: 1, high: null, closed: "left" },
    default: 3,
    description: "Degree of the poly kernel; refused with other kernels.",
  },
  coef0: {
    type: "float",
    interval: { low: null, high: null, closed: "neither" },
    default: 0,
    description: "Additive constant of the poly and sigmoid kernels; refused with other kernels.",
  },
  tol: {
    type: "float",
    interval: { low: 0, high: null, closed: "neither" },
    default: 1e-3,
    description: "Stop when the maximal violating pair's gap m(α) − M(α) is below tol (LIBSVM's eps).",
  },
  max_iter: {
    type: "int",
    interval: { low: -1, high: null, closed: "left" },
    default: -1,
    description:
      "Iteration limit of each SMO run; -1 for none beyond LIBSVM's safety cap of max(10⁷, 100·n). Reaching it gives a convergence warning.",
  },
  shrinking: {
    type: "bool",
    default: true,
    description: "Use LIBSVM's shrinking heuristic (same optimum; usually faster on large problems).",
  },
  probability: {
    type: "bool",
    default: false,
    description: "Fit Platt-scaled class probabilities by an internal 5-fold cross-validation (about 6× the fit time).",
  },
  cache_size: {
    type: "float",
    interval: { low: 0, high: MAX_CACHE_SIZE_MB, closed: "right" },
    default: 200,
    description: `Memory for cached kernel rows, in MB (2²⁰ bytes); at least two rows are always cached. At most ${MAX_CACHE_SIZE_MB} (scikit-learn has no bound; a server shares its memory between tenants).`,
  },
  random_state: {
    type: "int",
    interval: { low: 0, high: 2147483647, closed: "both" },
    default: 0,
    description: "Seed of the fold shuffle of the probability cross-validation.",
  },
};

type Gamma = "scale" | "auto" | number;

/** Lower bound of a pairwise probability (LIBSVM's min_prob), so that coupling stays finite. */
const MIN_PROB = 1e-7;
const CV_FOLDS = 5;

/**
 * The table's params plus gamma and class_weight, with defaults, and the kernel-parameter
 * consistency check: what `fit` checks (class_weight by class index), and what the
 * registry's validateHyperparameters checks at request time (class_weight by class label,
 * before the service maps labels to indices).
 */
export function validateSVMHyperparameters(
  params: Record<string, unknown>,
  classWeightKeys: "index" | "label" = "index",
): Record<string, unknown> {
  const { gamma, ...rest } = params;
  if (typeof rest.cache_size === "number" && rest.cache_size > MAX_CACHE_SIZE_MB) {
    throw new InvalidInputError(
      `${KIND}: hyperparameter "cache_size" is at most ${MAX_CACHE_SIZE_MB} (MB) on this server, which shares its memory between tenants; got ${rest.cache_size}. ` +
        `Leave it at the default (200) or lower it: a larger cache only saves recomputing kernel rows and does not change the model.`,
      { field: "hyperparameters.cache_size", limit: "MAX_CACHE_SIZE_MB" },
    );
  }
  let out: Record<string, unknown>;
  if (classWeightKeys === "label") {
    out = validateWithClassWeightLabels(KIND, SVM_HYPERPARAMETERS, rest);
  } else {
    const { class_weight: classWeight, ...scalars } = rest;
    const checkedWeight = parseClassWeight(KIND, classWeight);
    out = validateHyperparameters(KIND, SVM_HYPERPARAMETERS, scalars);
    if (classWeight !== undefined) out.class_weight = checkedWeight;
  }
  const checkedGamma = parseGamma(gamma);
  if (out.max_iter === 0) {
    throw new InvalidInputError(`${KIND}: hyperparameter "max_iter" must be a positive integer, or -1 for no limit; got 0.`, {
      field: "hyperparameters.max_iter",
    });
  }
  // A value other than the default was set by the user: refuse it where the kernel ignores
  // it. A default given explicitly passes (toJSON's params, and clients echoing the catalog's
  // defaults, carry every default whatever the kernel).
  const kernel = out.kernel as KernelName;
  const setByUser: [keyof typeof KERNEL_PARAMETERS, boolean][] = [
    ["gamma", checkedGamma !== undefined && checkedGamma !== "scale"],
    ["degree", out.degree !== SVM_HYPERPARAMETERS.degree.default],
    ["coef0", out.coef0 !== SVM_HYPERPARAMETERS.coef0.default],
  ];
  for (const [name, set] of setByUser) {
    const users = KERNEL_PARAMETERS[name];
    if (!set || users.includes(kernel)) continue;
    const list = users.map((k) => JSON.stringify(k)).join(", ");
    throw new InvalidInputError(
      `${KIND}: hyperparameter "${name}" is used only by kernel${users.length > 1 ? "s" : ""} ${list}; kernel "${kernel}" ignores it. ` +
        `Remove ${name}, or choose ${users.length > 1 ? "one of those kernels" : `kernel ${list}`}.`,
      { field: `hyperparameters.${name}` },
    );
  }
  return gamma === undefined ? out : { ...out, gamma: checkedGamma };
}

function parseGamma(value: unknown): Gamma | undefined {
  if (value === undefined || value === "scale" || value === "auto") return value;
  if (typeof value === "number" && Number.isFinite(value) && value > 0) return value;
  const got = typeof value === "string" ? JSON.stringify(value) : typeof value === "number" || value === null ? String(value) : typeof value;
  throw new InvalidInputError(
    `${KIND}: hyperparameter "gamma" must be "scale" (1/(p·Var(X))), "auto" (1/p) or a finite number > 0; got ${got}.`,
    { field: "hyperparameters.gamma" },
  );
}

/** Learned state, with scikit-learn's names (also the JSON layout). */
interface SVMState {
  n_features_in_: number;
  n_classes: number;
  /** γ actually used (sklearn's `_gamma`) */
  gamma_: number;
  /** indices of the support vectors in the training rows, grouped by class (sklearn's support_) */
  support_: Int32Array;
  /** support vectors per class (length k) */
  n_support_: Int32Array;
  /** n_SV × p row-major */
  support_vectors_: Float64Array;
  /** (k−1) × n_SV row-major, LIBSVM's one-vs-one layout; two classes: positive for class 1 */
  dual_coef_: Float64Array;
  /** k(k−1)/2; two classes: sklearn's sign (f = dual_coef_·K + intercept_ > 0 for class 1) */
  intercept_: Float64Array;
  /** Platt's A, B per pair for P(lower class of the pair), when probability=true */
  probA_: Float64Array | undefined;
  probB_: Float64Array | undefined;
  info: FitInfo;
}

/** One binary problem's training rows (classes i: +1, j: −1) and its bounds. */
interface PairProblem {
  X: Matrix;
  y: Float64Array;
  C: Float64Array;
}

export class SVM implements Classifier {
  readonly kind = KIND;
  readonly task = "classification";
  readonly params: Record<string, unknown>;
  /**
   * n × k class probabilities (k = 2: [P(class 0), P(class 1)] per row); undefined when the
   * model was fitted with probability=false (or is not fitted).
   */
  predictProba: ((X: Matrix) => Float64Array) | undefined = undefined;
  private state: SVMState | undefined;

  /** Stores params over the table's defaults; checking them is fit's job (STYLE §1). */
  constructor(params: Record<string, unknown> = {}) {
    this.params = { ...defaultHyperparameters(SVM_HYPERPARAMETERS), ...params };
  }

  static fromJSON(json: SerializedEstimator): SVM {
    return new SVM(json?.params ?? {}).restore(json);
  }

  /**
   * Validate params and data, then fit. On any error (invalid input, cancellation) the
   * previous learned state, if any, is kept.
   *
   * @param X n_samples × n_features
   * @param y length n_samples, class indices 0..k−1
   */
  fit(X: Matrix, y: Float64Array, options: FitOptions = {}): this {
    const params = validateSVMHyperparameters(this.params);
    checkFeatures(X, this.kind);
    checkTarget(y, X.rows, this.kind);
    const k = checkClassTarget(y, this.kind, options.nClasses);
    const weights = classWeights(this.kind, params.class_weight as ClassWeight, y, k);
    const zero = weights ? weights.findIndex((w) => w === 0) : -1;
    if (zero >= 0) {
      throw new InvalidInputError(
        `${this.kind}: class_weight gives class ${zero} weight 0, which removes every sample of it; give it a positive weight or drop the class.`,
        { field: "hyperparameters.class_weight" },
      );
    }
    this.setState(this.fitState(X, y, k, weights, params, options));
    return this;
  }

  private fitState(
    X: Matrix,
    y: Float64Array,
    k: number,
    weights: Float64Array | undefined,
    params: Record<string, unknown>,
    options: FitOptions,
  ): SVMState {
    const { rows: n, cols: p } = X;
    const spec: KernelSpec = {
      kernel: params.kernel as KernelName,
      gamma: resolveGamma((params.gamma as Gamma | undefined) ?? "scale", X),
      degree: params.degree as number,
      coef0: params.coef0 as number,
    };
    const C = params.C as number;
    const maxIterParam = params.max_iter as number;
    let iteration = 0;
    const baseOptions = {
      kernel: spec,
      tol: params.tol as number,
      shrinking: params.shrinking as boolean,
      cacheBytes: (params.cache_size as number) * 2 ** 20,
      onIteration: (_: number, objective: number, gap: number) => {
        iteration++;
        if (options.isCancelled?.()) throw new FitCancelledError(this.kind, iteration);
        options.onProgress?.({ iteration, objective, gap });
      },
    };
    const solve = (problem: PairProblem): SMOResult =>
      smo(problem.X, problem.y, problem.C, {
        ...baseOptions,
        // -1: LIBSVM's own cap, so that a degenerate problem cannot run forever.
        maxIter: maxIterParam === -1 ? Math.max(1e7, 100 * problem.X.rows) : maxIterParam,
      });

    // Rows of each class, in order (LIBSVM groups the training set by class).
    const members: number[][] = Array.from({ length: k }, () => []);
    for (let r = 0; r < n; r++) members[y[r]].push(r);

    const nPairs = (k * (k - 1)) / 2;
    const random = createRandom(params.random_state as number);
    const probability = params.probability === true;
    const probA = probability ? new Float64Array(nPairs) : undefined;
    const probB = probability ? new Float64Array(nPairs) : undefined;
    const alphas: Float64Array[] = [];
    const rho = new Float64Array(nPairs);
    let nIter = 0;
    let objective = 0;
    let unconverged = 0;
    let cvUnconverged = 0;
    for (let i = 0, pair = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++, pair++) {
        const rows = [...members[i], ...members[j]];
        const problem: PairProblem = {
          X: takeRows(X, rows),
          y: Float64Array.from(rows, (r) => (y[r] === i ? 1 : -1)),
          C: Float64Array.from(rows, (r) => C * (weights ? weights[y[r]] : 1)),
        };
        if (probA && probB) {
          const cv = plattCrossValidation(problem, spec, solve, random);
          probA[pair] = cv.sigmoid.A;
          probB[pair] = cv.sigmoid.B;
          cvUnconverged += cv.unconverged;
        }
        const result = solve(problem);
        alphas.push(result.alpha);
        rho[pair] = result.rho;
        nIter += result.nIter;
        objective += result.objective;
        if (!result.converged) unconverged++;
      }
    }

    // Support vectors: rows with α > 0 in any of their pairs, grouped by class (LIBSVM).
    const isSupport = new Uint8Array(n);
    const position = new Int32Array(n); // row → index within its class's member list
    for (let c = 0; c < k; c++) members[c].forEach((r, q) => (position[r] = q));
    for (let i = 0, pair = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++, pair++) {
        const alpha = alphas[pair];
        const ci = members[i].length;
        for (let q = 0; q < alpha.length; q++) {
          if (alpha[q] > 0) isSupport[q < ci ? members[i][q] : members[j][q - ci]] = 1;
        }
      }
    }
    const support: number[] = [];
    const nSupport = new Int32Array(k);
    const svIndex = new Int32Array(n).fill(-1);
    for (let c = 0; c < k; c++) {
      for (const r of members[c]) {
        if (!isSupport[r]) continue;
        svIndex[r] = support.length;
        support.push(r);
        nSupport[c]++;
      }
    }
    const nSV = support.length;
    const dualCoef = new Float64Array(Math.max(k - 1, 1) * nSV);
    for (let i = 0, pair = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++, pair++) {
        const alpha = alphas[pair];
        const ci = members[i].length;
        for (let q = 0; q < alpha.length; q++) {
          if (!(alpha[q] > 0)) continue;
          // LIBSVM: class i's coefficients of pair (i, j) in row j−1, class j's in row i.
          if (q < ci) dualCoef[(j - 1) * nSV + svIndex[members[i][q]]] = alpha[q];
          else dualCoef[i * nSV + svIndex[members[j][q - ci]]] = -alpha[q];
        }
      }
    }
    const intercept = Float64Array.from(rho, (r) => -r);
    if (k === 2) {
      // scikit-learn's sign for two classes: positive for class 1.
      for (let s = 0; s < nSV; s++) dualCoef[s] = -dualCoef[s];
      intercept[0] = -intercept[0];
    }

    const warnings: string[] = [];
    if (unconverged > 0) {
      warnings.push(
        `SMO stopped at max_iter before the maximal violating pair's gap fell below tol in ${unconverged} of ${nPairs} ` +
          `binary problem${nPairs > 1 ? "s" : ""}: increase max_iter, scale the features, or lower C.`,
      );
    }
    if (cvUnconverged > 0) {
      warnings.push(
        `SMO stopped at max_iter in ${cvUnconverged} fit${cvUnconverged > 1 ? "s" : ""} of the probability cross-validation: ` +
          "the probabilities may be poorly calibrated; increase max_iter or scale the features.",
      );
    }
    return {
      n_features_in_: p,
      n_classes: k,
      gamma_: spec.gamma,
      support_: Int32Array.from(support),
      n_support_: nSupport,
      support_vectors_: takeRows(X, support).data,
      dual_coef_: dualCoef,
      intercept_: intercept,
      probA_: probA,
      probB_: probB,
      info: {
        nIter,
        converged: unconverged === 0 && cvUnconverged === 0,
        objective,
        warnings,
        solver: "smo-wss3",
        nSupportVectors: nSV,
      },
    };
  }

  /**
   * Two classes: n values, positive for class 1 (sklearn's sign). k > 2: n × k row-major,
   * the one-vs-one votes plus confidences (sklearn's decision_function_shape="ovr").
   */
  decisionFunction(X: Matrix): Float64Array {
    const state = this.fitted();
    const raw = this.pairwiseDecision(X);
    const k = state.n_classes;
    if (k === 2) {
      for (let i = 0; i < raw.length; i++) raw[i] = -raw[i];
      return raw;
    }
    return ovrDecision(raw, k);
  }

  /** Class indices by one-vs-one vote (ties to the lowest class index, as LIBSVM). */
  predict(X: Matrix): Float64Array {
    const k = this.fitted().n_classes;
    const raw = this.pairwiseDecision(X);
    const nPairs = (k * (k - 1)) / 2;
    const n = raw.length / nPairs;
    const out = new Float64Array(n);
    const votes = new Int32Array(k);
    for (let r = 0; r < n; r++) {
      votes.fill(0);
      for (let i = 0, pair = 0; i < k; i++) {
        for (let j = i + 1; j < k; j++, pair++) votes[raw[r * nPairs + pair] > 0 ? i : j]++;
      }
      let best = 0;
      for (let c = 1; c < k; c++) if (votes[c] > votes[best]) best = c;
      out[r] = best;
    }
    return out;
  }

  /**
   * Linear kernel, two classes: w = Σ_i dual_coef_i x_i (1 × p) and the intercept, so that
   * decisionFunction(x) = xᵀw + b. Other kernels have no coefficients in feature space, and
   * one-vs-one models have k(k−1)/2 hyperplanes rather than one per class: both throw.
   */
  coefficients(): { coef: Float64Array; intercept: Float64Array } {
    const state = this.fitted();
    const kernel = this.params.kernel as KernelName;
    if (kernel !== "linear") {
      throw new InvalidInputError(
        `${this.kind} with kernel "${kernel}" has no coefficients: its decision function is a kernel expansion over the support vectors.`,
        { field: "hyperparameters.kernel" },
      );
    }
    const k = state.n_classes;
    if (k > 2) {
      throw new InvalidInputError(
        `${this.kind} with ${k} classes is one-vs-one (${(k * (k - 1)) / 2} pairwise hyperplanes), so it has no coefficients per class; ` +
          "use LINEAR_SVM or LOGISTIC_REGRESSION for per-class coefficients.",
        { field: "target" },
      );
    }
    const p = state.n_features_in_;
    const coef = new Float64Array(p);
    const sv = state.support_vectors_;
    for (let s = 0; s < state.support_.length; s++) {
      const c = state.dual_coef_[s];
      for (let j = 0; j < p; j++) coef[j] += c * sv[s * p + j];
    }
    return { coef, intercept: Float64Array.from(state.intercept_) };
  }

  fitInfo(): FitInfo {
    const { info } = this.fitted();
    return { ...info, warnings: [...info.warnings] };
  }

  toJSON(): SerializedEstimator {
    const s = this.fitted();
    return {
      kind: this.kind,
      version: SVM_STATE_VERSION,
      params: { ...this.params },
      // Plain numbers: JSON's shortest round-trip formatting restores every double exactly.
      state: {
        n_features_in_: s.n_features_in_,
        n_classes: s.n_classes,
        gamma_: s.gamma_,
        support_: Array.from(s.support_),
        n_support_: Array.from(s.n_support_),
        support_vectors_: Array.from(s.support_vectors_),
        dual_coef_: Array.from(s.dual_coef_),
        intercept_: Array.from(s.intercept_),
        ...(s.probA_ && s.probB_ ? { probA_: Array.from(s.probA_), probB_: Array.from(s.probB_) } : {}),
        info: { ...s.info, warnings: [...s.info.warnings] },
      },
    };
  }

  /**
   * Restore learned state from toJSON output, checking kind, version, params and shape
   * (a serialized model comes from the database and is treated as untrusted input).
   */
  private restore(json: SerializedEstimator): this {
    if (json?.kind !== this.kind) {
      throw new InvalidInputError(`Cannot load a ${String(json?.kind)} model as ${this.kind}.`, { field: "kind" });
    }
    if (json.version !== SVM_STATE_VERSION) {
      throw new InvalidInputError(
        `${this.kind} model state version ${String(json.version)} is not supported (expected ${SVM_STATE_VERSION}); retrain the model.`,
        { field: "version" },
      );
    }
    const params = validateSVMHyperparameters(this.params);
    const s = (json.state ?? {}) as Record<string, unknown>;
    const malformed = (): never => {
      throw new InvalidInputError(
        `${this.kind} model state is malformed: expected support_vectors_, dual_coef_, intercept_, support_, n_support_ of matching shapes.`,
        { field: "state" },
      );
    };
    const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
    const count = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
    const numbers = (v: unknown, length: number, check: (x: unknown) => boolean = finite): number[] =>
      Array.isArray(v) && v.length === length && v.every(check) ? (v as number[]) : malformed();
    const p = s.n_features_in_;
    const k = s.n_classes;
    if (!(count(p) && p >= 1 && count(k) && k >= 2 && finite(s.gamma_) && (s.gamma_ as number) > 0)) return malformed();
    const nSupport = numbers(s.n_support_, k, count);
    const nSV = nSupport.reduce((a, b) => a + b, 0);
    const nPairs = (k * (k - 1)) / 2;
    const hasProba = s.probA_ !== undefined || s.probB_ !== undefined;
    if (hasProba !== (params.probability === true)) return malformed();
    const fitInfo = (s.info ?? {}) as Partial<FitInfo>;
    this.setState({
      n_features_in_: p,
      n_classes: k,
      gamma_: s.gamma_ as number,
      support_: Int32Array.from(numbers(s.support_, nSV, count)),
      n_support_: Int32Array.from(nSupport),
      support_vectors_: Float64Array.from(numbers(s.support_vectors_, nSV * p)),
      dual_coef_: Float64Array.from(numbers(s.dual_coef_, (k - 1) * nSV)),
      intercept_: Float64Array.from(numbers(s.intercept_, nPairs)),
      probA_: hasProba ? Float64Array.from(numbers(s.probA_, nPairs)) : undefined,
      probB_: hasProba ? Float64Array.from(numbers(s.probB_, nPairs)) : undefined,
      info: {
        ...fitInfo,
        converged: fitInfo.converged === true,
        warnings: Array.isArray(fitInfo.warnings) ? fitInfo.warnings.map(String) : [],
      },
    });
    return this;
  }

  private setState(state: SVMState): void {
    this.state = state;
    this.predictProba = state.probA_ ? (X: Matrix) => this.probabilities(X) : undefined;
  }

  private fitted(): SVMState {
    if (!this.state) throw new NotFittedError(this.kind);
    return this.state;
  }

  private kernelSpec(state: SVMState): KernelSpec {
    return {
      kernel: this.params.kernel as KernelName,
      gamma: state.gamma_,
      degree: this.params.degree as number,
      coef0: this.params.coef0 as number,
    };
  }

  /**
   * f_ij(x) for every pair, LIBSVM's sign (positive for the lower class i): n × k(k−1)/2
   * row-major (n for two classes).
   */
  private pairwiseDecision(X: Matrix): Float64Array {
    const state = this.fitted();
    const p = state.n_features_in_;
    checkPredictFeatures(X, p, this.kind);
    const k = state.n_classes;
    const nSV = state.support_.length;
    const nPairs = (k * (k - 1)) / 2;
    const start = new Int32Array(k + 1);
    for (let c = 0; c < k; c++) start[c + 1] = start[c] + state.n_support_[c];
    const S = matrix(nSV, p, state.support_vectors_);
    const spec = this.kernelSpec(state);
    const coef = state.dual_coef_;
    // Two classes are stored with sklearn's sign (positive for class 1): flip back to LIBSVM's.
    const sign = k === 2 ? -1 : 1;
    const kv = new Float64Array(nSV);
    const out = new Float64Array(X.rows * nPairs);
    for (let r = 0; r < X.rows; r++) {
      kernelAgainst(spec, S, X, r, kv);
      for (let i = 0, pair = 0; i < k; i++) {
        for (let j = i + 1; j < k; j++, pair++) {
          let sum = 0;
          for (let s = start[i]; s < start[i + 1]; s++) sum += coef[(j - 1) * nSV + s] * kv[s];
          for (let s = start[j]; s < start[j + 1]; s++) sum += coef[i * nSV + s] * kv[s];
          out[r * nPairs + pair] = sign * (sum + state.intercept_[pair]);
        }
      }
    }
    return out;
  }

  private probabilities(X: Matrix): Float64Array {
    const state = this.fitted();
    const k = state.n_classes;
    const probA = state.probA_!;
    const probB = state.probB_!;
    const raw = this.pairwiseDecision(X);
    const nPairs = (k * (k - 1)) / 2;
    const n = X.rows;
    const out = new Float64Array(n * k);
    const r = new Float64Array(k * k);
    const prob = new Float64Array(k);
    const Q = new Float64Array(k * k);
    const Qp = new Float64Array(k);
    for (let row = 0; row < n; row++) {
      for (let i = 0, pair = 0; i < k; i++) {
        for (let j = i + 1; j < k; j++, pair++) {
          const pij = sigmoidPredict(raw[row * nPairs + pair], { A: probA[pair], B: probB[pair] });
          r[i * k + j] = Math.min(Math.max(pij, MIN_PROB), 1 - MIN_PROB);
          r[j * k + i] = 1 - r[i * k + j];
        }
      }
      if (k === 2) {
        out[2 * row] = r[1];
        out[2 * row + 1] = r[2];
        continue;
      }
      multiclassProbability(k, r, prob, Q, Qp);
      let sum = 0;
      for (let c = 0; c < k; c++) sum += prob[c];
      // The coupling keeps Σ p = 1 up to rounding; divide it out so that rows sum to 1.
      for (let c = 0; c < k; c++) out[row * k + c] = prob[c] / sum;
    }
    return out;
  }
}

/**
 * scikit-learn's `_ovr_decision_function(dec < 0, −dec, k)`: per class, its one-vs-one votes
 * plus s / (3(|s| + 1)), s the sum of the pairwise decision values in its favour.
 *
 * @param raw n × k(k−1)/2, LIBSVM's sign (positive for the lower class of the pair)
 */
function ovrDecision(raw: Float64Array, k: number): Float64Array {
  const nPairs = (k * (k - 1)) / 2;
  const n = raw.length / nPairs;
  const out = new Float64Array(n * k);
  const sums = new Float64Array(k);
  for (let r = 0; r < n; r++) {
    sums.fill(0);
    const o = r * k;
    for (let i = 0, pair = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++, pair++) {
        const d = raw[r * nPairs + pair];
        sums[i] += d;
        sums[j] -= d;
        // sklearn's prediction "dec < 0" picks j; dec ≥ 0 (including 0) picks i.
        out[o + (d < 0 ? j : i)] += 1;
      }
    }
    for (let c = 0; c < k; c++) out[o + c] += sums[c] / (3 * (Math.abs(sums[c]) + 1));
  }
  return out;
}

/**
 * LIBSVM's svm_binary_svc_probability: decision values of each row from a model fitted on
 * the other folds (5 folds of a seeded shuffle), then Platt's sigmoid on them. A training
 * fold with one class only gives its held-out rows ±1, as LIBSVM.
 */
function plattCrossValidation(
  problem: PairProblem,
  spec: KernelSpec,
  solve: (problem: PairProblem) => SMOResult,
  random: Random,
): { sigmoid: Sigmoid; unconverged: number } {
  const { X, y, C } = problem;
  const l = X.rows;
  const p = X.cols;
  const perm = new Int32Array(l);
  for (let i = 0; i < l; i++) perm[i] = i;
  for (let i = 0; i < l; i++) {
    const j = random.int(i, l - 1);
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  const decision = new Float64Array(l);
  let unconverged = 0;
  for (let fold = 0; fold < CV_FOLDS; fold++) {
    const begin = Math.floor((fold * l) / CV_FOLDS);
    const end = Math.floor(((fold + 1) * l) / CV_FOLDS);
    const train = [...perm.subarray(0, begin), ...perm.subarray(end)];
    let positives = 0;
    for (const r of train) if (y[r] > 0) positives++;
    if (positives === 0 || positives === train.length) {
      const value = train.length === 0 ? 0 : positives > 0 ? 1 : -1;
      for (let q = begin; q < end; q++) decision[perm[q]] = value;
      continue;
    }
    const sub: PairProblem = {
      X: takeRows(X, train),
      y: Float64Array.from(train, (r) => y[r]),
      C: Float64Array.from(train, (r) => C[r]),
    };
    const result = solve(sub);
    if (!result.converged) unconverged++;
    for (let q = begin; q < end; q++) {
      const row = perm[q];
      let sum = -result.rho;
      for (let t = 0; t < train.length; t++) {
        const a = result.alpha[t];
        if (a > 0) sum += a * sub.y[t] * kernelValue(spec, p, sub.X.data, t * p, X.data, row * p);
      }
      decision[row] = sum;
    }
  }
  return { sigmoid: sigmoidTrain(decision, Uint8Array.from(y, (v) => (v > 0 ? 1 : 0))), unconverged };
}

