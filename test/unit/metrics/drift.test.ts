import { describe, expect, it } from "vitest";
import cases from "../../fixtures/metrics/ks.json" with { type: "json" };
import { binProportions, ksTwoSample, populationStabilityIndex } from "../../../src/core/metrics/drift.ts";
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
