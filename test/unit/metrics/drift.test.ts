import { describe, expect, it } from "vitest";
import cases from "../../fixtures/metrics/ks.json" with { type: "json" };
import { binProportions, driftStatus, KS_ALPHA, ksTwoSample, MIN_DRIFT_SAMPLE, populationStabilityIndex } from "../../../src/core/metrics/drift.ts";
import { createRandom } from "../../../src/core/random.ts";
import { expectClose } from "../../support/close.ts";

describe("two-sample Kolmogorov–Smirnov against scipy's ks_2samp", () => {
  it.each(cases.map((c, i) => [i, c] as const))("case %i", (_i, c) => {
    const { statistic, pValue } = ksTwoSample(c.a, c.b);
    expectClose(statistic, c.statistic, 1e-12, 0, "D");
    // scipy's asymptotic p-value omits Stephens' small-sample correction: agree to a few %.
    expectClose(pValue, c.pValue, 0.1, 1e-3, "p-value");
  });
});

describe("population stability index", () => {
  it("is 0 for identical distributions and matches the formula otherwise", () => {
    expect(populationStabilityIndex([0.25, 0.25, 0.5], [0.25, 0.25, 0.5])).toBe(0);
    const expected = 0.1 * Math.log(0.2 / 0.1) + -0.1 * Math.log(0.8 / 0.9);
    expectClose(populationStabilityIndex([0.1, 0.9], [0.2, 0.8]), expected, 1e-15);
  });

  it("bins values right-closed between edges", () => {
    expect(Array.from(binProportions([1, 2, 2, 3, 10], [2, 3]))).toEqual([0.6, 0.2, 0.2]);
  });

  it("puts each value in the bin a binary search over the edges finds, NaN in the last, for 0 to 9 edges", () => {
    let state = 3;
    const next = () => (state = (state * 16807) % 2147483647) / 2147483647;
    for (let m = 0; m <= 9; m++) {
      const edges = Array.from({ length: m }, () => Math.floor(next() * 20) / 2).sort((a, b) => a - b);
      const values = Array.from({ length: 500 }, (_, i) => (i % 50 === 0 ? NaN : Math.floor(next() * 24) / 2 - 1));
      const counts = new Array<number>(m + 1).fill(0);
      for (const x of values) {
        let lo = 0;
        let hi = m;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (x <= edges[mid]) hi = mid;
          else lo = mid + 1;
        }
        counts[lo]++;
      }
      expect(Array.from(binProportions(values, edges))).toEqual(counts.map((c) => c / values.length));
    }
    expect(Array.from(binProportions([], [1]))).toEqual([0, 0]);
  });
});

describe("drift verdict", () => {
  it("gives none below the minimum sample, and judges from it on", () => {
    expect(MIN_DRIFT_SAMPLE).toBe(100);
    const big = { psi: 6.7, pValue: 1e-9 };
    expect(driftStatus({ ...big, count: MIN_DRIFT_SAMPLE - 1 }, 0.2)).toBe("INSUFFICIENT_DATA");
    expect(driftStatus({ ...big, count: MIN_DRIFT_SAMPLE }, 0.2)).toBe("DRIFTED");
    expect(driftStatus({ ...big, count: 0 }, 0.2)).toBe("INSUFFICIENT_DATA");
  });

  it("needs both tests for numbers (PSI above the threshold and KS p below 0.05), PSI alone for categories", () => {
    const count = 500;
    expect(driftStatus({ count, psi: 0.5, pValue: KS_ALPHA }, 0.2)).toBe("STABLE");
    expect(driftStatus({ count, psi: 0.5, pValue: KS_ALPHA / 2 }, 0.2)).toBe("DRIFTED");
    expect(driftStatus({ count, psi: 0.2, pValue: 1e-12 }, 0.2)).toBe("STABLE");
    expect(driftStatus({ count, psi: 0.21, pValue: null }, 0.2)).toBe("DRIFTED");
  });

  it("at the minimum sample, flags an unchanged distribution in under 5% of windows", () => {
    // Reference: 10 000 uniform values, deciles as edges (what training stores); windows of
    // MIN_DRIFT_SAMPLE values from the same distribution, judged by PSI alone (the stricter case).
    const random = createRandom(11);
    const reference = Float64Array.from({ length: 10_000 }, () => random.float()).sort();
    const edges = Array.from({ length: 9 }, (_, j) => reference[((j + 1) * reference.length) / 10]);
    const expected = binProportions(reference, edges);
    let flagged = 0;
    const windows = 2000;
    for (let t = 0; t < windows; t++) {
      const window = Float64Array.from({ length: MIN_DRIFT_SAMPLE }, () => random.float());
      const psi = populationStabilityIndex(expected, binProportions(window, edges));
      if (driftStatus({ count: window.length, psi, pValue: null }, 0.2) === "DRIFTED") flagged++;
    }
    expect(flagged / windows).toBeLessThan(0.05);
  });
});
