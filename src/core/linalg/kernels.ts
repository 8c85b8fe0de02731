/**
 * BLAS/LAPACK-style kernels over typed arrays (stdlib-js naming). Hot loops allocate nothing;
 * matrices are row-major `Matrix` values (src/core/matrix.ts).
 */
import type { Matrix } from "../matrix.ts";

/** Column means of X (length p). */
export function columnMeans(X: Matrix): Float64Array {
  const { data, rows: n, cols: p } = X;
  const mean = new Float64Array(p);
  for (let i = 0, at = 0; i < n; i++, at += p) for (let j = 0; j < p; j++) mean[j] += data[at + j];
  for (let j = 0; j < p; j++) mean[j] /= n;
  return mean;
}

export function mean(y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i];
  return s / y.length;
}

/**
 * G = (X − 1·μᵀ)ᵀ (X − 1·μᵀ) and b = (X − 1·μᵀ)ᵀ (y − ȳ) in one row-major pass over X
 * (μ = 0, ȳ = 0 for no centering). Only the upper triangle is accumulated, then mirrored.
 * Centering before forming the Gram matrix avoids the cancellation of XᵀX − n·μμᵀ.
 * G: p × p row-major, b: p.
 */
export function centeredGram(X: Matrix, y: Float64Array, mu: Float64Array, yMean: number): { G: Float64Array; b: Float64Array } {
  const { data, rows: n, cols: p } = X;
  const G = new Float64Array(p * p);
  const b = new Float64Array(p);
  const row = new Float64Array(p);
  for (let i = 0, at = 0; i < n; i++, at += p) {
    for (let j = 0; j < p; j++) row[j] = data[at + j] - mu[j];
    const yi = y[i] - yMean;
    for (let j = 0; j < p; j++) {
      const xj = row[j];
      b[j] += xj * yi;
      const gj = j * p;
      for (let k = j; k < p; k++) G[gj + k] += xj * row[k];
    }
  }
  for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) G[j * p + k] = G[k * p + j];
  return { G, b };
}

/**
 * In-place Cholesky factorization A = L Lᵀ of a symmetric positive-definite p × p matrix
 * (lower triangle overwritten with L). Returns false when A is not numerically positive
 * definite (a pivot ≤ eps·max diagonal), so the caller can fall back to a rank-revealing solve.
 */
export function cholesky(A: Float64Array, p: number): boolean {
  let maxDiag = 0;
  for (let j = 0; j < p; j++) maxDiag = Math.max(maxDiag, Math.abs(A[j * p + j]));
  const threshold = maxDiag * p * Number.EPSILON;
  for (let j = 0; j < p; j++) {
    let d = A[j * p + j];
    for (let k = 0; k < j; k++) d -= A[j * p + k] * A[j * p + k];
    if (!(d > threshold)) return false;
    const ljj = Math.sqrt(d);
    A[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let s = A[i * p + j];
      for (let k = 0; k < j; k++) s -= A[i * p + k] * A[j * p + k];
      A[i * p + j] = s / ljj;
    }
  }
  return true;
}

/** Solve L Lᵀ x = b given the factor from `cholesky` (b overwritten with x). */
export function choleskySolve(L: Float64Array, p: number, b: Float64Array): Float64Array {
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * p + k] * b[k];
    b[i] = s / L[i * p + i];
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < p; k++) s -= L[k * p + i] * b[k];
    b[i] = s / L[i * p + i];
  }
  return b;
}

/**
 * Eigendecomposition of a symmetric p × p matrix by cyclic Jacobi rotations (Golub & Van
 * Loan, Matrix Computations, §8.5): accurate to working precision for the small Gram
 * matrices the linear models form. Returns eigenvalues and eigenvectors (columns of V).
 */
export function symmetricEigen(A: Float64Array, p: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(A);
  const V = new Float64Array(p * p);
  for (let i = 0; i < p; i++) V[i * p + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) off += a[i * p + j] ** 2;
    if (off === 0 || !Number.isFinite(off)) break;
    let scale = 0;
    for (let i = 0; i < p; i++) scale += a[i * p + i] ** 2;
    if (off <= 1e-32 * scale) break;
    for (let q = 0; q < p; q++) {
      for (let r = q + 1; r < p; r++) {
        const aqr = a[q * p + r];
        if (aqr === 0) continue;
        const theta = (a[r * p + r] - a[q * p + q]) / (2 * aqr);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < p; k++) {
          const akq = a[k * p + q];
          const akr = a[k * p + r];
          a[k * p + q] = c * akq - s * akr;
          a[k * p + r] = s * akq + c * akr;
        }
        for (let k = 0; k < p; k++) {
          const aqk = a[q * p + k];
          const ark = a[r * p + k];
          a[q * p + k] = c * aqk - s * ark;
          a[r * p + k] = s * aqk + c * ark;
        }
        for (let k = 0; k < p; k++) {
          const vkq = V[k * p + q];
          const vkr = V[k * p + r];
          V[k * p + q] = c * vkq - s * vkr;
          V[k * p + r] = s * vkq + c * vkr;
        }
      }
    }
  }
  const values = new Float64Array(p);
  for (let i = 0; i < p; i++) values[i] = a[i * p + i];
  return { values, vectors: V };
}

/** y = X·w + b for every row (length n). */
export function linearPredict(X: Matrix, w: Float64Array, b: number, out = new Float64Array(X.rows)): Float64Array {
  const { data, rows: n, cols: p } = X;
  for (let i = 0, at = 0; i < n; i++, at += p) {
    let s = b;
    for (let j = 0; j < p; j++) s += data[at + j] * w[j];
    out[i] = s;
  }
  return out;
}
