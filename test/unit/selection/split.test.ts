import { describe, expect, it } from "vitest";
import { kFold, trainTestSplit } from "../../../src/core/selection/split.ts";
import { InvalidInputError } from "../../../src/core/errors.ts";

function isAscending(a: Int32Array): boolean {
  for (let i = 1; i < a.length; i++) if (a[i] <= a[i - 1]) return false;
  return true;
}

function expectPartition(n: number, ...parts: Int32Array[]): void {
  const all = parts.flatMap((p) => Array.from(p)).sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
  for (const p of parts) expect(isAscending(p)).toBe(true);
}

function countClasses(labels: ArrayLike<number>, rows: Int32Array): Map<number, number> {
  const counts = new Map<number, number>();
  for (const i of rows) counts.set(labels[i], (counts.get(labels[i]) ?? 0) + 1);
  return counts;
}

describe("trainTestSplit", () => {
  it("partitions 0..n-1 into sorted train and test sets of ⌈testFraction·n⌉ test rows", () => {
    const { train, test } = trainTestSplit(100, { testFraction: 0.25, seed: 7 });
    expect(test.length).toBe(25);
    expectPartition(100, train, test);
    expect(trainTestSplit(10, { testFraction: 0.3, seed: 1 }).test.length).toBe(3);
    expect(trainTestSplit(10, { testFraction: 0.21, seed: 1 }).test.length).toBe(3);
  });

  it("is reproducible per seed and changes with the seed", () => {
    const a = trainTestSplit(500, { testFraction: 0.2, seed: 42 });
    expect(trainTestSplit(500, { testFraction: 0.2, seed: 42 })).toEqual(a);
    expect(trainTestSplit(500, { testFraction: 0.2, seed: 43 }).test).not.toEqual(a.test);
  });

  it("puts every row in train when testFraction is 0", () => {
    const { train, test } = trainTestSplit(5, { testFraction: 0, seed: 3, stratify: Float64Array.of(0, 1, 1, 0, 2) });
    expect(Array.from(train)).toEqual([0, 1, 2, 3, 4]);
    expect(test.length).toBe(0);
  });

  it("stratified: keeps each class's share of rows in the test set", () => {
    const labels = Float64Array.from({ length: 1000 }, (_, i) => (i % 10 < 7 ? 0 : i % 10 < 9 ? 1 : 2));
    const { train, test } = trainTestSplit(1000, { testFraction: 0.2, seed: 11, stratify: labels });
    expectPartition(1000, train, test);
    expect(Object.fromEntries(countClasses(labels, test))).toEqual({ 0: 140, 1: 40, 2: 20 });
    const codes = Int32Array.from({ length: 31 }, (_, i) => (i < 21 ? 5 : 9));
    const small = trainTestSplit(31, { testFraction: 0.3, seed: 2, stratify: codes });
    expect(small.test.length).toBe(10);
    const perClass = countClasses(codes, small.test);
    expect(perClass.get(5)! + perClass.get(9)!).toBe(10);
    expect(Math.abs(perClass.get(5)! - 21 * (10 / 31))).toBeLessThan(1);
    expect(countClasses(codes, small.train).size).toBe(2);
  });

  it("stratified: draws different members per seed but the same counts", () => {
    const labels = Float64Array.from({ length: 60 }, (_, i) => i % 3);
    const a = trainTestSplit(60, { testFraction: 0.5, seed: 1, stratify: labels });
    const b = trainTestSplit(60, { testFraction: 0.5, seed: 2, stratify: labels });
    expect(a.test).not.toEqual(b.test);
    expect(countClasses(labels, a.test)).toEqual(countClasses(labels, b.test));
  });

  it("rejects a test fraction outside [0, 1), a train set that is empty or too small", () => {
    expect(() => trainTestSplit(10, { testFraction: 1, seed: 0 })).toThrow(InvalidInputError);
    expect(() => trainTestSplit(10, { testFraction: -0.1, seed: 0 })).toThrow(/testFraction must be in \[0, 1\)/);
    expect(() => trainTestSplit(10, { testFraction: NaN, seed: 0 })).toThrow(InvalidInputError);
    expect(() => trainTestSplit(1, { testFraction: 0.5, seed: 0 })).toThrow(/leaves 0 training rows/);
    expect(() => trainTestSplit(10, { testFraction: 0.5, seed: 0, minTrain: 6 })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ field: "testFraction", train: 5, minTrain: 6 }) }),
    );
    expect(() => trainTestSplit(0, { testFraction: 0, seed: 0 })).toThrow(/leaves 0 training rows/);
    expect(() => trainTestSplit(10, { testFraction: 0.2, seed: 0.5 })).toThrow(/seed must be an integer/);
  });

  it("stratified: rejects single-row classes, too few rows per set, missing or misaligned labels", () => {
    expect(() => trainTestSplit(5, { testFraction: 0.4, seed: 0, stratify: Float64Array.of(0, 0, 1, 1, 2) })).toThrow(/single row/);
    expect(() => trainTestSplit(6, { testFraction: 0.2, seed: 0, stratify: Float64Array.of(0, 0, 1, 1, 2, 2) })).toThrow(/at least one row of each of the 3 classes/);
    expect(() => trainTestSplit(4, { testFraction: 0.5, seed: 0, stratify: Float64Array.of(0, NaN, 1, 1) })).toThrow(
      expect.objectContaining({ details: { field: "stratify", row: 1 } }),
    );
    expect(() => trainTestSplit(4, { testFraction: 0.5, seed: 0, stratify: Int32Array.of(0, 0, -1, 1) })).toThrow(/missing class at row 2/);
    expect(() => trainTestSplit(4, { testFraction: 0.5, seed: 0, stratify: Float64Array.of(0, 1) })).toThrow(/2 labels for 4 rows/);
  });
});

