/**
 * Singular value decomposition A = U Σ Vᵀ of a small square matrix by one-sided Jacobi
 * rotations (Hestenes 1958; Demmel & Veselić, "Jacobi's method is more accurate than QR",
 * SIAM J. Matrix Anal. Appl. 13(4), 1992). Rotations orthogonalise the columns of A V;
 * at convergence column j is σ_j u_j.
 *
 * Chosen over bidiagonalisation for the least-squares fallback because it computes small
 * singular values to high relative accuracy, which is what the rank decision
 * (σ_j ≤ rcond · σ_max) depends on, and because p is small (the p × p R factor).
 */

export interface SVD {
  /** singular values, descending, length p */
  s: Float64Array;
  /** p × p row-major; column j is u_j (zero when σ_j = 0) */
  U: Float64Array;
  /** p × p row-major; column j is v_j */
  V: Float64Array;
  sweeps: number;
}

const EPS = 2.220446049250313e-16;
const MAX_SWEEPS = 60;

/**
 * @param A p × p row-major (not modified)
 */
export function svdJacobi(A: Float64Array, p: number): SVD {
  // Work column-major: each rotation then touches two contiguous columns.
  const W = new Float64Array(p * p);
  const Vc = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    Vc[i * p + i] = 1;
    for (let j = 0; j < p; j++) W[j * p + i] = A[i * p + j];
  }
  let sweeps = 0;
  for (let rotated = true; rotated && sweeps < MAX_SWEEPS; sweeps++) {
    rotated = false;
    for (let j = 0; j < p - 1; j++) {
      for (let k = j + 1; k < p; k++) {
        const oj = j * p;
        const ok = k * p;
        let a = 0;
        let b = 0;
        let g = 0;
        for (let i = 0; i < p; i++) {
          const x = W[oj + i];
          const y = W[ok + i];
          a += x * x;
          b += y * y;
          g += x * y;
        }
        if (g === 0 || Math.abs(g) <= EPS * Math.sqrt(a * b)) continue;
        rotated = true;
        // Rotation angle that zeroes the (j, k) entry of the 2 × 2 Gram [[a, g], [g, b]].
        const zeta = (b - a) / (2 * g);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const sn = c * t;
        rotate(W, oj, ok, p, c, sn);
        rotate(Vc, oj, ok, p, c, sn);
      }
    }
  }

  const norms = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let ss = 0;
    for (let i = 0; i < p; i++) ss += W[j * p + i] ** 2;
    norms[j] = Math.sqrt(ss);
  }
  const order = Array.from({ length: p }, (_, j) => j).sort((x, y) => norms[y] - norms[x]);
  const s = new Float64Array(p);
  const U = new Float64Array(p * p);
  const V = new Float64Array(p * p);
  order.forEach((src, dst) => {
    const sigma = norms[src];
    s[dst] = sigma;
    for (let i = 0; i < p; i++) {
      U[i * p + dst] = sigma > 0 ? W[src * p + i] / sigma : 0;
      V[i * p + dst] = Vc[src * p + i];
    }
  });
  return { s, U, V, sweeps };
}

/** [x, y] ← [c·x − s·y, s·x + c·y] on two columns of length p. */
function rotate(W: Float64Array, oj: number, ok: number, p: number, c: number, s: number): void {
  for (let i = 0; i < p; i++) {
    const x = W[oj + i];
    const y = W[ok + i];
    W[oj + i] = c * x - s * y;
    W[ok + i] = s * x + c * y;
  }
}
