import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  booleanStats,
  categoryStats,
  columnStats,
  emptyMoments,
  mergeMoments,
  momentsOf,
  momentsVariance,
  numberStats,
  OrderStatistics,
  quantileSorted,
  quantilesOf,
} from "../../../src/core/dataset/stats.ts";
import { inferColumn } from "../../../src/core/dataset/columns.ts";
import { expectAllClose, expectClose, withNaN } from "../../support/close.ts";

interface DescribeCase {
  values: (number | null)[];
  count: number;
  missing: number;
  mean: number;
  std: number | null;
  min: number;
  max: number;
  quartiles: [number, number, number];
  histogram: { edges: number[]; counts: number[] };
}

const fixture = JSON.parse(readFileSync(new URL("../../fixtures/preprocessing/stats.json", import.meta.url), "utf8")) as { cases: Record<string, DescribeCase> };

describe("numberStats against exact moments and numpy quantiles (test/fixtures/gen_preprocessing.py)", () => {
  it.each(Object.entries(fixture.cases))("%s", (_, c) => {
    const s = numberStats(withNaN(c.values));
    expect(s.count).toBe(c.count);
    expect(s.missing).toBe(c.missing);
    expectClose(s.mean, c.mean, 1e-12, 0, "mean");
    expectClose(s.std, c.std, 1e-12, 0, "std");
    expect([s.min, s.max]).toEqual([c.min, c.max]);
    // numpy.percentile(linear) reproduced bit for bit.
    expect([s.q25, s.median, s.q75]).toEqual(c.quartiles);
    expect(s.histogram!.counts).toEqual(c.histogram.counts);
    expectAllClose(s.histogram!.edges, c.histogram.edges, 1e-15, 0, "edges");
    expect(s.histogram!.counts.reduce((a, b) => a + b, 0)).toBe(c.count);
  });

  it("gives nulls, never NaN, when values are missing or too few", () => {
    const none = numberStats(Float64Array.from([NaN, NaN]));
    expect(none).toMatchObject({ count: 0, missing: 2, mean: null, std: null, min: null, median: null, histogram: null });
    expect(numberStats(Float64Array.of(5)).std).toBeNull();
    expect(JSON.stringify(none)).not.toContain("NaN");
  });
});

describe("quantilesOf", () => {
  it("equals quantileSorted of the sorted values, bit for bit, for every size from 1 to 60 and with ties", () => {
    let state = 7;
    const next = () => (state = (state * 16807) % 2147483647) / 2147483647;
    const qs = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1];
    for (let n = 1; n <= 60; n++) {
      for (const ties of [false, true]) {
        const values = Float64Array.from({ length: n }, () => (ties ? Math.floor(next() * 5) : next() * 200 - 100));
        const before = values.slice();
        const sorted = values.slice().sort();
        expect(quantilesOf(values, qs)).toEqual(qs.map((q) => quantileSorted(sorted, q)));
        expect(values).toEqual(before);
      }
    }
    expect(quantilesOf(new Float64Array(0), [0.5])).toEqual([NaN]);
  });
});

describe("OrderStatistics", () => {
  let state = 11;
  const next = () => (state = (state * 16807) % 2147483647) / 2147483647;
  /**
   * Every rank of `values`, or `count` ranks drawn at random, against a sort (Object.is tells
   * −0 from +0); and countAtMost and countBelow, at each value asked for, between neighbours and
   * outside the range, against a count.
   */
  function expectLikeSort(values: Float64Array, count?: number): void {
    const sorted = values.slice().sort();
    const n = values.length;
    const ranks = count === undefined ? Array.from({ length: n }, (_, r) => r) : Array.from({ length: count }, () => Math.floor(next() * n));
    const order = new OrderStatistics(values, ranks);
    for (const rank of ranks) {
      if (!Object.is(order.at(rank), sorted[rank])) expect({ rank, got: order.at(rank) }).toEqual({ rank, got: sorted[rank] });
    }
    const probes = [...ranks.slice(0, 200).flatMap((r) => [sorted[r], (sorted[r] + sorted[Math.min(n - 1, r + 1)]) / 2]), sorted[0] - 1, sorted[n - 1] + 1, Infinity, -Infinity, NaN];
    for (const x of probes) {
      let atMost = 0;
      let below = 0;
      for (const v of sorted) {
        if (v <= x) atMost++;
        if (v < x) below++;
      }
      if (order.countAtMost(x) !== atMost) expect({ x, got: order.countAtMost(x) }).toEqual({ x, got: atMost });
      if (order.countBelow(x) !== below) expect({ x, below: order.countBelow(x) }).toEqual({ x, below });
    }
  }

  it("gives what a sort puts at every rank, for every size from 1 to 80, with and without ties", () => {
    for (let n = 1; n <= 80; n++) {
      expectLikeSort(Float64Array.from({ length: n }, () => next() * 2e6 - 1e6));
      expectLikeSort(Float64Array.from({ length: n }, () => Math.floor(next() * 4) - 2));
    }
  });

  it("handles data that fills few buckets: one value, an outlier, ±0, a range wider than a double, subnormals", () => {
    const n = 200_000;
    expectLikeSort(new Float64Array(n).fill(3.5), 500);
    const outlier = Float64Array.from({ length: n }, () => next());
    outlier[12_345] = 1e12;
    expectLikeSort(outlier, 2_000);
    expectLikeSort(Float64Array.from({ length: 5_000 }, (_, i) => (i % 3 === 0 ? -0 : i % 3 === 1 ? 0 : next() - 0.5)));
    expectLikeSort(Float64Array.from({ length: 5_000 }, (_, i) => (i % 2 ? 1.7e308 : -1.7e308) * next()));
    expectLikeSort(Float64Array.from({ length: 5_000 }, () => next() * 1e-310));
  });

  it("matches a sort on a million normal draws at 1,009 ranks (the drift reference's deciles and sample)", () => {
    const values = Float64Array.from({ length: 1_000_000 }, () => Math.sqrt(-2 * Math.log(next() || 1e-300)) * Math.cos(2 * Math.PI * next()));
    expectLikeSort(values, 1_009);
  });

  it("counts values at most x even where no rank was asked for (by a pass over the values)", () => {
    const values = Float64Array.from({ length: 10_000 }, () => Math.floor(next() * 1000));
    const order = new OrderStatistics(values, [0]);
    for (const x of [-1, 0, 1.5, 499, 500, 998.5, 999, 1e9]) {
      expect(order.countAtMost(x)).toBe(Array.from(values).filter((v) => v <= x).length);
      expect(order.countBelow(x)).toBe(Array.from(values).filter((v) => v < x).length);
    }
  });

  it("refuses ranks outside the values, and ranks it was not asked for", () => {
    expect(() => new OrderStatistics(Float64Array.of(1, 2), [2])).toThrow(RangeError);
    expect(() => new OrderStatistics(Float64Array.of(1, 2), [-1])).toThrow(RangeError);
    expect(() => new OrderStatistics(Float64Array.of(1, 2), [0.5])).toThrow(RangeError);
    expect(() => new OrderStatistics(Float64Array.from({ length: 100 }, (_, i) => i), [0]).at(99)).toThrow(/not asked for/);
    expect(new OrderStatistics(new Float64Array(0), []).countAtMost(1)).toBe(0);
  });
});

