/**
 * Logit inference against statsmodels 0.13 (fixtures from test/fixtures/gen_logit_inference.py:
 * `Logit(...).fit(method="newton", tol=1e-12)`): every statistic to 1e-6 relative (p-values:
 * 1e-6 relative or 1e-12 absolute), given statsmodels' fitted parameters (logitInference takes
 * the fit as input, so it is tested apart from any solver). The weighted case's reference is
 * statsmodels' fit on the rows repeated `weights` times. statsmodels orders its vectors
 * [const, x0, x1, …], as `covariance` does. Standard errors are also compared with 40-digit
 * mpmath values (`mp_bse`), to which statsmodels itself is only ~5e-10 close in the
 * large-offset case.
 */
import { describe, expect, it } from "vitest";
import fixtures from "../../fixtures/stats/logit.json" with { type: "json" };
import { InvalidInputError } from "../../../src/core/errors.ts";
import { LogisticRegression } from "../../../src/core/estimators/logistic-regression.ts";
import { fromRows, type Matrix } from "../../../src/core/matrix.ts";
import { chiSquareSf, logitInference, type CoefficientInference, type LogitFit, type LogitInference } from "../../../src/core/stats/logit-inference.ts";
import { expectAllClose, expectClose } from "../../support/close.ts";

interface Case {
  name: string;
  intercept: boolean;
  X: number[][];
  y: number[];
  weights?: number[];
  params: number[];
  bse: number[];
  mp_bse: number[];
  tvalues: number[];
  pvalues: number[];
  conf_int_95: number[][];
  conf_int_90: number[][];
  cov_params: number[][];
  llf: number;
  llnull: number;
  llr: number;
  llr_pvalue: number;
  prsquared: number;
  aic: number;
  bic: number;
  df_model: number;
  df_resid: number;
  nobs: number;
  condition_number: number;
}

const RTOL = 1e-6;
const P_ATOL = 1e-12;
const cases = fixtures.cases as Case[];

function load(c: Case): { X: Matrix; y: Float64Array } {
  return { X: fromRows(c.X), y: Float64Array.from(c.y) };
}

function fitOf(c: Case): LogitFit {
  return c.intercept ? { coef: c.params.slice(1), intercept: c.params[0], fitIntercept: true } : { coef: c.params, intercept: 0, fitIntercept: false };
}

/** statsmodels' order: [const, x0, …]. */
function rows(r: LogitInference): CoefficientInference[] {
  return r.intercept ? [r.intercept, ...r.coefficients] : r.coefficients;
}

/** Worst relative error seen per statistic, printed once at the end (for the report). */
const worst = new Map<string, number>();
function track(label: string, actual: ArrayLike<number | null>, expected: ArrayLike<number>) {
  let w = worst.get(label) ?? 0;
  for (let i = 0; i < expected.length; i++) w = Math.max(w, Math.abs((actual[i] as number) - expected[i]) / Math.abs(expected[i]));
  worst.set(label, w);
}

