/**
 * Kernel SVM (SVC) against scikit-learn 1.2 (test/fixtures/gen_svm.py →
 * test/fixtures/estimators/svm.json; every case at tol 1e-7).
 *
 * The dual objective is recomputed here from our serialized state (support vectors, dual
 * coefficients, the gamma used) with kernels written out in this file, and must be within
 * 1e-4 relative of sklearn's (computed the same way in the generator). Labels agree on
 * ≥ 99.9% of rows; decision values within 1e-3 of sklearn's scale; support vectors are the
 * same rows (up to 1% borderline ones). Probabilities (Platt, internal CV folds ≠ sklearn's)
 * are checked for calibration sanity and loose closeness, not equality.
 */
import { describe, expect, it } from "vitest";
import fixtures from "../../fixtures/estimators/svm.json" with { type: "json" };
import { fromRows, matrix, type Matrix } from "../../../src/core/matrix.ts";
import {
  createEstimator,
  estimatorFromJSON,
  FitCancelledError,
  SVM,
  validateHyperparameters,
  type Classifier,
} from "../../../src/core/estimators/index.ts";
import { expectRelClose, maxAbs } from "../helpers/close.ts";
import { MAX_CACHE_SIZE_MB } from "../../../src/core/estimators/svm.ts";

interface Case {
  name: string;
  dataset: string;
  params: Record<string, unknown>;
  nClasses: number;
  sklearn: {
    dual_coef: number[];
    intercept: number[];
    support: number[];
    n_support: number[];
    gamma: number;
    decision: number[];
    decision_ovo: number[];
    predictions: number[];
    objective: number;
    n_iter: number[];
    proba?: number[];
  };
}

/** The serialized state (toJSON().state) of an SVM. */
interface State {
  n_features_in_: number;
  n_classes: number;
  gamma_: number;
  support_: number[];
  n_support_: number[];
  support_vectors_: number[];
  dual_coef_: number[];
  intercept_: number[];
  probA_?: number[];
  probB_?: number[];
}

const datasets = fixtures.datasets as Record<string, { X: number[][]; y: number[] }>;
const cases = fixtures.cases as Case[];
const field = (name: string) => expect.objectContaining({ code: "BAD_USER_INPUT", details: expect.objectContaining({ field: name }) });

/** K(a, b) as the estimator documents it (sklearn's pairwise kernels). */
function kernel(params: Record<string, unknown>, gamma: number, a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let dist = 0;
  for (let j = 0; j < a.length; j++) {
    dot += a[j] * b[j];
    dist += (a[j] - b[j]) ** 2;
  }
  const coef0 = (params.coef0 as number | undefined) ?? 0;
  switch ((params.kernel as string | undefined) ?? "rbf") {
    case "linear":
      return dot;
    case "poly":
      return (gamma * dot + coef0) ** ((params.degree as number | undefined) ?? 3);
    case "sigmoid":
      return Math.tanh(gamma * dot + coef0);
    default:
      return Math.exp(-gamma * dist);
  }
}

/**
 * Σ over the one-vs-one problems of ½ cᵀKc − Σ|c|, c the pair's α_i ỹ_i read from dual_coef_
 * in LIBSVM's layout (class i's coefficients of pair (i, j) in row j−1, class j's in row i).
 */
function dualObjective(params: Record<string, unknown>, state: State): number {
  const { n_classes: k, n_features_in_: p, gamma_: gamma, n_support_: nSupport, dual_coef_: coef } = state;
  const nSV = state.support_.length;
  const sv = (s: number) => state.support_vectors_.slice(s * p, (s + 1) * p);
  const start = [0];
  for (const c of nSupport) start.push(start[start.length - 1] + c);
  let total = 0;
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      const terms: [number, number][] = [];
      for (let s = start[i]; s < start[i + 1]; s++) terms.push([s, coef[(j - 1) * nSV + s]]);
      for (let s = start[j]; s < start[j + 1]; s++) terms.push([s, coef[i * nSV + s]]);
      for (const [s, cs] of terms) {
        total -= Math.abs(cs);
        for (const [t, ct] of terms) total += 0.5 * cs * ct * kernel(params, gamma, sv(s), sv(t));
      }
    }
  }
  return total;
}