describe("kFold", () => {
  it("gives k folds whose test sets partition the rows, sizes within one", () => {
    const folds = kFold(103, 5, { seed: 9 });
    expect(folds.length).toBe(5);
    expectPartition(103, ...folds.map((f) => f.test));
    for (const f of folds) {
      expectPartition(103, f.train, f.test);
      expect([20, 21]).toContain(f.test.length);
    }
  });

  it("is reproducible per seed", () => {
    expect(kFold(50, 4, { seed: 5 })).toEqual(kFold(50, 4, { seed: 5 }));
    expect(kFold(50, 4, { seed: 5 })[0].test).not.toEqual(kFold(50, 4, { seed: 6 })[0].test);
  });

  it("stratified: every fold holds ⌊n_c/k⌋ or ⌈n_c/k⌉ rows of each class", () => {
    const labels = Float64Array.from({ length: 97 }, (_, i) => (i % 7 === 0 ? 2 : i % 3 === 0 ? 1 : 0));
    const totals = countClasses(labels, Int32Array.from({ length: 97 }, (_, i) => i));
    const folds = kFold(97, 4, { seed: 3, stratify: labels });
    expectPartition(97, ...folds.map((f) => f.test));
    for (const f of folds) {
      for (const [c, total] of totals) {
        const count = countClasses(labels, f.test).get(c) ?? 0;
        expect(count === Math.floor(total / 4) || count === Math.ceil(total / 4)).toBe(true);
      }
      expect(f.test.length === 24 || f.test.length === 25).toBe(true);
    }
  });

  it("rejects k outside 2..n and k above every class size", () => {
    expect(() => kFold(10, 1, { seed: 0 })).toThrow(/k must be an integer between 2 and the number of rows \(10\)/);
    expect(() => kFold(3, 4, { seed: 0 })).toThrow(InvalidInputError);
    expect(() => kFold(6, 4, { seed: 0, stratify: Float64Array.of(0, 0, 1, 1, 2, 2) })).toThrow(/more than the rows of every class/);
    expect(kFold(6, 3, { seed: 0, stratify: Float64Array.of(0, 0, 0, 1, 1, 2) }).length).toBe(3);
  });
});
