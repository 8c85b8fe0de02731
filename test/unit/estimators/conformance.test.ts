/**
 * One conformance suite over EVERY registered algorithm (scikit-learn's estimator_checks):
 * it iterates over ALGORITHMS and derives its invalid hyperparameters from each declared
 * table, so a new estimator in the registry is checked without being listed here.
 */
import { describe, expect, it } from "vitest";
import { InvalidInputError, NotFittedError } from "../../../src/core/errors.ts";
import { matrix, type Matrix } from "../../../src/core/matrix.ts";
import { createRandom } from "../../../src/core/random.ts";
import {
  ALGORITHMS,
  createEstimator,
  defaultHyperparameters,
  estimatorFromJSON,
  FitCancelledError,
  hyperparameterSpec,
  taskOf,
  validateHyperparameters,
  type Classifier,
  type HyperparameterSpec,
  type Task,
} from "../../../src/core/estimators/index.ts";

function data(task: Task, seed = 3): { X: Matrix; y: Float64Array } {
  const random = createRandom(seed);
  const n = 120;
  const p = 4;
  const X = matrix(n, p);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) X.data[i * p + j] = random.float() * 4 - 2;
    const s = X.data[i * p] - 0.5 * X.data[i * p + 1] + 0.5 * (random.float() - 0.5);
    y[i] = task === "regression" ? s : s > 0 ? 1 : 0;
  }
  return { X, y };
}

/** Values each spec must refuse: wrong type, NaN / ±Infinity, non-integers, outside the interval. */
function invalidValues(spec: HyperparameterSpec): unknown[] {
  switch (spec.type) {
    case "bool":
      return ["true", 1, null];
    case "enum":
      return ["not-a-choice", 1, null];
    case "float":
    case "int": {
      const { low, high, closed } = spec.interval;
      const out: unknown[] = ["1", NaN, Infinity, -Infinity, true];
      if (spec.type === "int") out.push((low ?? 0) + 1.5);
      if (low !== null) out.push(closed === "both" || closed === "left" ? low - 1 : low);
      if (high !== null) out.push(closed === "both" || closed === "right" ? high + 1 : high);
      return out;
    }
  }
}

const fieldError = (field: string) => expect.objectContaining({ code: "BAD_USER_INPUT", details: expect.objectContaining({ field }) });