function agreement(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

describe.each(cases)("$name", (c) => {
  const d = datasets[c.dataset];
  const X = fromRows(d.X);
  const y = Float64Array.from(d.y);
  const k = c.nClasses;
  const model = createEstimator("SVM", c.params).fit(X, y, { nClasses: k }) as Classifier;
  const state = model.toJSON().state as unknown as State;

  it("uses scikit-learn's gamma", () => {
    expectRelClose(state.gamma_, c.sklearn.gamma, 1e-12, 0, "gamma");
  });

  it("dual objective (recomputed from the state) within 1e-4 relative of scikit-learn's; fitInfo reports it", () => {
    const ours = dualObjective(c.params, state);
    expectRelClose(ours, c.sklearn.objective, 1e-4, 0, "dual objective");
    expectRelClose(model.fitInfo().objective!, ours, 1e-9, 0, "fitInfo.objective");
  });

  it("predicts the same labels as scikit-learn on ≥ 99.9% of rows", () => {
    expect(agreement(model.predict(X), c.sklearn.predictions)).toBeGreaterThanOrEqual(0.999);
  });

  it("decision function matches scikit-learn's to 1e-3 of its scale (n, or n × k one-vs-rest)", () => {
    const decision = model.decisionFunction(X);
    expect(decision.length).toBe(X.rows * (k === 2 ? 1 : k));
    expectRelClose(decision, c.sklearn.decision, 1e-3, 1e-3 * maxAbs(c.sklearn.decision), "decision");
  });

  it("has the same support vectors (up to 1% borderline ones), dual coefficients and intercepts", () => {
    const ours = new Set(state.support_);
    const theirs = new Set(c.sklearn.support);
    const differ = [...ours].filter((s) => !theirs.has(s)).length + [...theirs].filter((s) => !ours.has(s)).length;
    expect(differ).toBeLessThanOrEqual(Math.floor(0.01 * theirs.size));
    expect(model.fitInfo().nSupportVectors).toBe(state.support_.length);
    if (differ === 0) {
      expect(state.support_).toEqual(c.sklearn.support);
      expect(state.n_support_).toEqual(c.sklearn.n_support);
      const C = (c.params.C as number | undefined) ?? 1;
      expectRelClose(state.dual_coef_, c.sklearn.dual_coef, 0, 1e-3 * C, "dual_coef");
    }
    expectRelClose(state.intercept_, c.sklearn.intercept, 1e-3, 1e-3, "intercept");
  });

  it("converges without warnings, and round-trips through toJSON", () => {
    const info = model.fitInfo();
    expect(info.converged).toBe(true);
    expect(info.warnings).toEqual([]);
    expect(info.nIter).toBeGreaterThan(0);
    const restored = estimatorFromJSON(JSON.parse(JSON.stringify(model.toJSON()))) as Classifier;
    expect(restored.params).toEqual(model.params);
    expect(restored.fitInfo()).toEqual(model.fitInfo());
    expect(Array.from(restored.decisionFunction(X))).toEqual(Array.from(model.decisionFunction(X)));
    expect(Array.from(restored.predict(X))).toEqual(Array.from(model.predict(X)));
    if (model.predictProba) expect(Array.from(restored.predictProba!(X))).toEqual(Array.from(model.predictProba(X)));
    else expect(restored.predictProba).toBeUndefined();
  });

  if (k > 2) {
    it("predict is the one-vs-one vote: the argmax of the one-vs-rest decision wherever the vote has one winner", () => {
      const decision = model.decisionFunction(X);
      const labels = model.predict(X);
      for (let i = 0; i < X.rows; i++) {
        const row = Array.from(decision.subarray(i * k, (i + 1) * k));
        const votes = row.map(Math.round);
        const top = Math.max(...votes);
        if (votes.filter((v) => v === top).length === 1) expect(labels[i]).toBe(votes.indexOf(top));
      }
    });
  }

  if (c.params.kernel === "linear" && k === 2) {
    it("coefficients are w = Σ dual_coef_i x_i and the intercept: X·w + b is the decision function", () => {
      const { coef, intercept } = model.coefficients();
      expect(coef.length).toBe(X.cols);
      const decision = model.decisionFunction(X);
      for (let i = 0; i < X.rows; i++) {
        let z = intercept[0];
        for (let j = 0; j < X.cols; j++) z += X.data[i * X.cols + j] * coef[j];
        expectRelClose(z, decision[i], 1e-10, 1e-10, `decision[${i}]`);
      }
      // scikit-learn's coef_ = dual_coef_ @ support_vectors_.
      const skCoef = new Float64Array(X.cols);
      c.sklearn.support.forEach((row, s) => {
        for (let j = 0; j < X.cols; j++) skCoef[j] += c.sklearn.dual_coef[s] * d.X[row][j];
      });
      expectRelClose(coef, skCoef, 1e-3, 1e-3 * maxAbs(skCoef), "coef");
    });
  } else {
    it("has no coefficients (kernel expansion, or one-vs-one pairs): InvalidInputError", () => {
      expect(() => model.coefficients()).toThrow(expect.objectContaining({ code: "BAD_USER_INPUT" }));
    });
  }

  if (c.params.probability) {
    it("probabilities: rows sum to 1, log-loss well below a constant predictor's, close to scikit-learn's", () => {
      const proba = model.predictProba!(X);
      expect(proba.length).toBe(X.rows * k);
      const prior = new Float64Array(k);
      for (const v of y) prior[v] += 1 / y.length;
      let logLoss = 0;
      let constant = 0;
      let meanAbs = 0;
      for (let i = 0; i < X.rows; i++) {
        let sum = 0;
        for (let r = 0; r < k; r++) sum += proba[i * k + r];
        expectRelClose(sum, 1, 1e-12, 0, `row ${i} sum`);
        logLoss -= Math.log(proba[i * k + y[i]]) / X.rows;
        constant -= Math.log(prior[y[i]]) / X.rows;
      }
      for (let t = 0; t < proba.length; t++) meanAbs += Math.abs(proba[t] - c.sklearn.proba![t]) / proba.length;
      expect(logLoss).toBeLessThan(0.7 * constant);
      expect(meanAbs).toBeLessThan(0.03);
      expectRelClose(proba, c.sklearn.proba!, 0, 0.15, "proba");
    });

    if (k === 2) {
      it("P(class 1) is non-decreasing in the decision value", () => {
        const decision = model.decisionFunction(X);
        const proba = model.predictProba!(X);
        const order = Array.from(decision.keys()).sort((a, b) => decision[a] - decision[b]);
        for (let t = 1; t < order.length; t++) {
          expect(proba[2 * order[t] + 1]).toBeGreaterThanOrEqual(proba[2 * order[t - 1] + 1]);
        }
      });
    }
  } else {
    it("has no probabilities", () => {
      expect(model.predictProba).toBeUndefined();
    });
  }
});

describe("SVM hyperparameters and contract", () => {
  const binary = datasets.binary;
  const X = fromRows(binary.X);
  const y = Float64Array.from(binary.y);
  const three = datasets.three_class;
  const X3 = fromRows(three.X);
  const y3 = Float64Array.from(three.y);

  it.each([
    [{ kernel: "linear", gamma: 0.1 }, "gamma"],
    [{ kernel: "linear", gamma: "auto" }, "gamma"],
    [{ kernel: "linear", degree: 2 }, "degree"],
    [{ degree: 2 }, "degree"],
    [{ kernel: "sigmoid", degree: 4 }, "degree"],
    [{ coef0: 1 }, "coef0"],
    [{ kernel: "linear", coef0: -1 }, "coef0"],
  ])("refuses %o, naming hyperparameters.%s and the kernels that use it", (params, name) => {
    const users = name === "gamma" ? /"rbf", "poly", "sigmoid"/ : name === "degree" ? /"poly"/ : /"poly", "sigmoid"/;
    for (const check of [() => createEstimator("SVM", params).fit(X, y), () => validateHyperparameters("SVM", params)]) {
      expect(check).toThrow(field(`hyperparameters.${name}`));
      expect(check).toThrow(users);
    }
  });

  it("accepts kernel parameters with the kernels that use them, and defaults given explicitly with any kernel", () => {
    const ok: Record<string, unknown>[] = [
      { kernel: "poly", gamma: 0.2, degree: 2, coef0: 1 },
      { kernel: "sigmoid", gamma: "auto", coef0: -1 },
      { kernel: "rbf", gamma: 0.5 },
      { kernel: "linear", gamma: "scale", degree: 3, coef0: 0 },
    ];
    for (const params of ok) {
      expect(validateHyperparameters("SVM", params)).toMatchObject(params);
      expect(() => createEstimator("SVM", params).fit(X, y)).not.toThrow();
    }
  });

  it("bounds cache_size at MAX_CACHE_SIZE_MB (issue 22: 100000 took 3 GB of a shared server): at the limit accepted, above it refused saying what to do", () => {
    expect(MAX_CACHE_SIZE_MB).toBe(1024);
    expect(validateHyperparameters("SVM", { cache_size: MAX_CACHE_SIZE_MB })).toMatchObject({ cache_size: 1024 });
    for (const cache_size of [1024.5, 100_000, 1e308]) {
      for (const check of [() => createEstimator("SVM", { cache_size }).fit(X, y), () => validateHyperparameters("SVM", { cache_size })]) {
        expect(check, String(cache_size)).toThrow(field("hyperparameters.cache_size"));
        expect(check, String(cache_size)).toThrow(/at most 1024 \(MB\).*default \(200\)/);
      }
    }
  });

  it("refuses malformed gamma values, naming gamma", () => {
    for (const gamma of ["scal", "", 0, -1, NaN, Infinity, null, true, [1], {}]) {
      expect(() => createEstimator("SVM", { gamma }).fit(X, y), String(gamma)).toThrow(field("hyperparameters.gamma"));
      expect(() => validateHyperparameters("SVM", { gamma }), String(gamma)).toThrow(field("hyperparameters.gamma"));
    }
  });

  it("computes gamma 'scale' = 1/(p·Var(X)) over all entries and 'auto' = 1/p; constant X gives 1", () => {
    const gammaOf = (params: Record<string, unknown>, data: Matrix, target: Float64Array) =>
      (createEstimator("SVM", params).fit(data, target).toJSON().state as unknown as State).gamma_;
    let mean = 0;
    for (const v of X.data) mean += v / X.data.length;
    let variance = 0;
    for (const v of X.data) variance += (v - mean) ** 2 / X.data.length;
    expectRelClose(gammaOf({}, X, y), 1 / (X.cols * variance), 1e-12, 0, "scale");
    expectRelClose(gammaOf({ gamma: "auto" }, X, y), 1 / X.cols, 1e-15, 0, "auto");
    expect(gammaOf({ gamma: 0.25 }, X, y)).toBe(0.25);
    const constant = matrix(4, 2, new Float64Array(8).fill(3));
    expect(gammaOf({}, constant, Float64Array.of(0, 1, 0, 1))).toBe(1);
  });

  it("refuses max_iter 0; stopping at max_iter warns and reports non-convergence", () => {
    expect(() => createEstimator("SVM", { max_iter: 0 }).fit(X, y)).toThrow(field("hyperparameters.max_iter"));
    const info = createEstimator("SVM", { max_iter: 5 }).fit(X, y).fitInfo();
    expect(info.converged).toBe(false);
    expect(info.nIter).toBe(5);
    expect(info.warnings.join(" ")).toMatch(/max_iter/);
  });

  it("a kernel cache far smaller than n² rows, and no shrinking, converge to the same optimum", () => {
    const params = { kernel: "rbf", C: 10, gamma: "auto", tol: 1e-7 };
    const reference = createEstimator("SVM", params).fit(X, y) as Classifier;
    // 0.005 MB holds 2 of the 300 rows of length 300 (the minimum: the working pair).
    for (const variant of [{ cache_size: 0.005 }, { cache_size: 0.05 }, { shrinking: false }, { shrinking: false, cache_size: 0.005 }]) {
      const model = createEstimator("SVM", { ...params, ...variant }).fit(X, y) as Classifier;
      expectRelClose(model.fitInfo().objective!, reference.fitInfo().objective!, 1e-9, 0, `objective ${JSON.stringify(variant)}`);
      const a = reference.decisionFunction(X);
      expectRelClose(model.decisionFunction(X), a, 0, 1e-5 * maxAbs(a), `decision ${JSON.stringify(variant)}`);
    }
  });

  it("class weights scale each class's bound: unit weights give the unweighted model exactly; weight 0 is refused", () => {
    const plain = createEstimator("SVM").fit(X, y).toJSON().state;
    const unit = createEstimator("SVM", { class_weight: { "0": 1, "1": 1 } }).fit(X, y).toJSON().state;
    expect(unit).toEqual(plain);
    expect(() => createEstimator("SVM", { class_weight: { "1": 0 } }).fit(X, y)).toThrow(field("hyperparameters.class_weight"));
    expect(() => createEstimator("SVM", { class_weight: { "3": 1 } }).fit(X, y)).toThrow(field("hyperparameters.class_weight"));
    // At request time class_weight names classes by label (the service maps them to indices).
    expect(validateHyperparameters("SVM", { class_weight: { yes: 2 } }).class_weight).toEqual({ yes: 2 });
  });

  it("same random_state gives identical probabilities; Platt's A, B are stored per pair", () => {
    const a = createEstimator("SVM", { probability: true, random_state: 7 }).fit(X3, y3, { nClasses: 3 }) as Classifier;
    const b = createEstimator("SVM", { probability: true, random_state: 7 }).fit(X3, y3, { nClasses: 3 }) as Classifier;
    expect(Array.from(b.predictProba!(X3))).toEqual(Array.from(a.predictProba!(X3)));
    const state = a.toJSON().state as unknown as State;
    expect(state.probA_!.length).toBe(3);
    expect(state.probB_!.length).toBe(3);
    // Probabilities do not change the decision function or the vote.
    const plain = createEstimator("SVM").fit(X3, y3, { nClasses: 3 }) as Classifier;
    expect(Array.from(a.decisionFunction(X3))).toEqual(Array.from(plain.decisionFunction(X3)));
  });

  it("reports consecutive progress over every pair and probability fold, and cancels", () => {
    const seen: number[] = [];
    createEstimator("SVM", { probability: true }).fit(X3, y3, { nClasses: 3, onProgress: (p) => seen.push(p.iteration) });
    expect(seen.length).toBeGreaterThan(100);
    expect(seen).toEqual(seen.map((_, i) => i + 1));
    let calls = 0;
    const model = createEstimator("SVM");
    expect(() => model.fit(X3, y3, { nClasses: 3, isCancelled: () => ++calls >= 50 })).toThrow(FitCancelledError);
    expect(() => model.toJSON()).toThrow(/not fitted/);
  });

  it("refuses a serialized state of the wrong shape, or probabilities that do not match the params", () => {
    const json = createEstimator("SVM", { probability: true }).fit(X, y).toJSON();
    const state = json.state as unknown as State;
    expect(() => SVM.fromJSON({ ...json, state: { ...json.state, dual_coef_: state.dual_coef_.slice(1) } })).toThrow(field("state"));
    expect(() => SVM.fromJSON({ ...json, state: { ...json.state, probA_: undefined, probB_: undefined } })).toThrow(field("state"));
    expect(() => SVM.fromJSON({ ...json, state: { ...json.state, gamma_: -1 } })).toThrow(field("state"));
    expect(() => SVM.fromJSON({ ...json, kind: "LINEAR_SVM" })).toThrow(field("kind"));
  });
});
