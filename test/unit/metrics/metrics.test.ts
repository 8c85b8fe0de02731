import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  adjustedR2Score,
  explainedVarianceScore,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  r2Score,
  regressionMetrics,
  rootMeanSquaredError,
} from "../../../src/core/metrics/regression.ts";
import {
  accuracyScore,
  balancedAccuracyScore,
  confusionMatrix,
  matthewsCorrcoef,
  precisionRecallF1,
  precisionRecallF1PerClass,
} from "../../../src/core/metrics/classification.ts";
import { precisionRecallCurve, rocAucOvr, rocAucScore, rocCurve } from "../../../src/core/metrics/ranking.ts";
import { logLoss } from "../../../src/core/metrics/log-loss.ts";
import { classificationMetrics } from "../../../src/core/metrics/summary.ts";
import { expectAllClose, expectClose } from "../../support/close.ts";

const RTOL = 1e-9;

interface Prf { precision: number; recall: number; f1: number }
interface LabelCase {
  yTrue: number[];
  yPred: number[];
  accuracy: number;
  balancedAccuracy: number;
  mcc: number;
  confusionMatrix: number[][];
  macro: Prf;
  weighted: Prf;
  perClass: { precision: number[]; recall: number[]; f1: number[]; support: number[] };
  logLoss: number;
}
interface Curve { [key: string]: number[] }
interface BinaryCase extends LabelCase {
  scores: number[];
  proba: number[];
  binary: Prf;
  rocAuc: number;
  rocAucProba: number;
  rocCurve: Curve;
  rocCurveAll: Curve;
  prCurve: Curve;
}
interface MulticlassCase extends LabelCase {
  proba: number[];
  nClasses: number;
  rocAucOvr: number | null;
}
interface RegressionCase {
  yTrue: number[];
  yPred: number[];
  r2: number;
  mse: number;
  rmse: number;
  mae: number;
  explainedVariance: number;
  mape: number | null;
  adjustedR2: number | null;
}

const fixture = JSON.parse(readFileSync(new URL("../../fixtures/metrics/metrics.json", import.meta.url), "utf8")) as {
  regression: Record<string, RegressionCase>;
  binary: Record<string, BinaryCase>;
  multiclass: Record<string, MulticlassCase>;
};

const f64 = (a: number[]) => Float64Array.from(a);

describe("regression metrics against scikit-learn", () => {
  it.each(Object.entries(fixture.regression))("%s", (_, c) => {
    const y = f64(c.yTrue);
    const p = f64(c.yPred);
    expectClose(r2Score(y, p), c.r2, RTOL, 0, "r2");
    expectClose(meanSquaredError(y, p), c.mse, RTOL, 0, "mse");
    expectClose(rootMeanSquaredError(y, p), c.rmse, RTOL, 0, "rmse");
    expectClose(meanAbsoluteError(y, p), c.mae, RTOL, 0, "mae");
    expectClose(explainedVarianceScore(y, p), c.explainedVariance, RTOL, 0, "explained variance");
    expectClose(meanAbsolutePercentageError(y, p), c.mape, RTOL, 0, "mape");
    expectClose(adjustedR2Score(y, p, 3), c.adjustedR2, RTOL, 0, "adjusted r2");
    expect(regressionMetrics(y, p, 3)).toMatchObject({ r2: r2Score(y, p), mape: meanAbsolutePercentageError(y, p) });
  });

  it("returns null for MAPE with a zero target and for adjusted R² without degrees of freedom", () => {
    expect(meanAbsolutePercentageError(Float64Array.of(0, 1), Float64Array.of(1, 1))).toBeNull();
    expect(adjustedR2Score(Float64Array.of(1, 2, 3), Float64Array.of(1, 2, 2), 2)).toBeNull();
  });

  it("rejects mismatched or empty inputs", () => {
    expect(() => r2Score(Float64Array.of(1), Float64Array.of(1, 2))).toThrow(RangeError);
    expect(() => meanAbsoluteError(new Float64Array(0), new Float64Array(0))).toThrow(/no samples/);
  });
});

