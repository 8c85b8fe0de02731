/**
 * Every classification metric of a fitted model on a test set, in one JSON-ready object (what a
 * model version stores as its evaluation). Regression's counterpart is `regressionMetrics`.
 */
import { accuracyScore, balancedAccuracyScore, confusionMatrix, matthewsCorrcoef, precisionRecallF1 } from "./classification.ts";
import { logLoss } from "./log-loss.ts";
import { rankingScores, rocAucOvr, rocAucScore } from "./ranking.ts";

export interface ClassificationMetrics {
  accuracy: number;
  balancedAccuracy: number;
  /** binary: of the positive class (index 1); multiclass: macro average */
  precision: number;
  recall: number;
  f1: number;
  macro: { precision: number; recall: number; f1: number };
  weighted: { precision: number; recall: number; f1: number };
  mcc: number;
  /** binary from the scores; multiclass one-vs-rest macro; null when a class is absent from yTrue or no scores were given */
  rocAuc: number | null;
  /** null when no probabilities were given (e.g. SVM) */
  logLoss: number | null;
  /** rows = true class, columns = predicted */
  confusionMatrix: number[][];
}

export interface ScoreInputs {
  nClasses: number;
  /** binary: n decision values or positive-class scores; multiclass: n × k row-major */
  decision?: Float64Array;
  /** n × k row-major class probabilities */
  proba?: Float64Array;
}

export function classificationMetrics(yTrue: Float64Array, yPred: Float64Array, inputs: ScoreInputs): ClassificationMetrics {
  const { nClasses, decision, proba } = inputs;
  const options = { nClasses };
  const macro = precisionRecallF1(yTrue, yPred, "macro", options);
  const main = nClasses === 2 ? precisionRecallF1(yTrue, yPred, "binary", options) : macro;
  return {
    accuracy: accuracyScore(yTrue, yPred),
    balancedAccuracy: balancedAccuracyScore(yTrue, yPred, options),
    ...main,
    macro,
    weighted: precisionRecallF1(yTrue, yPred, "weighted", options),
    mcc: matthewsCorrcoef(yTrue, yPred, options),
    rocAuc: rocAuc(yTrue, nClasses, decision, proba),
    logLoss: proba ? logLoss(yTrue, proba) : null,
    confusionMatrix: confusionMatrix(yTrue, yPred, options),
  };
}

function rocAuc(yTrue: Float64Array, nClasses: number, decision?: Float64Array, proba?: Float64Array): number | null {
  const scores = rankingScores(nClasses, decision, proba);
  if (scores === undefined) return null;
  if (nClasses > 2) return rocAucOvr(yTrue, scores, nClasses);
  if (scores.length === yTrue.length) return rocAucScore(yTrue, scores);
  // Binary probabilities given as n × 2: rank by the positive class's column.
  const positive = new Float64Array(yTrue.length);
  for (let i = 0; i < positive.length; i++) positive[i] = scores[i * 2 + 1];
  return rocAucScore(yTrue, positive);
}
