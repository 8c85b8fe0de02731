/**
 * OLS prediction and mean-confidence intervals against statsmodels 0.13's
 * `get_prediction(x̃).summary_frame(alpha)` (fixtures from test/fixtures/gen_prediction_interval.py),
 * at levels 0.95 and 0.9: the means, the intervals' half-widths and their bounds to 1e-8
 * relative (bounds relative to |ŷ| + half-width, as one may sit near 0; the mean interval's
 * half-width against statsmodels' t quantile times the mpmath standard error), given
 * statsmodels' fitted parameters and olsInference's covariance. mean_se is compared with a
 * 40-digit mpmath value instead (statsmodels' own is ~3e-8 off in the large-offset case, from
 * assembling x̃ᵀ Cov x̃), to 1e-10, and with statsmodels' to 1e-7.
 */
import { describe, expect, it } from "vitest";
import fixtures from "../../fixtures/stats/prediction-interval.json" with { type: "json" };
import { InvalidInputError } from "../../../src/core/errors.ts";
import { fromRows } from "../../../src/core/matrix.ts";
import { olsInference, type OlsFit } from "../../../src/core/stats/ols-inference.ts";
import { predictionIntervals } from "../../../src/core/stats/prediction-interval.ts";
import { expectAllClose } from "../../support/close.ts";

interface Frame {
  mean: number[];
  mean_se: number[];
  mean_ci_lower: number[];
  mean_ci_upper: number[];
  obs_ci_lower: number[];
  obs_ci_upper: number[];
}

interface Case {
  name: string;
  intercept: boolean;
  X: number[][];
  y: number[];
  X_new: number[][];
  params: number[];
  scale: number;
  df_resid: number;
  frames: Record<string, Frame>;
  mp_mean_se: number[];
}

const RTOL = 1e-8;
const cases = fixtures.cases as Case[];

function fitOf(c: Case): OlsFit {
  return c.intercept ? { coef: c.params.slice(1), intercept: c.params[0], fitIntercept: true } : { coef: c.params, intercept: 0, fitIntercept: false };
}

function setUp(c: Case) {
  const fit = fitOf(c);
  const inference = olsInference(fromRows(c.X), Float64Array.from(c.y), fit);
  return { fit, inference, Xnew: fromRows(c.X_new) };
}

const worst = new Map<string, number>();
function track(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>) {
  let w = worst.get(label) ?? 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    w = Math.max(w, e === 0 ? Math.abs(actual[i]) : Math.abs(actual[i] - e) / Math.abs(e));
  }
  worst.set(label, w);
}

describe("OLS prediction intervals against statsmodels", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const { fit, inference, Xnew } = setUp(c);
    expectAllClose([inference.sigma2 as number], [c.scale], 1e-10, 0, "scale");
    for (const [alpha, frame] of Object.entries(c.frames)) {
      const level = 1 - Number(alpha);
      const r = predictionIntervals(Xnew, fit, inference, { level });
      expect(r.level).toBe(level);
      expectAllClose(r.mean, frame.mean, RTOL, 0, `mean (${alpha})`);
      expectAllClose(r.meanSe, c.mp_mean_se, 1e-10, 0, `mean_se vs mpmath (${alpha})`);
      expectAllClose(r.meanSe, frame.mean_se, 1e-7, 0, `mean_se vs statsmodels (${alpha})`);
      // Bounds to 1e-8 of their scale |ŷ| + half-width: one bound can sit near 0 (no-intercept
      // case), where scipy's t.ppf (~2e-9 relative off, see gen_inference.py) dominates.
      for (const [label, lower, upper, eLower, eUpper] of [
        ["mean_ci", r.meanCiLower, r.meanCiUpper, frame.mean_ci_lower, frame.mean_ci_upper],
        ["obs_ci", r.obsCiLower, r.obsCiUpper, frame.obs_ci_lower, frame.obs_ci_upper],
      ] as const) {
        const half = eUpper.map((u, i) => (u - eLower[i]) / 2);
        // statsmodels' mean half-width carries its mean_se error (~3e-8 with large offsets):
        // 1e-7 against it, 1e-8 against its t quantile times the mpmath standard error.
        const ours = Array.from(upper, (u, i) => (u - lower[i]) / 2);
        expectAllClose(ours, half, label === "mean_ci" ? 1e-7 : RTOL, 0, `${label} half-width (${alpha})`);
        if (label === "mean_ci") {
          const exact = half.map((h, i) => (frame.mean_se[i] === 0 ? 0 : (h / frame.mean_se[i]) * c.mp_mean_se[i]));
          expectAllClose(ours, exact, RTOL, 0, `mean_ci half-width vs t·mp_mean_se (${alpha})`);
          track("mean_ci half-width vs t·mp_mean_se", ours, exact);
        }
        for (let i = 0; i < half.length; i++) {
          const scale = Math.abs(frame.mean[i]) + half[i];
          expectAllClose([lower[i], upper[i]], [eLower[i], eUpper[i]], 0, RTOL * scale, `${label}[${i}] (${alpha})`);
        }
        track(`${label} half-width`, ours, half);
        const boundErr = half.map((h, i) => {
          const err = Math.max(Math.abs(lower[i] - eLower[i]), Math.abs(upper[i] - eUpper[i]));
          return err === 0 ? 0 : err / (Math.abs(frame.mean[i]) + h);
        });
        worst.set(`${label} bounds / (|ŷ| + half-width)`, Math.max(worst.get(`${label} bounds / (|ŷ| + half-width)`) ?? 0, ...boundErr));
      }
      expectAllClose(r.obsSe, Array.from(r.meanSe, (se) => Math.sqrt(c.scale + se * se)), 1e-10, 0, `obs se (${alpha})`);
      track("mean", r.mean, frame.mean);
      track("mean_se vs mpmath", r.meanSe, c.mp_mean_se);
      track("mean_se vs statsmodels", r.meanSe, frame.mean_se);
    }
  });

  it("reports the worst relative errors", () => {
    // eslint-disable-next-line no-console
    console.log("worst relative error (prediction intervals):", Object.fromEntries([...worst].map(([k, v]) => [k, Number(v.toExponential(2))])));
    expect(worst.get("mean_se vs mpmath")).toBeLessThan(1e-10);
  });
});