function checkLabelMetrics(c: LabelCase, nClasses: number): void {
  const y = f64(c.yTrue);
  const p = f64(c.yPred);
  const options = { nClasses };
  expectClose(accuracyScore(y, p), c.accuracy, RTOL, 0, "accuracy");
  expectClose(balancedAccuracyScore(y, p, options), c.balancedAccuracy, RTOL, 0, "balanced accuracy");
  expectClose(matthewsCorrcoef(y, p, options), c.mcc, RTOL, 0, "mcc");
  expect(confusionMatrix(y, p, options)).toEqual(c.confusionMatrix);
  for (const average of ["macro", "weighted"] as const) {
    const got = precisionRecallF1(y, p, average, options);
    for (const key of ["precision", "recall", "f1"] as const) expectClose(got[key], c[average][key], RTOL, 0, `${average} ${key}`);
  }
  const perClass = precisionRecallF1PerClass(y, p, options);
  for (const key of ["precision", "recall", "f1", "support"] as const) expectAllClose(perClass[key], c.perClass[key], RTOL, 0, key);
}

describe("binary classification metrics against scikit-learn (tied scores)", () => {
  it.each(Object.entries(fixture.binary))("%s: label metrics", (_, c) => {
    checkLabelMetrics(c, 2);
    const got = precisionRecallF1(f64(c.yTrue), f64(c.yPred), "binary");
    for (const key of ["precision", "recall", "f1"] as const) expectClose(got[key], c.binary[key], RTOL, 0, `binary ${key}`);
  });

  it.each(Object.entries(fixture.binary))("%s: ROC AUC, log loss and curves", (_, c) => {
    const y = f64(c.yTrue);
    expectClose(rocAucScore(y, f64(c.scores)), c.rocAuc, RTOL, 0, "roc auc");
    expectClose(rocAucScore(y, f64(c.proba)), c.rocAucProba, RTOL, 0, "roc auc (proba)");
    expectClose(logLoss(y, f64(c.proba)), c.logLoss, RTOL, 0, "log loss");
    const twoColumns = Float64Array.from(c.proba.flatMap((q) => [1 - q, q]));
    expectClose(logLoss(y, twoColumns), c.logLoss, RTOL, 0, "log loss (n × 2)");
    for (const [name, drop] of [["rocCurve", true], ["rocCurveAll", false]] as const) {
      const curve = rocCurve(y, f64(c.scores), { dropIntermediate: drop });
      for (const key of ["fpr", "tpr", "thresholds"] as const) expectAllClose(curve[key], c[name][key], RTOL, 1e-15, `${name}.${key}`);
    }
    const pr = precisionRecallCurve(y, f64(c.scores));
    for (const key of ["precision", "recall", "thresholds"] as const) expectAllClose(pr[key], c.prCurve[key], RTOL, 0, `pr.${key}`);
  });

  it("gives the curves an index sort by descending score gives, on random scores with many ties (±0 included)", () => {
    let state = 9;
    const next = () => (state = (state * 16807) % 2147483647) / 2147483647;
    /** scikit-learn's _binary_clf_curve as written: indices sorted by score, a point where the score changes. */
    function reference(y: Float64Array, scores: Float64Array) {
      const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]);
      const fps: number[] = [];
      const tps: number[] = [];
      const thresholds: number[] = [];
      let positives = 0;
      order.forEach((i, k) => {
        positives += y[i];
        if (k === order.length - 1 || scores[i] !== scores[order[k + 1]]) {
          tps.push(positives);
          fps.push(k + 1 - positives);
          thresholds.push(scores[i]);
        }
      });
      return { fps, tps, thresholds };
    }
    for (let t = 0; t < 200; t++) {
      const n = 1 + Math.floor(next() * 300);
      const levels = t % 2 ? 5 : 1e9;
      const y = Float64Array.from({ length: n }, () => (next() < (t % 3) / 3 ? 1 : 0));
      const scores = Float64Array.from({ length: n }, () => {
        const s = Math.floor(next() * levels) / levels - 0.5;
        return s === 0 && next() < 0.5 ? -0 : s;
      });
      const { fps, tps, thresholds } = reference(y, scores);
      const roc = rocCurve(y, scores, { dropIntermediate: false });
      const negatives = fps[fps.length - 1];
      const positives = tps[tps.length - 1];
      expect(Array.from(roc.fpr)).toEqual([0, ...fps].map((v) => v / negatives));
      expect(Array.from(roc.tpr)).toEqual([0, ...tps].map((v) => v / positives));
      expect(Array.from(roc.thresholds.subarray(1)).map((v) => v + 0)).toEqual(thresholds.map((v) => v + 0));
    }
  });

  it("counts a tie between a positive and a negative as half a correct ranking", () => {
    expect(rocAucScore(Float64Array.of(0, 1), Float64Array.of(0.5, 0.5))).toBe(0.5);
    expect(rocAucScore(Float64Array.of(0, 0, 1, 1), Float64Array.of(0.1, 0.4, 0.4, 0.8))).toBe(0.875);
  });

  it("returns null for ROC AUC with a single class, and NaN rates as scikit-learn", () => {
    expect(rocAucScore(Float64Array.of(1, 1), Float64Array.of(0.2, 0.3))).toBeNull();
    expect(Array.from(rocCurve(Float64Array.of(1, 1), Float64Array.of(0.2, 0.3)).fpr).every(Number.isNaN)).toBe(true);
    expect(Array.from(precisionRecallCurve(Float64Array.of(0, 0), Float64Array.of(0.2, 0.3)).recall)).toEqual([1, 1, 0]);
  });

  it("rejects NaN scores and labels other than 0/1", () => {
    expect(() => rocCurve(Float64Array.of(0, 1), Float64Array.of(NaN, 1))).toThrow(/NaN/);
    expect(() => rocAucScore(Float64Array.of(0, 2), Float64Array.of(0, 1))).toThrow(/0 or 1/);
  });

  it("bundles everything in classificationMetrics", () => {
    const c = fixture.binary.ties;
    const proba = Float64Array.from(c.proba.flatMap((q) => [1 - q, q]));
    const m = classificationMetrics(f64(c.yTrue), f64(c.yPred), { nClasses: 2, decision: f64(c.scores), proba });
    expectClose(m.precision, c.binary.precision, RTOL);
    expectClose(m.rocAuc, c.rocAuc, RTOL);
    expectClose(m.logLoss, c.logLoss, RTOL);
    expect(m.confusionMatrix).toEqual(c.confusionMatrix);
    const probaOnly = classificationMetrics(f64(c.yTrue), f64(c.yPred), { nClasses: 2, proba });
    expectClose(probaOnly.rocAuc, c.rocAucProba, RTOL);
    expect(classificationMetrics(f64(c.yTrue), f64(c.yPred), { nClasses: 2 })).toMatchObject({ rocAuc: null, logLoss: null });
    expect(JSON.stringify(m)).not.toMatch(/NaN|Infinity/);
  });
});

