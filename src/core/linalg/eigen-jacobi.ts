/**
 * Eigendecomposition A = V Λ Vᵀ of a small symmetric matrix by cyclic Jacobi rotations
 * (Golub & Van Loan, Matrix Computations, 4th ed., Alg. 8.5.3). Each rotation zeroes one
 * off-diagonal pair; sweeps repeat until the off-diagonal mass is below 1e-32 of the
 * diagonal's (quadratic convergence makes that a handful of sweeps). O(p³) per sweep:
 * meant for p ≤ a few hundred (Gram and covariance matrices), where it is accurate to
 * working precision and needs no tridiagonalisation.
 */

export interface SymmetricEigen {
  /** eigenvalues, descending, length p */
  values: Float64Array;
  /** p × p row-major; column k is the unit eigenvector of values[k] */
  vectors: Float64Array;
}

const MAX_SWEEPS = 100;

/**
 * @param A p × p symmetric, row-major (not modified)
 * @example symmetricEigen(new Float64Array([2, 1, 1, 2]), 2).values // [3, 1]
 */
export function symmetricEigen(A: Float64Array, p: number): SymmetricEigen {
  const a = Float64Array.from(A);
  const V = new Float64Array(p * p);
  for (let i = 0; i < p; i++) V[i * p + i] = 1;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < p; i++) {
      diag += a[i * p + i] ** 2;
      for (let j = i + 1; j < p; j++) off += a[i * p + j] ** 2;
    }
    if (!(off > 1e-32 * diag)) break;
    for (let q = 0; q < p; q++) {
      for (let r = q + 1; r < p; r++) {
        const aqr = a[q * p + r];
        if (aqr === 0) continue;
        // t = tan θ of the rotation that zeroes a_qr, the smaller root for stability.
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
  const order = Array.from({ length: p }, (_, k) => k).sort((x, y) => a[y * p + y] - a[x * p + x]);
  const values = new Float64Array(p);
  const vectors = new Float64Array(p * p);
  order.forEach((src, dst) => {
    values[dst] = a[src * p + src];
    for (let i = 0; i < p; i++) vectors[i * p + dst] = V[i * p + src];
  });
  return { values, vectors };
}
