/**
 * Floating-point summation as numpy does it, so that means computed here equal numpy's and
 * scikit-learn's bit for bit (a mean that differs by one ulp shifts every standardized value of
 * a column like 1e8 + N(0, 0.01) by 1e-6 relative).
 *
 * numpy's `add.reduce` over a contiguous 1-D array (np.sum, np.nansum, np.mean, and
 * scikit-learn's StandardScaler on one column) sums each 8192-element buffer by pairwise
 * summation (numpy/core/src/umath/loops_utils.h.src, `pairwise_sum`) and adds the buffers in
 * turn. Pairwise summation also has O(log n) rather than O(n) error growth.
 */

/** numpy's ufunc buffer size: reductions proceed buffer by buffer. */
const BUFFER = 8192;
/** Below this, pairwise_sum unrolls into 8 accumulators instead of recursing. */
const BLOCK = 128;

/** Σ values[start, end), NaN counted as 0 (numpy.nansum), in numpy's order. */
export function pairwiseSum(values: Float64Array, start = 0, end = values.length): number {
  let total = 0;
  for (let s = start; s < end; s += BUFFER) total += pairwise(values, s, Math.min(BUFFER, end - s));
  return total;
}

function at(values: Float64Array, i: number): number {
  const x = values[i];
  return x === x ? x : 0;
}

function pairwise(a: Float64Array, lo: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += at(a, lo + i);
    return res;
  }
  if (n <= BLOCK) {
    let r0 = at(a, lo), r1 = at(a, lo + 1), r2 = at(a, lo + 2), r3 = at(a, lo + 3);
    let r4 = at(a, lo + 4), r5 = at(a, lo + 5), r6 = at(a, lo + 6), r7 = at(a, lo + 7);
    let i = 8;
    for (const stop = n - (n % 8); i < stop; i += 8) {
      const k = lo + i;
      r0 += at(a, k);
      r1 += at(a, k + 1);
      r2 += at(a, k + 2);
      r3 += at(a, k + 3);
      r4 += at(a, k + 4);
      r5 += at(a, k + 5);
      r6 += at(a, k + 6);
      r7 += at(a, k + 7);
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) res += at(a, lo + i);
    return res;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return pairwise(a, lo, half) + pairwise(a, lo + half, n - half);
}