describe("logit inference against statsmodels", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const { X, y } = load(c);
    const fit = fitOf(c);
    const options = c.weights ? { sampleWeight: c.weights } : {};
    const r = logitInference(X, y, fit, options);
    const r90 = logitInference(X, y, fit, { ...options, level: 0.9 });
    const coef = rows(r);
    const k = c.params.length;

    expect(r.nObs).toBe(c.nobs);
    expect(r.rank).toBe(k);
    expect(r.dfModel).toBe(c.df_model);
    expect(r.dfResid).toBe(c.df_resid);
    expect(r.level).toBe(0.95);
    expect(r.intercept === null).toBe(!c.intercept);
    // The large-offset design's condition number (~1e6) is below the 1e10 warning threshold.
    expect(r.warnings).toEqual([]);

    const se = coef.map((v) => v.stdError as number);
    const z = coef.map((v) => v.tValue as number);
    const pv = coef.map((v) => v.pValue as number);
    expectAllClose(coef.map((v) => v.estimate), c.params, 0, 0, "params");
    expectAllClose(se, c.bse, RTOL, 0, "bse");
    expectAllClose(se, c.mp_bse, 1e-12, 0, "bse vs mpmath");
    expectAllClose(z, c.tvalues, RTOL, 0, "z values");
    expectAllClose(pv, c.pvalues, RTOL, P_ATOL, "pvalues");
    expectAllClose(coef.map((v) => v.ciLower as number), c.conf_int_95.map((ci) => ci[0]), RTOL, 0, "ci95 lower");
    expectAllClose(coef.map((v) => v.ciUpper as number), c.conf_int_95.map((ci) => ci[1]), RTOL, 0, "ci95 upper");
    expectAllClose(rows(r90).map((v) => v.ciLower as number), c.conf_int_90.map((ci) => ci[0]), RTOL, 0, "ci90 lower");
    expectAllClose(rows(r90).map((v) => v.ciUpper as number), c.conf_int_90.map((ci) => ci[1]), RTOL, 0, "ci90 upper");
    const cov = r.covariance as number[][];
    const covScale = Math.max(...c.cov_params.flat().map(Math.abs));
    expectAllClose(cov.flat(), c.cov_params.flat(), RTOL, RTOL * covScale, "cov_params");
    expectClose(r.logLikelihood, c.llf, RTOL, 0, "llf");
    expectClose(r.nullLogLikelihood, c.llnull, RTOL, 0, "llnull");
    expectClose(r.llrStatistic, c.llr, RTOL, 0, "llr");
    expectClose(r.llrPValue, c.llr_pvalue, RTOL, P_ATOL, "llr_pvalue");
    expectClose(r.pseudoRSquared, c.prsquared, RTOL, 0, "prsquared");
    expectClose(r.aic, c.aic, RTOL, 0, "aic");
    expectClose(r.bic, c.bic, RTOL, 0, "bic");
    expectClose(r.conditionNumber, c.condition_number, RTOL, 0, "condition number");

    for (let i = 0; i < k; i++) {
      expectClose(Math.sqrt(cov[i][i]), se[i], 1e-14, 0, `cov[${i}][${i}]`);
      for (let j = 0; j < i; j++) expect(cov[i][j]).toBe(cov[j][i]);
    }

    track("bse", se, c.bse);
    track("bse vs mpmath", se, c.mp_bse);
    track("z values", z, c.tvalues);
    track("pvalues", pv, c.pvalues);
    track("conf_int", coef.flatMap((v) => [v.ciLower as number, v.ciUpper as number]), c.conf_int_95.flat());
    track("llf/llnull/llr", [r.logLikelihood, r.nullLogLikelihood, r.llrStatistic], [c.llf, c.llnull, c.llr]);
    track("llr_pvalue", [r.llrPValue], [c.llr_pvalue]);
    track("prsquared/aic/bic", [r.pseudoRSquared, r.aic, r.bic], [c.prsquared, c.aic, c.bic]);
    track("condition_number", [r.conditionNumber], [c.condition_number]);
  });

  it("reports the worst relative errors", () => {
    // eslint-disable-next-line no-console
    console.log("worst relative error vs statsmodels:", Object.fromEntries([...worst].map(([k, v]) => [k, Number(v.toExponential(2))])));
    for (const v of worst.values()) expect(v).toBeLessThan(RTOL);
  });
});