describe("multiclass classification metrics against scikit-learn", () => {
  it.each(Object.entries(fixture.multiclass))("%s", (_, c) => {
    checkLabelMetrics(c, c.nClasses);
    const y = f64(c.yTrue);
    expectClose(logLoss(y, f64(c.proba)), c.logLoss, RTOL, 0, "log loss");
    expectClose(rocAucOvr(y, f64(c.proba), c.nClasses), c.rocAucOvr, RTOL, 0, "roc auc ovr");
    const m = classificationMetrics(y, f64(c.yPred), { nClasses: c.nClasses, proba: f64(c.proba) });
    expectClose(m.f1, c.macro.f1, RTOL);
    expectClose(m.rocAuc, c.rocAucOvr, RTOL);
  });

  it("checks labels against the number of classes", () => {
    expect(() => confusionMatrix(Float64Array.of(0, 3), Float64Array.of(0, 1), { nClasses: 3 })).toThrow(/label 3 is not a class index below nClasses = 3/);
    expect(() => accuracyScore(Float64Array.of(0), Float64Array.of(0, 1))).toThrow(RangeError);
    expect(() => confusionMatrix(Float64Array.of(0.5), Float64Array.of(0))).toThrow(/class indices/);
    expect(() => precisionRecallF1(Float64Array.of(0, 2), Float64Array.of(0, 1), "binary", { nClasses: 3 })).toThrow(/needs 2 classes/);
    expect(() => logLoss(Float64Array.of(0, 1), Float64Array.of(0.5, 0.5, 0.5))).toThrow(RangeError);
  });

  it("gives MCC 0 when a confusion-matrix margin is constant", () => {
    expect(matthewsCorrcoef(Float64Array.of(0, 1, 2), Float64Array.of(1, 1, 1))).toBe(0);
  });
});
