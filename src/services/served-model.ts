/**
 * A READY model compiled for serving: its fitted pipeline and estimator rebuilt once from the
 * stored state, then reused for every prediction (ModelService keeps them per process).
 */
import type { Model as ModelRow } from "../generated/prisma/client.ts";
import { estimatorFromJSON, type Classifier, type Estimator } from "../core/estimators/index.ts";
import { FeaturePipeline } from "../core/preprocessing/feature-pipeline.ts";
import { MODEL_STATE_FORMAT, type ModelState } from "./fitting.ts";

export interface PredictionOutput {
  /** regression: the prediction; classification: the positive class's decision value */
  value: number;
  label?: string;
  probabilities?: { label: string; probability: number }[];
}

export interface ServedModel {
  id: string;
  workspaceId: string;
  /** Validate raw inputs and predict; throws InvalidInputError naming the row and field. */
  predict(inputs: unknown[]): PredictionOutput[];
}

export function loadServedModel(model: ModelRow): ServedModel {
  const state = model.state as unknown as ModelState;
  if (!state || state.format !== MODEL_STATE_FORMAT) {
    throw new Error(`model ${model.id}: stored state has format ${state?.format}, this server reads ${MODEL_STATE_FORMAT}`);
  }
  const pipeline = FeaturePipeline.fromJSON(state.pipeline);
  const estimator = estimatorFromJSON(state.estimator);
  const classes = state.classes;
  return {
    id: model.id,
    workspaceId: model.workspaceId,
    predict(inputs) {
      const X = pipeline.transformRecords(inputs as Record<string, unknown>[]);
      return classes ? classify(estimator as Classifier, X, classes) : Array.from(estimator.predict(X), (value) => ({ value }));
    },
  };
}

function classify(estimator: Classifier, X: Parameters<Estimator["predict"]>[0], classes: string[]): PredictionOutput[] {
  const decision = estimator.decisionFunction(X);
  const labels = estimator.predict(X);
  const proba = estimator.predictProba?.(X);
  const k = classes.length;
  return Array.from(decision, (value, i) => ({
    value,
    label: classes[labels[i]],
    ...(proba ? { probabilities: classes.map((label, c) => ({ label, probability: proba[i * k + c] })) } : {}),
  }));
}