describe("quantileSorted", () => {
  it("interpolates linearly between order statistics (Hyndman & Fan type 7)", () => {
    const x = Float64Array.of(1, 2, 3, 4);
    expect([0, 0.25, 0.5, 0.75, 1].map((q) => quantileSorted(x, q))).toEqual([1, 1.75, 2.5, 3.25, 4]);
    expect(quantileSorted(new Float64Array(0), 0.5)).toBeNaN();
  });
});

describe("moments", () => {
  it("merge chunk by chunk to the moments of the whole column", () => {
    const values = withNaN(fixture.cases.with_missing.values);
    const whole = momentsOf(values);
    let merged = emptyMoments();
    for (let start = 0; start < values.length; start += 37) {
      merged = mergeMoments(merged, momentsOf(values, start, Math.min(values.length, start + 37)));
    }
    expect(merged.count).toBe(whole.count);
    expectClose(merged.mean, whole.mean, 1e-14);
    expectClose(momentsVariance(merged, 1), momentsVariance(whole, 1), 1e-12);
    expect([merged.min, merged.max]).toEqual([whole.min, whole.max]);
    expect(mergeMoments(emptyMoments(), whole)).toEqual(whole);
  });

  it("stay accurate where the naive Σx² − n·mean² formula cancels", () => {
    const x = Float64Array.from({ length: 1000 }, (_, i) => 1e9 + (i % 2));
    expect(momentsVariance(momentsOf(x), 0)).toBe(0.25);
    // Merging carries the rounding of each chunk's mean (ulp(1e9) ≈ 1e-7) into the δ² term.
    const halves = mergeMoments(momentsOf(x, 0, 333), momentsOf(x, 333));
    expectClose(momentsVariance(halves, 0), 0.25, 1e-10);
  });
});

describe("booleanStats and categoryStats", () => {
  it("counts true, false and missing", () => {
    expect(booleanStats(Float64Array.of(1, 0, NaN, 1))).toMatchObject({ count: 3, missing: 1, trueCount: 2, falseCount: 1, mean: 2 / 3, std: null, histogram: null });
    expect(booleanStats(Float64Array.of(NaN)).mean).toBeNull();
  });

  it("ranks top values by count, ties in order of first appearance, and counts distinct", () => {
    const c = inferColumn("c", ["b", "a", "", "c", "a", "b", "d", "c", " "]);
    expect(columnStats(c)).toMatchObject({
      count: 7,
      missing: 2,
      distinct: 4,
      topValues: [{ value: "b", count: 2 }, { value: "a", count: 2 }, { value: "c", count: 2 }, { value: "d", count: 1 }],
      mean: null,
    });
    const codes = Int32Array.from({ length: 30 }, (_, i) => i % 15);
    expect(categoryStats(codes, Array.from({ length: 20 }, (_, k) => `v${k}`)).topValues!.map((t) => t.value)).toEqual(
      ["v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9"],
    );
    expect(categoryStats(codes, Array.from({ length: 20 }, (_, k) => `v${k}`)).distinct).toBe(15);
  });

  it("columnStats dispatches on the column type, one flat shape for all", () => {
    const keys = Object.keys(columnStats(inferColumn("n", ["1", "2"]))).sort();
    expect(Object.keys(columnStats(inferColumn("b", ["true"]))).sort()).toEqual(keys);
    expect(Object.keys(columnStats(inferColumn("c", ["x"]))).sort()).toEqual(keys);
  });
});