describe("logit inference: weights, separation, rank and input checks", () => {
  const weighted = cases.find((c) => c.weights) as Case;
  const plain = cases.find((c) => c.intercept && !c.weights) as Case;

  it("treats integer weights as repeated rows and zero weights as dropped rows", () => {
    const { X, y } = load(weighted);
    const fit = fitOf(weighted);
    const w = weighted.weights as number[];
    const repeated = weighted.X.flatMap((row, i) => Array.from({ length: w[i] }, () => row));
    const a = logitInference(X, y, fit, { sampleWeight: w });
    const b = logitInference(fromRows(repeated), Float64Array.from(weighted.y.flatMap((v, i) => Array<number>(w[i]).fill(v))), fit);
    expectAllClose(rows(a).map((v) => v.stdError as number), rows(b).map((v) => v.stdError as number), 1e-12, 0, "repeated-row SEs");
    expectClose(a.logLikelihood, b.logLikelihood, 1e-12, 0, "llf");
    expectClose(a.conditionNumber, b.conditionNumber, 1e-10, 0, "condition number");

    const zeroed = [...w, 0];
    const extraX = fromRows([...weighted.X, [100, -100, 100]]);
    const c = logitInference(extraX, Float64Array.from([...weighted.y, 1]), fit, { sampleWeight: zeroed });
    expectAllClose(rows(c).map((v) => v.stdError as number), rows(a).map((v) => v.stdError as number), 1e-12, 0, "zero-weight SEs");
    expectClose(c.conditionNumber, a.conditionNumber, 1e-10, 0, "zero-weight condition number");
  });

  it("warns about quasi-complete separation when the estimates diverge", () => {
    // y = 1 exactly when x₀ > 0, except for a mixed block at x₀ = 0: the MLE of β₀ is +∞.
    const xs: number[][] = [];
    const ys: number[] = [];
    for (let i = 0; i < 40; i++) {
      const x0 = i < 10 ? 0 : i < 25 ? -(i - 9) / 5 : (i - 24) / 5;
      xs.push([x0, Math.cos(i)]);
      ys.push(i < 10 ? i % 2 : x0 > 0 ? 1 : 0);
    }
    // What a solver stopped after many iterations gives: β₀ large, the rest near their limit.
    const r = logitInference(fromRows(xs), Float64Array.from(ys), { coef: [40, 0], intercept: 0, fitIntercept: true });
    expect(r.warnings.some((w) => w.includes("quasi-complete separation"))).toBe(true);
    expect(r.warnings.some((w) => w.includes("not the maximum-likelihood estimate"))).toBe(true);
    expect(r.coefficients[0].stdError as number).toBeGreaterThan(10);
  });

  it("reports complete separation without standard errors (statsmodels raises PerfectSeparationError)", () => {
    const X = fromRows([[-3], [-2], [-1], [1], [2], [3]]);
    const y = Float64Array.of(0, 0, 0, 1, 1, 1);
    const r = logitInference(X, y, { coef: [400], intercept: 0, fitIntercept: true });
    expect(r.covariance).toBeNull();
    expect(r.coefficients[0].stdError).toBeNull();
    expect(r.warnings.some((w) => w.startsWith("Complete separation"))).toBe(true);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it("withholds per-coefficient statistics for a collinear design", () => {
    const { X, y } = load(plain);
    const collinear = fromRows(plain.X.map((row) => [...row, row[0] - 2 * row[1]]));
    const fit = fitOf(plain);
    const r = logitInference(collinear, y, { ...fit, coef: [...Array.from(fit.coef), 0] });
    expect(r.rank).toBe(plain.params.length);
    expect(r.dfModel).toBe(plain.df_model);
    expect(r.covariance).toBeNull();
    for (const row of rows(r)) expect([row.stdError, row.tValue, row.pValue, row.ciLower]).toEqual([null, null, null, null]);
    expect(r.conditionNumber).toBeNull();
    expect(r.warnings.some((w) => w.includes("rank-deficient"))).toBe(true);
    // Everything that depends only on the fitted probabilities is unchanged.
    const full = logitInference(X, y, fit);
    expectClose(r.logLikelihood, full.logLikelihood, 1e-12);
    expectClose(r.llrPValue, full.llrPValue, 1e-12);
    expectClose(r.aic, full.aic, 1e-12);
  });

  it("accepts the core's unpenalized LogisticRegression fit (default tol) as the MLE", () => {
    for (const c of cases.filter((k) => !k.weights)) {
      const { X, y } = load(c);
      const model = new LogisticRegression({ penalty: "none", fit_intercept: c.intercept }).fit(X, y);
      const { coef, intercept } = model.coefficients();
      const r = logitInference(X, y, { coef, intercept: intercept[0] ?? 0, fitIntercept: c.intercept });
      expect(r.warnings).toEqual([]);
      // The solver stops at max |gradient| ≤ 1e-4: estimates within ~2e-7 relative of the MLE.
      expectAllClose(rows(r).map((v) => v.stdError as number), c.bse, 1e-5, 0, `${c.name} bse from the core's fit`);
      expectAllClose(rows(r).map((v) => v.estimate), c.params, 1e-5, 0, `${c.name} params from the core's fit`);
    }
  });

  it("warns when the coefficients are not the maximum-likelihood estimate", () => {
    const { X, y } = load(plain);
    const fit = fitOf(plain);
    const off = { ...fit, coef: Array.from(fit.coef, (v, j) => (j === 0 ? v * 1.01 : v)) };
    expect(logitInference(X, y, off).warnings.some((w) => w.includes("not the maximum-likelihood estimate"))).toBe(true);
  });

  it("keeps slope statistics invariant under a shift of a feature (centered information matrix)", () => {
    const { X, y } = load(plain);
    const fit = fitOf(plain);
    const shifted = fromRows(plain.X.map((row) => row.map((v, j) => (j === 1 ? v + 1e5 : v))));
    const moved = { ...fit, intercept: fit.intercept - 1e5 * fit.coef[1] };
    const a = logitInference(X, y, fit);
    const b = logitInference(shifted, y, moved);
    expectAllClose(b.coefficients.map((v) => v.stdError as number), a.coefficients.map((v) => v.stdError as number), 1e-8, 0, "slope SEs");
    expectClose(b.logLikelihood, a.logLikelihood, 1e-9);
  });

  it("computes χ² tail probabilities without 1 − cdf cancellation", () => {
    // scipy 1.10: chi2.sf(3.841458820694124, 1) = 0.04999999999999989, chi2.sf(200, 3) = 4.218541107192018e-43.
    expectClose(chiSquareSf(3.841458820694124, 1), 0.04999999999999989, 1e-12);
    expectClose(chiSquareSf(200, 3), 4.218541107192018e-43, 1e-12);
    expect(chiSquareSf(-1, 2)).toBe(1);
    expect(chiSquareSf(1, 0)).toBeNaN();
  });

  it("is JSON-ready and rejects bad input", () => {
    const { X, y } = load(plain);
    const fit = fitOf(plain);
    const r = logitInference(X, y, fit);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    expect(() => logitInference(X, y, fit, { level: 1 })).toThrow(InvalidInputError);
    expect(() => logitInference(X, Float64Array.from(y, (v, i) => (i === 3 ? 2 : v)), fit)).toThrow(InvalidInputError);
    expect(() => logitInference(X, y, fit, { sampleWeight: new Float64Array(y.length).fill(0) })).toThrow(InvalidInputError);
    expect(() => logitInference(X, y, fit, { sampleWeight: Float64Array.from(y, (_, i) => (i === 0 ? -1 : 1)) })).toThrow(InvalidInputError);
    expect(() => logitInference(X, y, { ...fit, intercept: Infinity })).toThrow(InvalidInputError);
    expect(() => logitInference(X, y.subarray(1), fit)).toThrow(RangeError);
    expect(() => logitInference(X, y, { ...fit, coef: [1] })).toThrow(RangeError);
  });
});