describe("OLS prediction intervals: numerics and input checks", () => {
  const offsets = cases.find((c) => c.name.startsWith("large_offsets")) as Case;

  it("avoids the cancellation of the assembled quadratic form for features far from the origin", () => {
    const { fit, inference, Xnew } = setUp(offsets);
    const stable = predictionIntervals(Xnew, fit, inference);
    // Without nObs only the assembled x̃ᵀ Cov x̃ is possible: right to ~1e-8, like statsmodels.
    const { nObs: _n, ...covarianceOnly } = inference;
    const assembled = predictionIntervals(Xnew, fit, covarianceOnly);
    let stableErr = 0;
    let assembledErr = 0;
    for (let i = 0; i < offsets.mp_mean_se.length; i++) {
      stableErr = Math.max(stableErr, Math.abs(stable.meanSe[i] / offsets.mp_mean_se[i] - 1));
      assembledErr = Math.max(assembledErr, Math.abs(assembled.meanSe[i] / offsets.mp_mean_se[i] - 1));
    }
    expect(stableErr).toBeLessThan(1e-11);
    expect(assembledErr).toBeLessThan(1e-6);
    expect(assembledErr).toBeGreaterThan(100 * stableErr);
  });

  it("falls back to the assembled form when the covariance is not σ²(X̃ᵀX̃)⁻¹ over nObs rows", () => {
    const c = cases[0];
    const { fit, inference, Xnew } = setUp(c);
    const { nObs: _n, ...covarianceOnly } = inference;
    const wrongN = predictionIntervals(Xnew, fit, { ...inference, nObs: inference.nObs * 3 });
    expectAllClose(wrongN.meanSe, predictionIntervals(Xnew, fit, covarianceOnly).meanSe, 1e-12, 0, "fallback");
  });

  it("has zero mean uncertainty at the origin without intercept, and obs ⊇ mean intervals", () => {
    const c = cases.find((k) => !k.intercept) as Case;
    const { fit, inference, Xnew } = setUp(c);
    const r = predictionIntervals(Xnew, fit, inference);
    expect(r.meanSe[0]).toBe(0);
    expect(r.mean[0]).toBe(0);
    for (let i = 0; i < r.mean.length; i++) {
      expect(r.obsCiLower[i]).toBeLessThan(r.meanCiLower[i]);
      expect(r.obsCiUpper[i]).toBeGreaterThan(r.meanCiUpper[i]);
    }
  });

  it("rejects fits without a covariance, bad levels and mismatched shapes", () => {
    const { fit, inference, Xnew } = setUp(cases[0]);
    expect(() => predictionIntervals(Xnew, fit, { ...inference, covariance: null })).toThrow(InvalidInputError);
    expect(() => predictionIntervals(Xnew, fit, { ...inference, sigma2: null })).toThrow(InvalidInputError);
    expect(() => predictionIntervals(Xnew, fit, inference, { level: 1.5 })).toThrow(InvalidInputError);
    expect(() => predictionIntervals(Xnew, { ...fit, coef: [1] }, inference)).toThrow(RangeError);
    expect(() => predictionIntervals(Xnew, { ...fit, fitIntercept: false }, inference)).toThrow(RangeError);
  });
});
