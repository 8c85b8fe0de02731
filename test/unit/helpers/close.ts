/**
 * Tolerance checks for numeric tests. vitest's `toBeCloseTo(v, digits)` takes a number of
 * DIGITS, not a tolerance (STYLE.md); these take rtol/atol like numpy.testing.assert_allclose:
 *
 *     |actual − expected| ≤ atol + rtol · |expected|   (elementwise)
 */
import { expect } from "vitest";

/** Largest |a − e| / |e| over the arrays (|e| floored at `floor`, to report near-zero entries sanely). */
export function maxRelError(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 0): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const denom = Math.max(Math.abs(expected[i]), floor);
    const err = Math.abs(actual[i] - expected[i]);
    worst = Math.max(worst, denom === 0 ? (err === 0 ? 0 : Infinity) : err / denom);
  }
  return worst;
}

/** Largest |e| of an array (the scale for a normwise absolute floor). */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/**
 * Assert actual ≈ expected elementwise (scalars or arrays). The failure message names the
 * first offending index, both values and the bound.
 */
export function expectRelClose(
  actual: number | ArrayLike<number>,
  expected: number | ArrayLike<number>,
  rtol: number,
  atol = 0,
  label = "value",
): void {
  const a = typeof actual === "number" ? [actual] : actual;
  const e = typeof expected === "number" ? [expected] : expected;
  expect(a.length, `${label}: length`).toBe(e.length);
  for (let i = 0; i < e.length; i++) {
    const err = Math.abs(a[i] - e[i]);
    const bound = atol + rtol * Math.abs(e[i]);
    if (!(err <= bound)) {
      const where = typeof expected === "number" ? "" : `[${i}]`;
      expect.fail(
        `${label}${where}: ${a[i]} vs expected ${e[i]} (|error| ${err.toExponential(3)} > bound ${bound.toExponential(3)})`,
      );
    }
  }
}
