/**
 * Relative-tolerance comparisons for the data/preprocessing/metrics tests.
 * (vitest's toBeCloseTo takes a number of digits, not a tolerance; see STYLE.md.)
 * |actual − expected| ≤ atol + rtol·|expected|; a null expected value means NaN/null actual.
 */
import { expect } from "vitest";

export function expectClose(actual: number | null | undefined, expected: number | null, rtol = 1e-12, atol = 0, label = "value"): void {
  if (expected === null) {
    expect(actual === null || Number.isNaN(actual), `${label}: expected null/NaN, got ${actual}`).toBe(true);
    return;
  }
  expect(typeof actual, `${label}: expected a number`).toBe("number");
  const error = Math.abs((actual as number) - expected);
  const bound = atol + rtol * Math.abs(expected);
  if (!(error <= bound)) {
    expect.fail(`${label}: ${actual} vs expected ${expected} (|error| ${error.toExponential(3)} > ${bound.toExponential(3)})`);
  }
}

export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number | null>, rtol = 1e-12, atol = 0, label = "array"): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expectClose(actual[i], expected[i], rtol, atol, `${label}[${i}]`);
}

/** Flatten nested rows (fixtures) into one array. */
export function flat(rows: readonly (readonly (number | null)[])[]): (number | null)[] {
  return rows.flatMap((row) => [...row]);
}

/** JSON fixture value (null = missing) → Float64Array with NaN. */
export function withNaN(values: readonly (number | null)[]): Float64Array {
  return Float64Array.from(values, (v) => (v === null ? NaN : v));
}
