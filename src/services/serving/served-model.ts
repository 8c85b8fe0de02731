/**
 * A READY model compiled for serving: its fitted pipeline and estimator rebuilt once from the
 * stored state, then reused for every prediction (ModelService keeps them per process).
 */
import type { Model as ModelRow } from "../../generated/prisma/client.ts";
import { estimatorFromJSON, type Classifier, type Estimator } from "../../core/estimators/index.ts";
import { FeaturePipeline } from "../../core/preprocessing/feature-pipeline.ts";
import { MODEL_STATE_FORMAT, type ModelState, type SignatureEntry } from "../training/fitting.ts";
import { valuesByColumn } from "../../core/preprocessing/coefficients.ts";
import { InvalidInputError } from "../../core/errors.ts";
import { checkLevel, predictionInterval } from "../training/inference.ts";
import { samplingShapleyRows } from "../../core/explain/shapley.ts";
import { explainThreads } from "./explain-threads.ts";
import { compileDerivedFeatures, deriveValue } from "../../core/preprocessing/expressions.ts";

export interface PredictionOutput {
  /** regression: the prediction; classification: the positive class's decision value */
  value: number;
  label?: string;
  probabilities?: { label: string; probability: number }[];
}

export interface Explanation {
  /** linear: the intercept; Shapley: the mean output over the background rows */
  baseValue: number;
  /** per raw column, largest |contribution| first; standardError null where exact */
  contributions: { feature: string; value: unknown; contribution: number; standardError: number | null }[];
  method: "LINEAR" | "SAMPLING_SHAPLEY";
  /** SAMPLING_SHAPLEY: orderings sampled */
  samples: number | null;
}

/** Orderings sampled per Shapley explanation (antithetic pairs), and the seed: explanations are reproducible. */
export const SHAPLEY_SAMPLES = 64;
const SHAPLEY_SEED = 0;

/**
 * Most explanation work one GraphQL operation may ask for, in kernel terms: rows the model
 * evaluates × support vectors × features. A sampling Shapley explanation evaluates
 * SHAPLEY_SAMPLES·(G − 1)·B + B + 1 rows (G input columns, B = 50 background rows); an
 * operation's explanations are counted as its cost is (the number of `inputs` of `predict`,
 * `first` for pages; src/graphql/limits.ts). 5·10⁸ is 5-10 s of one explanation thread
 * (an RBF term costs ~10-25 ns measured; 1500 training rows, 375 support vectors, 6 features:
 * 3.6·10⁷ and ~0.85 s per explanation, so 13 per operation). Linear explanations cost nothing
 * here (one dot product each).
 */
export const MAX_EXPLANATION_WORK = 5e8;

export interface ServedModel {
  id: string;
  workspaceId: string;
  /**
   * Validate raw inputs and predict; throws InvalidInputError naming the row and field, also
   * for an input whose output overflows to a non-finite number (so none is logged or answered).
   */
  predict(inputs: unknown[]): PredictionOutput[];
  /**
   * Exact additive explanation of a linear model's output (regression value or the positive
   * class's decision value): baseValue + Σ contributions = output, where a column's
   * contribution is Σ over its features of coefficient × transformed value (model units; a
   * one-hot column sums its categories). With `topK`, only the K largest by magnitude.
   * Per-class models explain the predicted class. Models without linear coefficients (kernel
   * SVMs) get sampling Shapley values instead (see `shapley` below).
   */
  explain(input: unknown, topK?: number | null, options?: ExplainOptions): Promise<Explanation | null>;
  /** Work of one explanation (see MAX_EXPLANATION_WORK): 0 for linear models. */
  readonly explanationWork: number;
  /** Throws InvalidInputError (limit MAX_EXPLANATION_WORK) when `explanations` of this model would exceed it. */
  checkExplanationWork(explanations: number): void;
  /** OLS prediction interval at `level` for one raw input; null for models without one. */
  interval(input: unknown, level: number): { low: number; high: number; level: number } | null;
  /** Input fields outside the training range (numbers) or never seen in training (categories). */
  outOfRange(input: unknown): string[];
  /**
   * An input as the prediction log keeps it: every field the model reads, as sent; the other
   * fields in their order while they fit in LOGGED_EXTRA_BYTES (the rest are dropped). Throws
   * InvalidInputError for a text field the model reads that is longer than any text it can use.
   */
  logged(input: unknown, row: number): unknown;
}

/**
 * JSON bytes of an input's fields the model does not read that the log keeps per input. Such
 * fields were once logged whole: 20 MB rows that a page of `predictions` had to read back.
 */
