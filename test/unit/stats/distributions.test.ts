/**
 * The distribution wrappers against scipy 1.10 (test/fixtures/gen_inference.py): relative
 * 1e-12 wherever the value is not tiny, including the far tails where 1 − cdf would cancel.
 */
import { describe, expect, it } from "vitest";
import fixtures from "../../fixtures/stats/distributions.json" with { type: "json" };
import { fQuantile, fSf, normalCdf, normalQuantile, normalSf, tCdf, tQuantile, tSf } from "../../../src/core/stats/distributions.ts";
import { expectClose } from "../../support/close.ts";

const RTOL = 1e-12;
// Quantiles are compared with mpmath (40 digits), not scipy: scipy 1.10's t.ppf is off by up
// to ~5e-9 relative (the fixture keeps its values as `scipy`).

describe("Student's t", () => {
  it.each(fixtures.t.map((c) => [`x=${c.x} df=${c.df}`, c] as const))("cdf and sf at %s", (_n, c) => {
    expectClose(tCdf(c.x, c.df), c.cdf, RTOL, 0, "cdf");
    expectClose(tSf(c.x, c.df), c.sf, RTOL, 0, "sf");
  });
  it.each(fixtures.t_quantile.map((c) => [`p=${c.p} df=${c.df}`, c] as const))("quantile at %s", (_n, c) => {
    expectClose(tQuantile(c.p, c.df), c.value, RTOL, 1e-14, "quantile");
  });
  it("is NaN for invalid degrees of freedom", () => {
    expect(tSf(1, 0)).toBeNaN();
    expect(tQuantile(0.5, -1)).toBeNaN();
  });
});

describe("F", () => {
  it.each(fixtures.f_sf.map((c) => [`x=${c.x} d=(${c.d1}, ${c.d2})`, c] as const))("sf at %s", (_n, c) => {
    expectClose(fSf(c.x, c.d1, c.d2), c.sf, RTOL, 0, "sf");
  });
  it.each(fixtures.f_quantile.map((c) => [`p=${c.p} d=(${c.d1}, ${c.d2})`, c] as const))("quantile at %s", (_n, c) => {
    expectClose(fQuantile(c.p, c.d1, c.d2), c.value, RTOL, 0, "quantile");
  });
  it("has sf 1 at and below 0, 0 at infinity, NaN for bad parameters", () => {
    expect(fSf(0, 3, 4)).toBe(1);
    expect(fSf(-2, 3, 4)).toBe(1);
    expect(fSf(Infinity, 3, 4)).toBe(0);
    expect(fSf(1, 0, 4)).toBeNaN();
    expect(fSf(NaN, 3, 4)).toBeNaN();
  });
  it("sf and quantile are inverse", () => {
    for (const p of [0.01, 0.5, 0.99]) expectClose(fSf(fQuantile(p, 4, 35), 4, 35), 1 - p, 1e-12);
  });
});

describe("standard normal", () => {
  it.each(fixtures.normal.map((c) => [c.x, c] as const))("cdf and sf at %s", (_n, c) => {
    expectClose(normalCdf(c.x), c.cdf, RTOL, 0, "cdf");
    expectClose(normalSf(c.x), c.sf, RTOL, 0, "sf");
  });
  it.each(fixtures.normal_quantile.map((c) => [c.p, c] as const))("quantile at %s", (_n, c) => {
    expectClose(normalQuantile(c.p), c.value, RTOL, 1e-15, "quantile");
  });
  it("quantile is ∓∞ at 0 and 1, NaN outside, and inverts the cdf in both tails", () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(1.5)).toBeNaN();
    for (const p of [1e-250, 1e-30, 1e-5, 0.2]) {
      expectClose(normalCdf(normalQuantile(p)), p, 1e-13, 0, `cdf(quantile(${p}))`);
      expectClose(normalSf(normalQuantile(1 - p)), 1 - (1 - p), 1e-13, 0, `sf(quantile(1 − ${p}))`);
    }
  });
});
