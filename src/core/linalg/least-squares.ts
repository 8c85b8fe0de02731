/**
 * Solving the (optionally ridge-penalized) normal equations (G + αI) w = b for the small
 * p × p Gram matrix G = XᵀX of centered data.
 *
 * Full rank: Cholesky of the diagonally scaled system D(G + αI)D (D = diag^-1/2), which
 * removes the conditioning that comes only from column units (Golub & Van Loan §4.2).
 * Rank-deficient or numerically singular (a constant column, collinear columns): the
 * minimum-norm least-squares solution from the eigendecomposition of G, with eigenvalues
 * below λ_max·RANK_TOL treated as zero. That is the solution numpy/scipy `lstsq` (and so
 * scikit-learn's LinearRegression) return, so predictions and coefficients stay defined.
 */
import { cholesky, choleskySolve, symmetricEigen } from "./kernels.ts";

/** Relative eigenvalue below which a direction of G counts as absent (≈ 1e-6 relative in singular values of X). */
const RANK_TOL = 1e-12;

export interface NormalSolution {
  w: Float64Array;
  rank: number;
  /** estimated 2-norm condition number of the scaled system */
  condition: number;
}

export function solveNormalEquations(G: Float64Array, b: Float64Array, p: number, alpha = 0): NormalSolution {
  const d = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const diag = G[j * p + j] + alpha;
    d[j] = diag > 0 ? 1 / Math.sqrt(diag) : 0;
  }
  const A = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) A[i * p + j] = d[i] * (G[i * p + j] + (i === j ? alpha : 0)) * d[j];
  if (d.every((v) => v > 0) && cholesky(A, p)) {
    let lo = Infinity;
    let hi = 0;
    for (let j = 0; j < p; j++) {
      const pivot = A[j * p + j] ** 2;
      lo = Math.min(lo, pivot);
      hi = Math.max(hi, pivot);
    }
    if (lo > hi * RANK_TOL) {
      const rhs = new Float64Array(p);
      for (let j = 0; j < p; j++) rhs[j] = d[j] * b[j];
      choleskySolve(A, p, rhs);
      for (let j = 0; j < p; j++) rhs[j] *= d[j];
      return { w: rhs, rank: p, condition: Math.sqrt(hi / lo) };
    }
  }
  return minimumNorm(G, b, p, alpha);
}

function minimumNorm(G: Float64Array, b: Float64Array, p: number, alpha: number): NormalSolution {
  const A = Float64Array.from(G);
  for (let j = 0; j < p; j++) A[j * p + j] += alpha;
  const { values, vectors } = symmetricEigen(A, p);
  let max = 0;
  for (const v of values) max = Math.max(max, v);
  const w = new Float64Array(p);
  let rank = 0;
  let min = Infinity;
  for (let k = 0; k < p; k++) {
    if (!(values[k] > max * RANK_TOL)) continue;
    rank++;
    min = Math.min(min, values[k]);
    let proj = 0;
    for (let j = 0; j < p; j++) proj += vectors[j * p + k] * b[j];
    const c = proj / values[k];
    for (let j = 0; j < p; j++) w[j] += c * vectors[j * p + k];
  }
  return { w, rank, condition: rank < p ? Infinity : Math.sqrt(max / min) };
}
