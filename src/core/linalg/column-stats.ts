/**
 * Per-column summaries of a row-major matrix, in one pass.
 */
import type { Matrix } from "../matrix.ts";

const SUM_BLOCK = 4096;

export interface ColumnStats {
  /** arithmetic mean of each column, length p */
  mean: Float64Array;
  /** 1 where every value of the column is identical (zero variance), else 0 */
  constant: Uint8Array;
}

/**
 * Column means, summed in blocks of 4096 rows (each block's sum then added to the total, a
 * two-level pairwise summation: error growth ~(4096 + n/4096)·ε instead of n·ε), so that
 * the centring the means feed keeps its accuracy on a million rows.
 *
 * Constant columns are detected exactly (every value equal to the first row's), because
 * their centred values must be exactly 0 for a rank-deficient solve to give them a zero
 * coefficient; a mean computed in floating point need not equal the constant (n copies
 * of 0.1 do not sum to n·0.1).
 *
 * @param X n × p
 */
export function columnStats(X: Matrix): ColumnStats {
  const { rows: n, cols: p, data } = X;
  const total = new Float64Array(p);
  const block = new Float64Array(p);
  const constant = new Uint8Array(p).fill(n > 0 ? 1 : 0);
  for (let start = 0; start < n; start += SUM_BLOCK) {
    const end = Math.min(n, start + SUM_BLOCK);
    block.fill(0);
    for (let i = start; i < end; i++) {
      const o = i * p;
      for (let j = 0; j < p; j++) {
        const v = data[o + j];
        block[j] += v;
        if (v !== data[j]) constant[j] = 0;
      }
    }
    for (let j = 0; j < p; j++) total[j] += block[j];
  }
  const mean = new Float64Array(p);
  for (let j = 0; j < p; j++) mean[j] = constant[j] ? data[j] : n > 0 ? total[j] / n : 0;
  return { mean, constant };
}

/** Mean of a vector by compensated (Kahan–Neumaier) summation: one value per row, cheap beside a matrix pass. */
export function mean(y: Float64Array): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return y.length > 0 ? (s + c) / y.length : 0;
}
