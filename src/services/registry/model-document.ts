/**
 * The shape of an exported model document (format `modelql.model/1`, RegistryService.exportModel),
 * checked before an import writes anything. A READY row is read by every `models` page of its
 * workspace: a field of the wrong type there (an unknown algorithm, a metric that is a string, a
 * signature without names) once failed the whole page. Each check below mirrors what the
 * readers need: finite numbers where GraphQL has Float (it cannot carry NaN or Infinity),
 * integers for Int, the enums' values, and null only where the schema allows it. Unknown extra
 * keys are tolerated (nothing reads them). The learned state itself is checked by rebuilding the
 * served model (the estimators' fromJSON with its kind and version checks, the pipeline's).
 */
import { InvalidInputError } from "../../core/errors.ts";
import { ALGORITHMS, taskOf, type Algorithm } from "../../core/estimators/index.ts";

/** A check of one value; throws InvalidInputError naming `path` (the document's field). */
type Shape = (value: unknown, path: string) => void;

const fail = (path: string, expected: string, value: unknown): never => {
  const got = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value === "string" ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : typeof value === "object" ? "an object" : String(value);
  throw new InvalidInputError(`document.${path} must be ${expected}, got ${got}.`, { field: `document.${path}` });
};

const finite: Shape = (v, p) => void (typeof v === "number" && Number.isFinite(v) ? 0 : fail(p, "a finite number", v));
const integer: Shape = (v, p) => void (Number.isSafeInteger(v) && (v as number) >= 0 ? 0 : fail(p, "a non-negative integer", v));
const text: Shape = (v, p) => void (typeof v === "string" ? 0 : fail(p, "a string", v));
const boolean: Shape = (v, p) => void (typeof v === "boolean" ? 0 : fail(p, "true or false", v));
const oneOf =
  (...values: string[]): Shape =>
  (v, p) =>
    void (typeof v === "string" && values.includes(v) ? 0 : fail(p, `one of ${values.join(", ")}`, v));
/** null or absent, or the shape */
const nullable =
  (shape: Shape): Shape =>
  (v, p) =>
    v === null || v === undefined ? undefined : shape(v, p);
const array =
  (shape: Shape): Shape =>
  (v, p) => {
    if (!Array.isArray(v)) fail(p, "an array", v);
    (v as unknown[]).forEach((item, i) => shape(item, `${p}[${i}]`));
  };
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const object =
  (fields: Record<string, Shape>): Shape =>
  (v, p) => {
    if (!isObject(v)) fail(p, "an object", v);
    for (const [key, shape] of Object.entries(fields)) shape((v as Record<string, unknown>)[key], p ? `${p}.${key}` : key);
  };
const values =
  (shape: Shape): Shape =>
  (v, p) => {
    if (!isObject(v)) fail(p, "an object", v);
    for (const [key, item] of Object.entries(v as Record<string, unknown>)) shape(item, p ? `${p}.${key}` : key);
  };
const maybeFinite = nullable(finite);

const averaged = object({ precision: finite, recall: finite, f1: finite });
const METRIC_FLOATS = ["r2", "rmse", "mae", "accuracy", "precision", "recall", "f1", "rocAuc", "logLoss", "adjustedR2", "explainedVariance", "mape", "balancedAccuracy", "mcc"];
const CV_METRICS = ["r2", "rmse", "mae", "adjustedR2", "explainedVariance", "mape", "accuracy", "precision", "recall", "f1", "rocAuc", "logLoss", "balancedAccuracy", "mcc"];

const metrics = object({
  evaluatedOn: oneOf("TEST", "TRAINING"),
  rows: integer,
  ...Object.fromEntries(METRIC_FLOATS.map((name) => [name, maybeFinite])),
  confusionMatrix: nullable(array(array(integer))),
  macro: nullable(averaged),
  weighted: nullable(averaged),
});

const cvMetrics = object({ folds: integer, ...Object.fromEntries(CV_METRICS.map((name) => [name, nullable(object({ mean: finite, std: finite }))])) });

const parameterStatistics = object({ stdError: maybeFinite, statistic: maybeFinite, pValue: maybeFinite });

