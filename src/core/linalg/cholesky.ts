/**
 * Cholesky factorisation A = L Lᵀ of a symmetric positive-definite p × p matrix, the
 * triangular solves that use it, and a 2-norm condition estimate from the factor.
 * (Golub & Van Loan, Matrix Computations, 4th ed., Alg. 4.2.1; LAPACK dpotrf/dpotrs.)
 *
 * Matrices are p × p row-major Float64Arrays.
 */
import { dot, nrm2 } from "./blas.ts";

/**
 * Factor A = L Lᵀ in place: on success the lower triangle of `A` holds L and the strict
 * upper triangle is zeroed. Returns false (A partly overwritten) when a pivot falls to
 * p·ε·max_j A_jj or below, i.e. A is not numerically positive definite: such a pivot is
 * rounding noise, and the caller falls back to a rank-revealing method instead of
 * dividing by it (or taking the square root of a negative number).
 *
 * @param A p × p symmetric, row-major; only the lower triangle is read
 */
export function choleskyFactor(A: Float64Array, p: number): boolean {
  let maxDiag = 0;
  for (let j = 0; j < p; j++) maxDiag = Math.max(maxDiag, Math.abs(A[j * p + j]));
  const threshold = p * Number.EPSILON * maxDiag;
  for (let j = 0; j < p; j++) {
    const rj = j * p;
    // Row-oriented (Cholesky–Banachiewicz): row j of L needs only rows < j, all contiguous.
    for (let k = 0; k < j; k++) {
      const rk = k * p;
      A[rj + k] = (A[rj + k] - dot(k, A, rj, A, rk)) / A[rk + k];
    }
    const d = A[rj + j] - dot(j, A, rj, A, rj);
    if (!(d > threshold)) return false;
    A[rj + j] = Math.sqrt(d);
    for (let k = j + 1; k < p; k++) A[rj + k] = 0;
  }
  return true;
}

/**
 * Solve L Lᵀ x = b in place on `b` (forward then back substitution).
 *
 * @param L p × p lower-triangular factor from choleskyFactor
 * @param b length p; overwritten with x
 */
export function choleskySolve(L: Float64Array, p: number, b: Float64Array): Float64Array {
  for (let i = 0; i < p; i++) {
    b[i] = (b[i] - dot(i, L, i * p, b, 0)) / L[i * p + i];
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < p; k++) s -= L[k * p + i] * b[k];
    b[i] = s / L[i * p + i];
  }
  return b;
}

/**
 * Estimate the 2-norm condition number κ(A) = λmax / λmin of the SPD matrix A = L Lᵀ:
 * λmax by power iteration on L Lᵀ, λmin by inverse iteration (solves with L), each until
 * the Rayleigh quotient settles to 1e-3 or 50 steps. O(p²) per step, so negligible beside
 * the O(n p²) Gram pass. Both iterations approach their eigenvalue from inside the
 * spectrum, so this is a (usually tight) lower bound on κ: callers compare it with a
 * threshold that has a safety margin.
 *
 * @param L p × p lower-triangular Cholesky factor of A
 */
export function choleskyCondition(L: Float64Array, p: number): number {
  if (p === 0) return 1;
  const x = new Float64Array(p);
  const t = new Float64Array(p);
  // A start vector with no special structure, so that it is not orthogonal to the
  // extreme eigenvectors of typical (e.g. equicorrelated) matrices.
  const start = (): void => {
    for (let i = 0; i < p; i++) x[i] = 1 + ((i * 0.618033988749895) % 1);
    normalise(x, p);
  };

  start();
  let lmax = 0;
  for (let it = 0; it < 50; it++) {
    lowerTransposeTimes(L, p, x, t); // t = Lᵀ x
    lowerTimes(L, p, t, x); // x = L Lᵀ x
    const norm = nrm2(p, x, 0);
    const done = Math.abs(norm - lmax) <= 1e-3 * norm;
    lmax = norm;
    if (norm === 0) return Infinity;
    for (let i = 0; i < p; i++) x[i] /= norm;
    if (done) break;
  }

  start();
  let inv = 0;
  for (let it = 0; it < 50; it++) {
    choleskySolve(L, p, x);
    const norm = nrm2(p, x, 0);
    const done = Math.abs(norm - inv) <= 1e-3 * norm;
    inv = norm;
    if (!Number.isFinite(norm)) return Infinity;
    for (let i = 0; i < p; i++) x[i] /= norm;
    if (done) break;
  }
  return lmax * inv;
}

function normalise(x: Float64Array, p: number): void {
  const n = nrm2(p, x, 0);
  for (let i = 0; i < p; i++) x[i] /= n;
}

/** out = L x for lower-triangular L. */
function lowerTimes(L: Float64Array, p: number, x: Float64Array, out: Float64Array): void {
  for (let i = 0; i < p; i++) out[i] = dot(i + 1, L, i * p, x, 0);
}

/** out = Lᵀ x for lower-triangular L. */
function lowerTransposeTimes(L: Float64Array, p: number, x: Float64Array, out: Float64Array): void {
  out.fill(0);
  for (let k = 0; k < p; k++) {
    const xk = x[k];
    for (let i = 0; i <= k; i++) out[i] += L[k * p + i] * xk;
  }
}
