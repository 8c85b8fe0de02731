/**
 * Level-1 BLAS-style kernels over typed arrays (after stdlib-js `ddot`, `daxpy`, `dnrm2`).
 *
 * Each kernel takes a length and an offset into each array, so that a row of a row-major
 * matrix can be used in place (`X.data`, offset `i * cols`) without a `subarray` allocation
 * in hot loops. Strides are always 1: every caller in the core walks contiguous rows.
 */

/**
 * Σ_{k<n} x[ox + k] · y[oy + k].
 *
 * @example dot(3, new Float64Array([1, 2, 3]), 0, new Float64Array([4, 5, 6]), 0) // 32
 */
export function dot(n: number, x: Float64Array, ox: number, y: Float64Array, oy: number): number {
  // Four partial sums break the loop-carried dependency on one accumulator (the JIT then
  // pipelines the multiplies) and slightly reduce rounding error, as in reference BLAS.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < n; k += 4) {
    s0 += x[ox + k] * y[oy + k];
    s1 += x[ox + k + 1] * y[oy + k + 1];
    s2 += x[ox + k + 2] * y[oy + k + 2];
    s3 += x[ox + k + 3] * y[oy + k + 3];
  }
  for (; k < n; k++) s0 += x[ox + k] * y[oy + k];
  return s0 + s1 + (s2 + s3);
}

/** y[oy + k] += a · x[ox + k] for k < n (in place on y). */
export function axpy(n: number, a: number, x: Float64Array, ox: number, y: Float64Array, oy: number): void {
  for (let k = 0; k < n; k++) y[oy + k] += a * x[ox + k];
}

/** x[ox + k] *= a for k < n (in place). */
export function scal(n: number, a: number, x: Float64Array, ox: number): void {
  for (let k = 0; k < n; k++) x[ox + k] *= a;
}

/**
 * Euclidean norm ‖x‖₂ without overflow or underflow: the scaled sum of squares of
 * LAPACK's `dnrm2` (Hammarling), so that norms of 1e200-sized vectors stay finite.
 */
export function nrm2(n: number, x: Float64Array, ox: number): number {
  let scale = 0;
  let ssq = 1;
  for (let k = 0; k < n; k++) {
    const v = x[ox + k];
    if (v === 0) continue;
    const a = Math.abs(v);
    if (scale < a) {
      ssq = 1 + ssq * (scale / a) * (scale / a);
      scale = a;
    } else {
      ssq += (a / scale) * (a / scale);
    }
  }
  return scale * Math.sqrt(ssq);
}

/** max_k |x[k]| over the whole array (the ∞-norm, used by convergence tests). */
export function amax(x: Float64Array): number {
  let m = 0;
  for (let k = 0; k < x.length; k++) {
    const a = Math.abs(x[k]);
    if (a > m) m = a;
  }
  return m;
}
