/**
 * What a fit records of its inputs for serving and drift (summary.signature, summary.reference):
 * categories are counted by their names, whatever the name, and numbers by their order
 * statistics (compared with a sort).
 */
import { describe, expect, it } from "vitest";
import { fitModel } from "../../../src/services/training/fitting.ts";
import { quantileSorted } from "../../../src/core/dataset/stats.ts";

const n = 300;
const categories = ["__proto__", "constructor", "toString", "plain"];
const codes = Int32Array.from({ length: n }, (_, i) => (i % 9 === 0 ? -1 : i % 4));
const x = Float64Array.from({ length: n }, (_, i) => (i % 13 === 0 ? NaN : ((i * 37) % 101) / 7));
const y = Float64Array.from({ length: n }, (_, i) => (i % 17) * 2 + (i % 4) + ((i * 7) % 5) / 10);
const summary = fitModel({
  algorithm: "LINEAR_REGRESSION",
  hyperparameters: {},
  target: { name: "y", type: "NUMBER", values: y },
  features: [
    { name: "c", type: "CATEGORY", values: codes, categories },
    { name: "x", type: "NUMBER", values: x },
  ],
  testFraction: 0.2,
  seed: 1,
  preprocessing: { c: { impute: "most_frequent" }, x: { impute: "mean" } },
}).summary as unknown as {
  trainingRows: number;
  signature: { name: string; min: number | null; max: number | null; categories: string[] | null }[];
  reference: ({ kind: "category"; frequencies: Record<string, number> } | { kind: "number"; edges: number[]; expected: number[]; sample: number[] })[];
};

describe("a fit's training profile", () => {
  it("keeps every category by name, Object.prototype's member names included, through JSON", () => {
    const reference = JSON.parse(JSON.stringify(summary.reference[0])) as { frequencies: Record<string, number> };
    expect(Object.keys(reference.frequencies).sort()).toEqual([...categories].sort());
    expect(Object.values(reference.frequencies).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(summary.signature[0].categories).toEqual(["__proto__", "constructor", "plain", "toString"]);
  });

  it("gives a number column's range, deciles and bin shares as a sort of its training values would", () => {
    const reference = summary.reference[1] as { edges: number[]; expected: number[]; sample: number[] };
    const sample = reference.sample;
    // The sample holds every training value here (fewer than 1,000), sorted: the sort to compare with.
    const sorted = Float64Array.from(sample);
    expect(Array.from(sorted)).toEqual(Array.from(Float64Array.from(sample).sort()));
    expect(summary.signature[1]).toMatchObject({ min: sorted[0], max: sorted[sorted.length - 1] });
    expect(reference.edges).toEqual([...new Set(Array.from({ length: 9 }, (_, k) => quantileSorted(sorted, (k + 1) / 10)))]);
    const shares = reference.edges.map((e, j) => sample.filter((v) => v <= e && (j === 0 || v > reference.edges[j - 1])).length / sample.length);
    shares.push(sample.filter((v) => v > reference.edges[reference.edges.length - 1]).length / sample.length);
    expect(reference.expected).toEqual(shares);
  });
});