export const LOGGED_EXTRA_BYTES = 4096;
/**
 * Longest text accepted in a field the model reads (or its longest training category, when
 * longer): a longer value cannot be a known category, and it would be logged whole.
 */
export const MAX_INPUT_TEXT = 1024;

export interface ExplainOptions {
  /** explanations the operation asks for in all (its own included), for MAX_EXPLANATION_WORK; default 1 */
  explanations?: number;
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
  // Derived features compile once per served model, against the raw inputs' types.
  const derived = state.derived ?? [];
  const compiledDerived = compileDerivedFeatures(derived, new Map(signature.map((e) => [e.name, e.type])));
  const pipelineColumns = new Set(pipeline.inputColumns);
  const expressionOnly = [...new Set(compiledDerived.flatMap((e) => e.inputs))].filter((name) => !pipelineColumns.has(name));
  /** A record with its derived features added (a copy); names a missing raw input by row. */
  const withDerived = (record: unknown, row: number): Record<string, unknown> => {
    if (derived.length === 0 || record === null || typeof record !== "object" || Array.isArray(record)) return record as Record<string, unknown>;
    const raw = record as Record<string, unknown>;
    for (const name of expressionOnly) {
      if (raw[name] === undefined) throw new InvalidInputError(`Input ${row} is missing ${JSON.stringify(name)}, which a derived feature reads; pass null for a missing value.`, { row, field: name });
    }
    const out: Record<string, unknown> = { ...raw };
    compiledDerived.forEach((expression, j) => (out[derived[j].name] = deriveValue(expression, raw, row)));
    return out;
  };
  // What the log keeps of an input (see ServedModel.logged).
  const readColumns = new Set([...pipeline.inputColumns, ...compiledDerived.flatMap((e) => e.inputs)]);
  const maxText = signature.reduce((longest, e) => (e.categories ?? []).reduce((m, c) => Math.max(m, c.length), longest), MAX_INPUT_TEXT);
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
  const background = state.background ? { rows: state.background.rows, cols: state.background.cols, data: Float64Array.from(state.background.data) } : null;
  const featureGroups = groups.map((g) => g.features.map((f) => f.index));
  /**
   * Models without linear coefficients (kernel SVMs): sampling Shapley values of the reported
   * output over the stored background rows, per raw column (core/explain/shapley.ts). The
   * contributions add up to output − baseValue exactly; each carries its Monte Carlo standard
   * error (the estimate is within ±2 standard errors of the exact Shapley value about 95% of
   * the time).
   */
  // Kernel models: each row the model evaluates costs support vectors × features.
  const shapleyWork = background && classes ? samplingShapleyRows(featureGroups.length, background.rows, SHAPLEY_SAMPLES, true) * (estimator.fitInfo().nSupportVectors ?? 1) * Math.max(1, p) : 0;
  /** Refuse, before any work, an operation whose explanations of this model would exceed MAX_EXPLANATION_WORK. */
  const checkExplanationWork = (explanations: number): void => {
    const total = explanations * shapleyWork;
    if (total <= MAX_EXPLANATION_WORK) return;
    const nSV = estimator.fitInfo().nSupportVectors ?? 1;
    throw new InvalidInputError(
      `This operation asks for ${explanations} Shapley explanations of a kernel model; each evaluates ${samplingShapleyRows(featureGroups.length, background!.rows, SHAPLEY_SAMPLES, true)} rows ` +
        `against ${nSV} support vectors × ${p} features (${shapleyWork.toExponential(2)} units of work), ${total.toExponential(2)} in all, over the limit MAX_EXPLANATION_WORK = ${MAX_EXPLANATION_WORK.toExponential(0)}. ` +
        `Select explanation on at most ${Math.floor(MAX_EXPLANATION_WORK / shapleyWork)} predictions per operation (fewer inputs, or a smaller first), or explain with a model that has fewer support vectors.`,
      { field: "explanation", limit: "MAX_EXPLANATION_WORK", work: total },
    );
  };
  const shapley = async (input: Record<string, unknown>, topK?: number | null): Promise<Explanation | null> => {
    if (!background || !classes) return null;
    const x = pipeline.transformRecords([input]);
    const classifier = estimator as Classifier;
    const perClass = classifier.decisionFunction(x).length > 1;
    const label = perClass ? estimator.predict(x)[0] : 0;
    // Off the event loop (explain-threads.ts): thousands of rows × every support vector.
    const result = await explainThreads.run({
      modelId: model.id,
      estimator: state.estimator,
      x: x.data,
      background,
      nClasses: classes.length,
      perClass,
      label,
      options: { nSamples: SHAPLEY_SAMPLES, seed: SHAPLEY_SEED, antithetic: true, groups: featureGroups },
    });
    const contributions = groups
      .map((g, j) => ({ feature: g.column, value: input[g.column] ?? null, contribution: result.contributions[j], standardError: result.standardError[j] }))
      .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
    return { baseValue: result.baseValue, contributions: topK ? contributions.slice(0, topK) : contributions, method: "SAMPLING_SHAPLEY", samples: result.nPermutations };
  };
  return {
    id: model.id,
    workspaceId: model.workspaceId,
    predict(inputs) {
      const X = pipeline.transformRecords(inputs.map(withDerived));
      const outputs = classes ? classify(estimator as Classifier, X, classes) : Array.from(estimator.predict(X), (value) => ({ value }));
      checkFinite(outputs);
      return outputs;
    },
    explanationWork: shapleyWork,
    checkExplanationWork,
    async explain(input, topK, options = {}) {
      if (topK !== null && topK !== undefined && !(Number.isInteger(topK) && topK >= 1)) {
        throw new InvalidInputError(`topK must be a positive integer, got ${topK}.`, { field: "topK" });
      }
      const record = withDerived(input, 0);
      const fitted = coefficients();
      if (!fitted) {
        checkExplanationWork(Math.max(1, options.explanations ?? 1));
        return shapley(record, topK);
      }
      const X = pipeline.transformRecords([record]);
      const x = X.data;
      // Per-class models explain the predicted class's decision value (the reported output).
      const row = fitted.intercept.length > 1 ? estimator.predict(X)[0] : 0;
      const coef = fitted.coef.subarray(row * p, (row + 1) * p);
      const intercept = fitted.intercept.subarray(row, row + 1);
      const contributions = valuesByColumn(groups, Float64Array.from(x, (v, j) => v * coef[j]))
        .map(({ column, total }) => ({ feature: column, value: record[column] ?? null, contribution: total, standardError: null }))
        .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
      return { baseValue: intercept[0], contributions: topK ? contributions.slice(0, topK) : contributions, method: "LINEAR", samples: null };
    },
    interval(input, level) {
      checkLevel(level);
      if (!state.interval) return null;
      const X = pipeline.transformRecords([withDerived(input, 0)]);
      return { ...predictionInterval(state.interval, X.data, estimator.predict(X)[0], level), level };
    },
    logged(input, row) {
      if (input === null || typeof input !== "object" || Array.isArray(input)) return input;
      const record = input as Record<string, unknown>;
      const keys = Object.keys(record);
      // The record itself while every field is read (the common case); a copy from the first other one.
      let copy: Record<string, unknown> | null = null;
      let budget = LOGGED_EXTRA_BYTES;
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k];
        const value = record[key];
        if (readColumns.has(key)) {
          if (typeof value === "string" && value.length > maxText) {
            throw new InvalidInputError(`Input ${row}: ${JSON.stringify(key)} holds ${value.length} characters; at most ${maxText} are accepted (no category the model knows is longer).`, { row, field: key });
          }
          if (copy) define(copy, key, value);
          continue;
        }
        if (!copy) {
          copy = {};
          for (let j = 0; j < k; j++) define(copy, keys[j], record[keys[j]]);
        }
        const size = jsonFieldBytes(key, value, budget);
        if (size <= budget) {
          define(copy, key, value);
          budget -= size;
        }
      }
      return copy ?? record;
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

/** An own property, whatever its name ("__proto__" included, which an assignment would not create). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** JSON bytes of `"key":value,` ; anything over `limit` may be reported as Infinity without serializing it. */
function jsonFieldBytes(key: string, value: unknown, limit: number): number {
  if (key.length > limit || (typeof value === "string" && value.length > limit)) return Infinity;
  return Buffer.byteLength(JSON.stringify(key)) + Buffer.byteLength(JSON.stringify(value) ?? "null") + 2;
}

/**
 * Finite inputs far outside the training range (1e308) can overflow the model's arithmetic to
 * ±Infinity or NaN, which JSON (the log) and GraphQL's Float cannot carry: such an input is the
 * caller's to fix, refused before anything is logged or answered.
 */
function checkFinite(outputs: PredictionOutput[]): void {
  for (let row = 0; row < outputs.length; row++) {
    const { value, probabilities } = outputs[row];
    if (Number.isFinite(value) && (!probabilities || probabilities.every((p) => Number.isFinite(p.probability)))) continue;
    throw new InvalidInputError(
      `Input ${row} is outside the model's numeric range: its prediction overflows to ${Number.isFinite(value) ? "NaN probabilities" : value}. Send values of the magnitude the model was trained on (see the model's signature for the training ranges).`,
      { row, field: "inputs" },
    );
  }
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
