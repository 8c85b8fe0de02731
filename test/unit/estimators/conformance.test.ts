/**
 * One conformance suite over every registered algorithm (scikit-learn's estimator_checks):
 * a new estimator in the registry runs it without being listed here.
 */
import { describe, expect, it } from "vitest";
import { fromRows, matrix } from "../../../src/core/matrix.ts";
import { ALGORITHMS, createEstimator, estimatorFromJSON, taskOf } from "../../../src/core/estimators/index.ts";
import { InvalidInputError, NotFittedError } from "../../../src/core/errors.ts";
import { createRandom } from "../../../src/core/random.ts";

function data(task: "regression" | "classification") {
  const random = createRandom(3);
  const n = 80;
  const X = matrix(n, 3);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 3; j++) X.data[i * 3 + j] = random.float() * 4 - 2;
    const s = X.data[i * 3] - 0.5 * X.data[i * 3 + 1] + 0.3 * (random.float() - 0.5);
    y[i] = task === "regression" ? s : s > 0 ? 1 : 0;
  }
  return { X, y };
}

describe.each(ALGORITHMS)("%s conformance", (algorithm) => {
  const task = taskOf(algorithm);
  const { X, y } = data(task);

  it("fit returns this and predict gives one finite value per row", () => {
    const estimator = createEstimator(algorithm);
    expect(estimator.fit(X, y)).toBe(estimator);
    const out = estimator.predict(X);
    expect(out.length).toBe(X.rows);
    expect(out.every(Number.isFinite)).toBe(true);
  });

  it("predict before fit throws NotFittedError", () => {
    expect(() => createEstimator(algorithm).predict(X)).toThrow(NotFittedError);
  });

  it("round-trips through JSON text and predicts identically", () => {
    const estimator = createEstimator(algorithm).fit(X, y);
    const restored = estimatorFromJSON(JSON.parse(JSON.stringify(estimator.toJSON())));
    expect(restored.kind).toBe(estimator.kind);
    expect(restored.params).toEqual(estimator.params);
    expect(Array.from(restored.predict(X))).toEqual(Array.from(estimator.predict(X)));
  });

  it("refuses a serialized form of another version", () => {
    const json = createEstimator(algorithm).fit(X, y).toJSON();
    expect(() => estimatorFromJSON({ ...json, version: 999 })).toThrow(InvalidInputError);
  });

  it("same data and params give the same model", () => {
    const a = createEstimator(algorithm).fit(X, y).toJSON();
    const b = createEstimator(algorithm).fit(X, y).toJSON();
    expect(b).toEqual(a);
  });

  it("refuses an unknown hyperparameter, naming it", () => {
    expect(() => createEstimator(algorithm, { nope: 1 }).fit(X, y)).toThrow(
      expect.objectContaining({ code: "BAD_USER_INPUT", details: { field: "hyperparameters.nope" } }),
    );
  });

  it("refuses NaN and Infinity in X and y", () => {
    const bad = fromRows([[1, NaN, 0], [0, 1, 1], [1, 0, 1], [0, 0, 0]]);
    expect(() => createEstimator(algorithm).fit(bad, Float64Array.of(0, 1, 0, 1))).toThrow(InvalidInputError);
    const yBad = Float64Array.from(y);
    yBad[3] = Infinity;
    expect(() => createEstimator(algorithm).fit(X, yBad)).toThrow(InvalidInputError);
  });
});

describe("hyperparameter ranges", () => {
  const { X, y } = data("classification");
  it.each([
    ["LOGISTIC_REGRESSION", { C: -1 }, "hyperparameters.C"],
    ["LINEAR_SVM", { C: 0 }, "hyperparameters.C"],
    ["LINEAR_SVM", { loss: "log" }, "hyperparameters.loss"],
    ["RIDGE", { alpha: -0.5 }, "hyperparameters.alpha"],
    ["LOGISTIC_REGRESSION", { max_iter: 2.5 }, "hyperparameters.max_iter"],
  ] as const)("%s %j is refused", (algorithm, params, field) => {
    expect(() => createEstimator(algorithm, params).fit(X, y)).toThrow(expect.objectContaining({ code: "BAD_USER_INPUT", details: { field } }));
  });

  it("a classifier refuses a target with one class", () => {
    expect(() => createEstimator("LOGISTIC_REGRESSION").fit(X, new Float64Array(X.rows))).toThrow(/at least two classes/);
  });
});
