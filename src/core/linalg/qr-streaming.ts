/**
 * The R factor of a tall matrix by Householder QR over blocks of rows, in one pass and
 * O(p²) memory (a "tall-skinny QR" in the sense of Demmel et al., 2012; each step is
 * Golub & Van Loan Alg. 5.2.1 applied to [R; next block]).
 *
 * Used as the backward-stable fallback of the least-squares solver: unlike the normal
 * equations, QR does not square the condition number, so a design with κ(X) = 1e7 still
 * gives coefficients accurate to ~κ·ε. Appending y as an extra column yields Qᵀy for free:
 * with A = [Xc | yc], R = [[Rxx, z], [0, ρ]] where Rxx β = z is the least-squares system
 * and |ρ| is the residual norm.
 */
import type { Matrix } from "../matrix.ts";

/** Rows loaded per block: large enough to amortise the p × p triangle, small enough for L2. */
const BLOCK_ROWS = 256;

/**
 * R (q × q upper triangular, row-major) of A = [(X − 1·shiftᵀ)·diag(scale) | y − yShift], q = p + 1,
 * or of (X − 1·shiftᵀ)·diag(scale) alone (q = p) when y is undefined. Diagonal signs are arbitrary.
 *
 * Scaling the columns to unit norm first (scale_j = 1/‖x_j − shift_j‖) is what lets a rank
 * decision on R's singular values see the design's geometry rather than its units: Householder
 * QR is column-scaling invariant in exact arithmetic, but a tolerance relative to σ_max is not.
 *
 * @param X      n × p
 * @param y      length n, or undefined
 * @param shift  length p subtracted from every row (column means when centring), or undefined
 * @param yShift subtracted from y, default 0
 * @param scale  length p multiplying each centred column, or undefined (no scaling)
 */
export function streamingQR(X: Matrix, y?: Float64Array, shift?: Float64Array, yShift = 0, scale?: Float64Array): Float64Array {
  const { rows: n, cols: p, data } = X;
  const q = y ? p + 1 : p;
  // Rows 0..q-1 hold the running R; rows q..q+BLOCK_ROWS-1 receive the next block of A.
  const W = new Float64Array((q + BLOCK_ROWS) * q);
  const s = new Float64Array(q);
  for (let start = 0; start < n; start += BLOCK_ROWS) {
    const m = Math.min(BLOCK_ROWS, n - start);
    for (let r = 0; r < m; r++) {
      const src = (start + r) * p;
      const dst = (q + r) * q;
      for (let j = 0; j < p; j++) W[dst + j] = (data[src + j] - (shift ? shift[j] : 0)) * (scale ? scale[j] : 1);
      if (y) W[dst + p] = y[start + r] - yShift;
    }
    reduceBlock(W, q, m, s);
  }
  return W.slice(0, q * q);
}

/**
 * Annihilate rows q..q+m-1 of W into its upper-triangular top q × q block with q
 * Householder reflectors. Reflector j is nonzero only on row j and the m block rows
 * (rows j+1..q-1 of column j are already 0), which makes the cost 2·m·q² per block.
 */
function reduceBlock(W: Float64Array, q: number, m: number, s: Float64Array): void {
  const first = q * q;
  for (let j = 0; j < q; j++) {
    // v = (W[j][j] − α, W[q..q+m-1][j]) with α = −sign(W[j][j])·‖column‖; the block part of v
    // is stored where it already is, in column j of the block rows.
    let scale = Math.abs(W[j * q + j]);
    for (let r = 0, o = first + j; r < m; r++, o += q) scale = Math.max(scale, Math.abs(W[o]));
    if (scale === 0) continue;
    let tail = 0;
    for (let r = 0, o = first + j; r < m; r++, o += q) tail += (W[o] / scale) ** 2;
    if (tail === 0) continue; // the column is already triangular
    const head = W[j * q + j] / scale;
    const norm = scale * Math.sqrt(head * head + tail);
    const alpha = head > 0 ? -norm : norm;
    const v0 = W[j * q + j] - alpha;
    const tau = 2 / (v0 * v0 + tail * scale * scale);

    // s_k = vᵀ A[:, k] for k > j, accumulated row by row so every access is contiguous.
    for (let k = j + 1; k < q; k++) s[k] = v0 * W[j * q + k];
    for (let r = 0, o = first; r < m; r++, o += q) {
      const vr = W[o + j];
      if (vr !== 0) for (let k = j + 1; k < q; k++) s[k] += vr * W[o + k];
    }
    for (let k = j + 1; k < q; k++) s[k] *= tau;
    for (let k = j + 1; k < q; k++) W[j * q + k] -= s[k] * v0;
    for (let r = 0, o = first; r < m; r++, o += q) {
      const vr = W[o + j];
      if (vr !== 0) for (let k = j + 1; k < q; k++) W[o + k] -= s[k] * vr;
      W[o + j] = 0;
    }
    W[j * q + j] = alpha;
  }
}