const summaryFields = {
  coefficients: nullable(array(object({ feature: text, value: finite, class: nullable(text) }))),
  intercept: maybeFinite,
  intercepts: nullable(array(finite)),
  classes: nullable(array(text)),
  trainingRows: nullable(integer),
  testRows: nullable(integer),
  warnings: nullable(array(text)),
  curves: nullable(
    object({
      classes: nullable(
        array(
          object({
            class: text,
            roc: object({ fpr: array(finite), tpr: array(finite), thresholds: array(finite) }),
            pr: object({ precision: array(finite), recall: array(finite), thresholds: array(maybeFinite) }),
            calibration: nullable(array(object({ meanPredicted: finite, fractionPositive: finite, count: integer }))),
          }),
        ),
      ),
      residuals: nullable(object({ fitted: array(finite), residual: array(finite) })),
      residualHistogram: nullable(object({ edges: array(finite), counts: array(integer) })),
    }),
  ),
  signature: array(
    object({ name: text, type: oneOf("NUMBER", "CATEGORY", "BOOLEAN"), required: boolean, min: maybeFinite, max: maybeFinite, categories: nullable(array(text)) }),
  ),
  reference: nullable(
    array((v, p) => {
      object({ name: text, kind: oneOf("number", "category") })(v, p);
      if ((v as { kind: string }).kind === "number") object({ edges: array(finite), expected: array(finite), sample: array(finite) })(v, p);
      else object({ frequencies: values(finite) })(v, p);
    }),
  ),
  inference: nullable(
    object({
      distribution: oneOf("T", "Z"),
      dfResidual: maybeFinite,
      nObservations: integer,
      intercept: nullable(parameterStatistics),
      coefficients: array(parameterStatistics),
      ...Object.fromEntries(
        ["fStatistic", "fPValue", "logLikelihood", "aic", "bic", "rSquared", "adjustedRSquared", "pseudoRSquared", "likelihoodRatio", "likelihoodRatioPValue", "conditionNumber"].map((name) => [name, maybeFinite]),
      ),
      warnings: array(text),
    }),
  ),
  derivedFeatures: nullable(array(object({ name: text, expression: text }))),
  featureImportance: nullable(array(object({ feature: text, importance: finite, std: maybeFinite, method: oneOf("COEFFICIENT", "PERMUTATION") }))),
};

/**
 * Check an export document's fields (all but `state`, which loading the model checks) and
 * return the algorithm it names. Throws InvalidInputError naming the first bad field
 * (`extensions.field`, e.g. `document.metrics.r2`).
 */
export function checkModelDocument(doc: Record<string, unknown>): Algorithm {
  const algorithm = doc.algorithm;
  if (typeof algorithm !== "string" || !(ALGORITHMS as string[]).includes(algorithm)) fail("algorithm", `one of ${ALGORITHMS.join(", ")}`, algorithm);
  const task = taskOf(algorithm as Algorithm) === "regression" ? "REGRESSION" : "CLASSIFICATION";
  object({
    name: nullable(text),
    target: text,
    features: array(text),
    hyperparameters: nullable((v, p) => void (isObject(v) ? 0 : fail(p, "an object", v))),
    testFraction: nullable((v, p) => void (typeof v === "number" && v >= 0 && v < 1 ? 0 : fail(p, "a number in [0, 1)", v))),
    seed: nullable((v, p) => void (Number.isSafeInteger(v) && Math.abs(v as number) <= 2 ** 31 - 1 ? 0 : fail(p, "a 32-bit integer", v))),
    trainedAt: nullable((v, p) => void (typeof v === "string" && !Number.isNaN(Date.parse(v)) ? 0 : fail(p, "an ISO 8601 date-time", v))),
    metrics: nullable(metrics),
    cvMetrics: nullable(cvMetrics),
    summary: object({ task: oneOf(task), ...summaryFields }),
    state: object({ estimator: object({ kind: oneOf(algorithm as string) }), classes: nullable(array(text)) }),
  })(doc, "");
  // Classifiers are served through their classes (label of each class index), regressions without.
  const classes = (doc.state as { classes?: string[] | null }).classes;
  if (task === "CLASSIFICATION" ? !classes || classes.length < 2 : classes) {
    fail("state.classes", task === "CLASSIFICATION" ? "the classifier's class labels (at least 2)" : "null for a regression", classes);
  }
  return algorithm as Algorithm;
}
