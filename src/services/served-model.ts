/**
 * A READY model compiled for serving: its fitted pipeline and estimator rebuilt once from the
 * stored state, then reused for every prediction (ModelService keeps them per process).
 */
import type { Model as ModelRow } from "../generated/prisma/client.ts";
import { estimatorFromJSON, type Classifier, type Estimator } from "../core/estimators/index.ts";
import { FeaturePipeline } from "../core/preprocessing/feature-pipeline.ts";
import { MODEL_STATE_FORMAT, type ModelState, type SignatureEntry } from "./fitting.ts";
import { valuesByColumn } from "../core/preprocessing/coefficients.ts";
import { InvalidInputError } from "../core/errors.ts";
import { checkLevel, predictionInterval } from "./inference.ts";

export interface PredictionOutput {
  /** regression: the prediction; classification: the positive class's decision value */
  value: number;
  label?: string;
  probabilities?: { label: string; probability: number }[];
}

export interface Explanation {
  /** the intercept: the output when every feature contributes 0 */
  baseValue: number;
  /** per raw column, largest |contribution| first */
  contributions: { feature: string; value: unknown; contribution: number }[];
}

export interface ServedModel {
  id: string;
  workspaceId: string;
  /** Validate raw inputs and predict; throws InvalidInputError naming the row and field. */
  predict(inputs: unknown[]): PredictionOutput[];
  /**
   * Exact additive explanation of a linear model's output (regression value or the positive
   * class's decision value): baseValue + Σ contributions = output, where a column's
   * contribution is Σ over its features of coefficient × transformed value (model units; a
   * one-hot column sums its categories). With `topK`, only the K largest by magnitude.
   * Per-class models explain the predicted class. Null for models without linear
   * coefficients (kernel SVMs: a model-agnostic method is not implemented yet).
   */
  explain(input: unknown, topK?: number | null): Explanation | null;
  /** OLS prediction interval at `level` for one raw input; null for models without one. */
  interval(input: unknown, level: number): { low: number; high: number; level: number } | null;
  /** Input fields outside the training range (numbers) or never seen in training (categories). */
  outOfRange(input: unknown): string[];
}

export function loadServedModel(model: ModelRow): ServedModel {
  const state = model.state as unknown as ModelState;
  if (!state || state.format !== MODEL_STATE_FORMAT) {
    throw new Error(`model ${model.id}: stored state has format ${state?.format}, this server reads ${MODEL_STATE_FORMAT}`);
  }
  const pipeline = FeaturePipeline.fromJSON(state.pipeline);
  const estimator = estimatorFromJSON(state.estimator);
  const classes = state.classes;
  const signature = ((model.summary as { signature?: SignatureEntry[] } | null)?.signature ?? []).map((entry) => ({
    ...entry,
    known: entry.categories ? new Set(entry.categories) : null,
  }));
  const groups = pipeline.featureGroups();
  const p = pipeline.nFeatures;
  // Linear coefficients, looked up once on the first explanation (kernel models have none).
  let linear: { coef: Float64Array; intercept: Float64Array } | null | undefined;
  const coefficients = () => {
    if (linear === undefined) {
      try {
        linear = estimator.coefficients();
        if (linear.intercept.length === 0) linear = null;
      } catch (e) {
        if (!(e instanceof InvalidInputError)) throw e;
        linear = null;
      }
    }
    return linear;
  };
  return {
    id: model.id,
    workspaceId: model.workspaceId,
    predict(inputs) {
      const X = pipeline.transformRecords(inputs as Record<string, unknown>[]);
      return classes ? classify(estimator as Classifier, X, classes) : Array.from(estimator.predict(X), (value) => ({ value }));
    },
    explain(input, topK) {
      if (topK !== null && topK !== undefined && !(Number.isInteger(topK) && topK >= 1)) {
        throw new InvalidInputError(`topK must be a positive integer, got ${topK}.`, { field: "topK" });
      }
      const fitted = coefficients();
      if (!fitted) return null;
      const X = pipeline.transformRecords([input as Record<string, unknown>]);
      const x = X.data;
      // Per-class models explain the predicted class's decision value (the reported output).
      const row = fitted.intercept.length > 1 ? estimator.predict(X)[0] : 0;
      const coef = fitted.coef.subarray(row * p, (row + 1) * p);
      const intercept = fitted.intercept.subarray(row, row + 1);
      const contributions = valuesByColumn(groups, Float64Array.from(x, (v, j) => v * coef[j]))
        .map(({ column, total }) => ({ feature: column, value: (input as Record<string, unknown>)[column] ?? null, contribution: total }))
        .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
      return { baseValue: intercept[0], contributions: topK ? contributions.slice(0, topK) : contributions };
    },
    interval(input, level) {
      checkLevel(level);
      if (!state.interval) return null;
      const X = pipeline.transformRecords([input as Record<string, unknown>]);
      return { ...predictionInterval(state.interval, X.data, estimator.predict(X)[0], level), level };
    },
    outOfRange(input) {
      const record = (input ?? {}) as Record<string, unknown>;
      return signature
        .filter(({ name, min, max, known }) => {
          const v = record[name];
          if (known) return typeof v === "string" && v.trim() !== "" && !known.has(v);
          const x = typeof v === "boolean" ? (v ? 1 : 0) : v;
          return typeof x === "number" && min !== null && max !== null && (x < min || x > max);
        })
        .map(({ name }) => name);
    },
  };
}

/**
 * Labels, probabilities and the decision value: binary models give one value per row (the
 * positive class's); per-class models n × k, of which the predicted class's is reported.
 */
function classify(estimator: Classifier, X: Parameters<Estimator["predict"]>[0], classes: string[]): PredictionOutput[] {
  const decision = estimator.decisionFunction(X);
  const labels = estimator.predict(X);
  const proba = estimator.predictProba?.(X);
  const k = classes.length;
  const perClass = decision.length !== labels.length;
  return Array.from(labels, (label, i) => ({
    value: perClass ? decision[i * k + label] : decision[i],
    label: classes[label],
    ...(proba ? { probabilities: classes.map((name, c) => ({ label: name, probability: proba[i * k + c] })) } : {}),
  }));
}
