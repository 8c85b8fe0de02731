import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { pairwiseSum } from "../../../src/core/dataset/summation.ts";
import { momentsOf } from "../../../src/core/dataset/stats.ts";

const { sums } = JSON.parse(readFileSync(new URL("../../fixtures/preprocessing/stats.json", import.meta.url), "utf8")) as {
  sums: { n: number; nansum: number; mean: number }[];
};

/** The generator's values: x_i = 1e8 + ((i·7919) mod 1000)/997, NaN at every 13th index. */
function values(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => (i % 13 === 0 ? NaN : 1e8 + ((i * 7919) % 1000) / 997));
}

describe("pairwiseSum", () => {
  it.each(sums.map((c) => [c.n, c] as const))("equals numpy.nansum bit for bit (n = %d)", (_, c) => {
    const x = values(c.n);
    expect(pairwiseSum(x)).toBe(c.nansum);
    expect(momentsOf(x).mean).toBe(c.mean);
  });

  it("sums a sub-range and is more accurate than a running sum", () => {
    const x = Float64Array.from({ length: 10 }, (_, i) => i);
    expect(pairwiseSum(x, 2, 5)).toBe(9);
    const tenths = new Float64Array(1_000_000).fill(0.1);
    let naive = 0;
    for (const v of tenths) naive += v;
    expect(Math.abs(pairwiseSum(tenths) - 100_000)).toBeLessThan(Math.abs(naive - 100_000));
  });
});