describe.each(ALGORITHMS)("%s conformance", (algorithm) => {
  const task = taskOf(algorithm);
  const { X, y } = data(task);
  const spec = hyperparameterSpec(algorithm);

  it("constructor only stores params over the defaults; fit returns this", () => {
    const estimator = createEstimator(algorithm);
    expect(estimator.params).toEqual(defaultHyperparameters(spec));
    expect(() => estimator.fitInfo()).toThrow(NotFittedError);
    expect(estimator.fit(X, y)).toBe(estimator);
    expect(estimator.task).toBe(task);
  });

  it("predict (and every other learned-state accessor) before fit throws NotFittedError", () => {
    const estimator = createEstimator(algorithm);
    expect(() => estimator.predict(X)).toThrow(NotFittedError);
    expect(() => estimator.coefficients()).toThrow(NotFittedError);
    expect(() => estimator.toJSON()).toThrow(NotFittedError);
    if (task === "classification") expect(() => (estimator as Classifier).decisionFunction(X)).toThrow(NotFittedError);
  });

  it("predicts one finite value per row; classifiers predict class indices", () => {
    const out = createEstimator(algorithm).fit(X, y).predict(X);
    expect(out.length).toBe(X.rows);
    expect(out.every(Number.isFinite)).toBe(true);
    if (task === "classification") expect(out.every((v) => v === 0 || v === 1)).toBe(true);
  });

  it("toJSON → JSON text → estimatorFromJSON predicts identically", () => {
    const estimator = createEstimator(algorithm).fit(X, y);
    const restored = estimatorFromJSON(JSON.parse(JSON.stringify(estimator.toJSON())));
    expect(restored.kind).toBe(estimator.kind);
    expect(restored.params).toEqual(estimator.params);
    expect(restored.fitInfo()).toEqual(estimator.fitInfo());
    expect(Array.from(restored.predict(X))).toEqual(Array.from(estimator.predict(X)));
    if (task === "classification") {
      const a = estimator as Classifier;
      const b = restored as Classifier;
      expect(Array.from(b.decisionFunction(X))).toEqual(Array.from(a.decisionFunction(X)));
      if (a.predictProba) expect(Array.from(b.predictProba!(X))).toEqual(Array.from(a.predictProba(X)));
    }
  });

  it("params round-trip through the constructor, toJSON and validateHyperparameters", () => {
    const params = { ...defaultHyperparameters(spec) };
    const estimator = createEstimator(algorithm, params).fit(X, y);
    expect(estimator.params).toEqual(params);
    expect(estimator.toJSON().params).toEqual(params);
    expect(validateHyperparameters(algorithm, params)).toEqual(params);
    expect(validateHyperparameters(algorithm, {})).toEqual(params);
  });

  it("same data and params give an identical model", () => {
    const a = createEstimator(algorithm).fit(X, y).toJSON();
    const b = createEstimator(algorithm).fit(X, y).toJSON();
    expect(b).toEqual(a);
  });

  it("refuses serialized forms of another kind, version or shape", () => {
    const json = createEstimator(algorithm).fit(X, y).toJSON();
    expect(() => estimatorFromJSON({ ...json, version: 999 })).toThrow(fieldError("version"));
    expect(() => estimatorFromJSON({ ...json, kind: "NoSuchModel" })).toThrow(fieldError("kind"));
    expect(() => estimatorFromJSON({ ...json, state: { coef_: ["x"], intercept_: 0 } })).toThrow(fieldError("state"));
  });

  it("refuses an unknown hyperparameter, naming it", () => {
    expect(() => createEstimator(algorithm, { nope: 1 }).fit(X, y)).toThrow(fieldError("hyperparameters.nope"));
    expect(() => validateHyperparameters(algorithm, { nope: 1 })).toThrow(fieldError("hyperparameters.nope"));
  });

  describe.each(Object.entries(spec))("hyperparameter %s", (name, s) => {
    it.each(invalidValues(s).map((v) => [v]))("refuses %s in fit and in validateHyperparameters", (value) => {
      const field = `hyperparameters.${name}`;
      expect(() => createEstimator(algorithm, { [name]: value }).fit(X, y)).toThrow(fieldError(field));
      expect(() => validateHyperparameters(algorithm, { [name]: value })).toThrow(InvalidInputError);
    });

    it("declares a default that it accepts, and a description", () => {
      expect(validateHyperparameters(algorithm, { [name]: s.default })[name]).toBe(s.default);
      expect(s.description.length).toBeGreaterThan(10);
    });
  });

  it("refuses NaN and ±Infinity in X (naming row and column) and in y", () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const Xbad = matrix(X.rows, X.cols, Float64Array.from(X.data));
      Xbad.data[5 * X.cols + 2] = bad;
      expect(() => createEstimator(algorithm).fit(Xbad, y)).toThrow(
        expect.objectContaining({ details: { field: "features", row: 5, column: 2 } }),
      );
      const yBad = Float64Array.from(y);
      yBad[7] = bad;
      expect(() => createEstimator(algorithm).fit(X, yBad)).toThrow(fieldError("target"));
    }
    const fitted = createEstimator(algorithm).fit(X, y);
    const Xbad = matrix(2, X.cols);
    Xbad.data[1] = NaN;
    expect(() => fitted.predict(Xbad)).toThrow(expect.objectContaining({ details: { field: "features", row: 0, column: 1 } }));
  });

  it("refuses mismatched shapes: y length, feature count at predict, empty X", () => {
    expect(() => createEstimator(algorithm).fit(X, y.subarray(1))).toThrow(fieldError("target"));
    const fitted = createEstimator(algorithm).fit(X, y);
    expect(() => fitted.predict(matrix(3, X.cols + 1))).toThrow(fieldError("features"));
    expect(() => createEstimator(algorithm).fit(matrix(0, X.cols), new Float64Array(0))).toThrow(fieldError("features"));
  });

  it("keeps the previous model when a refit fails", () => {
    const estimator = createEstimator(algorithm).fit(X, y);
    const before = estimator.toJSON();
    const Xbad = matrix(X.rows, X.cols, Float64Array.from(X.data));
    Xbad.data[0] = NaN;
    expect(() => estimator.fit(Xbad, y)).toThrow(InvalidInputError);
    expect(estimator.toJSON()).toEqual(before);
  });

  if (task === "classification") {
    it("refuses a target with one class, non-index labels and more than two classes", () => {
      expect(() => createEstimator(algorithm).fit(X, new Float64Array(X.rows))).toThrow(fieldError("target"));
      expect(() => createEstimator(algorithm).fit(X, new Float64Array(X.rows).fill(1))).toThrow(/at least two classes/);
      const y2 = Float64Array.from(y);
      y2[0] = 2;
      expect(() => createEstimator(algorithm).fit(X, y2)).toThrow(fieldError("target"));
      expect(() => createEstimator(algorithm).fit(X, y, { nClasses: 3 })).toThrow(fieldError("target"));
    });

    it("reports progress between iterations and stops with FitCancelledError when cancelled", () => {
      const seen: number[] = [];
      createEstimator(algorithm).fit(X, y, { onProgress: (p) => seen.push(p.iteration) });
      expect(seen.length).toBeGreaterThan(0);
      expect(seen).toEqual(seen.map((_, i) => i + 1));

      const estimator = createEstimator(algorithm);
      let calls = 0;
      const fit = () => estimator.fit(X, y, { isCancelled: () => ++calls >= 2 });
      expect(fit).toThrow(FitCancelledError);
      expect(fit).toThrow(expect.objectContaining({ code: "CANCELLED" }));
      expect(() => estimator.predict(X)).toThrow(NotFittedError);
    });
  }
});

describe("registry", () => {
  it("refuses an unknown algorithm and a non-object hyperparameter set", () => {
    expect(() => createEstimator("NOPE" as never)).toThrow(fieldError("algorithm"));
    expect(() => validateHyperparameters("RIDGE", [1])).toThrow(fieldError("hyperparameters"));
    expect(() => validateHyperparameters("RIDGE", null)).toThrow(fieldError("hyperparameters"));
  });

  it("keeps a default when a hyperparameter is given as undefined", () => {
    expect(validateHyperparameters("RIDGE", { alpha: undefined }).alpha).toBe(1);
  });
});
