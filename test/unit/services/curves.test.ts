/**
 * Regression curves: the thinned residual scatter holds the rows a stable sort by fitted value
 * puts at the thinned ranks, whatever the ties (±0 included), as the sort itself did.
 */
import { describe, expect, it } from "vitest";
import { MAX_POINTS, regressionCurves } from "../../../src/services/curves.ts";

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
