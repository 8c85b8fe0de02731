/**
 * Regression curves: the thinned residual scatter holds the rows a stable sort by fitted value
 * puts at the thinned ranks, whatever the ties (±0 included), as the sort itself did.
 * Classification curves of a multinomial model: one-vs-rest by each class's probability, equal to
 * scikit-learn's on iris (test/fixtures/gen_curves.py), and consistent with metrics.rocAuc.
 */
import { describe, expect, it } from "vitest";
import { classificationCurves, MAX_POINTS, regressionCurves } from "../../../src/services/training/curves.ts";
import { classificationMetrics } from "../../../src/core/metrics/summary.ts";
import ovr from "../../fixtures/metrics/ovr_curves.json" with { type: "json" };

/** The former computation: an index sort by fitted value (stable, ties in row order), thinned. */
function reference(y: Float64Array, fitted: Float64Array) {
  const order = Array.from(fitted.keys()).sort((a, b) => fitted[a] - fitted[b]);
  const n = order.length;
  const ranks = n <= MAX_POINTS ? order.map((_, k) => k) : Array.from({ length: MAX_POINTS }, (_, k) => Math.round((k * (n - 1)) / (MAX_POINTS - 1)));
  const rows = ranks.map((k) => order[k]);
  return { fitted: rows.map((i) => fitted[i]), residual: rows.map((i) => y[i] - fitted[i]) };
}

describe("regressionCurves", () => {
  it("thins the residuals in fitted order exactly as an index sort did, with ties, ±0 and NaN", () => {
    let state = 17;
    const next = () => (state = (state * 16807) % 2147483647) / 2147483647;
    for (let t = 0; t < 120; t++) {
      const n = t % 3 === 0 ? 1 + Math.floor(next() * 150) : 200 + Math.floor(next() * 5000);
      const levels = t % 4 === 0 ? 3 : t % 4 === 1 ? 50 : 1e9;
      const fitted = Float64Array.from({ length: n }, () => {
        const v = Math.floor(next() * levels) / levels - 0.5;
        return v === 0 && next() < 0.5 ? -0 : v;
      });
      if (t % 10 === 9) fitted[Math.floor(next() * n)] = NaN;
      const y = Float64Array.from(fitted, (v) => v + next() - 0.5);
      const got = regressionCurves(y, fitted).residuals!;
      const want = reference(y, fitted);
      // Object.is through JSON-free comparison: the same rows give the same doubles, −0 included.
      expect(got.fitted.map((v) => Object.is(v, -0) ? "-0" : v)).toEqual(want.fitted.map((v) => Object.is(v, -0) ? "-0" : v));
      expect(got.residual).toEqual(want.residual);
    }
  });
});

/** |got − want| ≤ 1e-12·max(1, |want|) elementwise (the fixture's doubles went through JSON). */
function expectClose(got: ArrayLike<number | null>, want: ArrayLike<number>) {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i] as number;
    if (Math.abs(g - want[i]) > 1e-12 * Math.max(1, Math.abs(want[i]))) expect.fail(`[${i}]: ${g} vs ${want[i]}`);
  }
}

describe("classificationCurves (multiclass)", () => {
  const y = Float64Array.from(ovr.y);
  const decision = Float64Array.from(ovr.decision);
  const proba = Float64Array.from(ovr.proba);
  const k = ovr.classes.length;

  it("ranks each class by its probability, one-vs-rest, as scikit-learn's roc_curve and precision_recall_curve on iris", () => {
    const curves = classificationCurves(y, ovr.classes, decision, proba).classes!;
    expect(curves.map((c) => c.class)).toEqual(ovr.classes);
    for (const [c, want] of ovr.perClass.entries()) {
      const got = curves[c];
      // 150 rows: every curve is below MAX_POINTS, so nothing is thinned and every point compares.
      expectClose(got.roc.fpr, want.roc.fpr);
      expectClose(got.roc.tpr, want.roc.tpr);
      expectClose(got.roc.thresholds, want.roc.thresholds);
      expectClose(got.pr.precision, want.pr.precision);
      expectClose(got.pr.recall, want.pr.recall);
      expectClose(got.pr.thresholds.slice(0, -1), want.pr.thresholds);
      expect(got.pr.thresholds.at(-1)).toBeNull();
      expect(Math.abs(got.auc! - want.auc)).toBeLessThan(1e-12);
    }
    // The fixture's point: by logits versicolor's AUC is well below its probability's.
    expect(ovr.perClass[1].aucByLogit).toBeLessThan(ovr.perClass[1].auc - 0.1);
  });

  it("makes metrics.rocAuc the mean of the per-class curves' AUCs (roc_auc_score multi_class='ovr')", () => {
    const curves = classificationCurves(y, ovr.classes, decision, proba).classes!;
    const yPred = Float64Array.from({ length: y.length }, (_, i) => {
      const row = Array.from(proba.subarray(i * k, i * k + k));
      return row.indexOf(Math.max(...row));
    });
    const { rocAuc } = classificationMetrics(y, yPred, { nClasses: k, decision, proba });
    expect(Math.abs(rocAuc! - ovr.rocAucOvr)).toBeLessThan(1e-12);
    const mean = curves.reduce((sum, c) => sum + c.auc!, 0) / k;
    expect(Math.abs(mean - rocAuc!)).toBeLessThan(1e-12);
    // Each curve's own points give its AUC (trapezoids over the unthinned curve).
    for (const c of curves) {
      let area = 0;
      for (let i = 1; i < c.roc.fpr.length; i++) area += ((c.roc.fpr[i] - c.roc.fpr[i - 1]) * (c.roc.tpr[i] + c.roc.tpr[i - 1])) / 2;
      expect(Math.abs(area - c.auc!)).toBeLessThan(1e-12);
    }
  });
});
