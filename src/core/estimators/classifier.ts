/**
 * What the linear classifiers share beyond LinearModel: the class-index target check for
 * k ≥ 2 classes, `class_weight` (scikit-learn's, checked here because the hyperparameter
 * tables hold only scalar types) and the argmax rule of multi-output predictions.
 */
import { InvalidInputError } from "../errors.ts";
import { validateHyperparameters, type HyperparameterTable } from "./hyperparameters.ts";

/**
 * `class_weight`: undefined (every sample weighs 1), "balanced" (class c weighs
 * n / (k · count_c), scikit-learn's compute_class_weight) or class index ("0", "1", …) →
 * non-negative weight, classes not listed weighing 1.
 */
export type ClassWeight = undefined | "balanced" | Readonly<Record<string, number>>;

const CLASS_WEIGHT_FIELD = "hyperparameters.class_weight";

/** Check a `class_weight` value's form (class indices are checked against k in `classWeights`). */
export function parseClassWeight(estimator: string, value: unknown): ClassWeight {
  if (value === undefined || value === "balanced") return value;
  const fail = (): never => {
    throw new InvalidInputError(
      `${estimator}: hyperparameter "class_weight" must be "balanced" or an object of class index → ` +
        `non-negative finite weight, e.g. {"0": 1, "1": 5}; got ${describe(value)}.`,
      { field: CLASS_WEIGHT_FIELD },
    );
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) return fail();
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return fail();
  for (const [key, weight] of Object.entries(value)) {
    if (!/^(0|[1-9][0-9]*)$/.test(key)) return fail();
    if (typeof weight !== "number" || !Number.isFinite(weight) || weight < 0) return fail();
  }
  return value as Record<string, number>;
}

/**
 * An estimator's validateParams when it takes `class_weight` (an object the hyperparameter
 * table cannot express): the table checks the rest, parseClassWeight checks class_weight.
 */
export function withClassWeight(
  estimator: string,
  params: Record<string, unknown>,
  validateRest: (rest: Record<string, unknown>) => Record<string, unknown>,
): Record<string, unknown> {
  const { class_weight: classWeight, ...rest } = params;
  const checked = parseClassWeight(estimator, classWeight);
  const out = validateRest(rest);
  return classWeight === undefined ? out : { ...out, class_weight: checked };
}

/**
 * Hyperparameters as the API receives them, before classes are known: the table's params plus
 * a `class_weight` that names classes by label ({"yes": 5}) or is "balanced". The service maps
 * labels to indices before fitting; the estimator then checks them with parseClassWeight.
 */
export function validateWithClassWeightLabels(estimator: string, table: HyperparameterTable, params: Record<string, unknown>): Record<string, unknown> {
  const { class_weight: classWeight, ...rest } = params;
  const out = validateHyperparameters(estimator, table, rest);
  if (classWeight === undefined) return out;
  const valid =
    classWeight === "balanced" ||
    (typeof classWeight === "object" &&
      classWeight !== null &&
      !Array.isArray(classWeight) &&
      Object.values(classWeight).every((w) => typeof w === "number" && Number.isFinite(w) && w >= 0));
  if (!valid) {
    throw new InvalidInputError(
      `${estimator}: hyperparameter "class_weight" must be "balanced" or an object of class label → non-negative finite weight, ` +
        `e.g. {"yes": 5}; got ${describe(classWeight)}.`,
      { field: CLASS_WEIGHT_FIELD },
    );
  }
  return { ...out, class_weight: classWeight };
}

/**
 * Weight of each class (length k), or undefined when every class weighs 1.
 *
 * @param y class indices 0..k-1, every class present (checkClassTarget)
 */
export function classWeights(estimator: string, classWeight: ClassWeight, y: Float64Array, k: number): Float64Array | undefined {
  if (classWeight === undefined) return undefined;
  const weights = new Float64Array(k).fill(1);
  if (classWeight === "balanced") {
    const counts = new Float64Array(k);
    for (let i = 0; i < y.length; i++) counts[y[i]]++;
    for (let c = 0; c < k; c++) weights[c] = y.length / (k * counts[c]);
    return weights;
  }
  for (const [key, weight] of Object.entries(classWeight)) {
    const c = Number(key);
    if (c >= k) {
      throw new InvalidInputError(
        `${estimator}: class_weight names class index ${key}, but the target has ${k} classes (indices 0..${k - 1}).`,
        { field: CLASS_WEIGHT_FIELD },
      );
    }
    weights[c] = weight;
  }
  return weights.every((w) => w === 1) ? undefined : weights;
}

/** Per-sample weights s_i = weight[y_i] (length n), or undefined for unit weights. */
export function sampleWeights(weights: Float64Array | undefined, y: Float64Array): Float64Array | undefined {
  return weights && Float64Array.from(y, (c) => weights[c]);
}

/**
 * Classification target of k classes: y holds class indices 0..k-1, each present.
 * k is `nClasses` when given; without it the target must be binary (0/1), as a caller
 * that means more than two classes says so (the service passes its label count).
 *
 * @returns k
 */
export function checkClassTarget(y: Float64Array, estimator: string, nClasses?: number): number {
  if (nClasses !== undefined && !(Number.isInteger(nClasses) && nClasses >= 2)) {
    throw new InvalidInputError(`${estimator}: the number of classes must be an integer ≥ 2; got ${nClasses}.`, {
      field: "target",
      nClasses,
    });
  }
  const k = nClasses ?? 2;
  const counts = new Float64Array(k);
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!(Number.isInteger(v) && v >= 0 && v < k)) {
      const hint = nClasses === undefined && Number.isInteger(v) && v >= 2 ? " (pass FitOptions.nClasses for more than two classes)" : "";
      throw new InvalidInputError(
        `${estimator}: y must hold class indices 0..${k - 1}; got ${v} at row ${i}${hint}.`,
        { field: "target", row: i },
      );
    }
    counts[v]++;
  }
  const present = counts.filter((c) => c > 0).length;
  if (present < 2) {
    throw new InvalidInputError(
      `${estimator} needs samples of at least two classes in the data, but the target contains only class ${counts.findIndex((c) => c > 0)}.`,
      { field: "target" },
    );
  }
  const missing = counts.findIndex((c) => c === 0);
  if (missing >= 0) {
    throw new InvalidInputError(
      `${estimator}: class ${missing} of ${k} has no samples in the training data; every class needs at least one.`,
      { field: "target", class: missing },
    );
  }
  return k;
}

/** Row-wise argmax of an n × k score matrix (ties go to the lower class, as numpy's argmax). */
export function argmaxRows(scores: Float64Array, k: number): Float64Array {
  const n = scores.length / k;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (scores[i * k + c] > scores[i * k + best]) best = c;
    out[i] = best;
  }
  return out;
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
