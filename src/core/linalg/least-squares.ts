/**
 * Linear least squares with an optional ridge penalty and an unpenalised intercept:
 *
 *     minimise_{w, b}  ‖y − X w − b·1‖² + α ‖w‖²          (α ≥ 0)
 *
 * the objective of scikit-learn's LinearRegression (α = 0) and Ridge. As in sklearn's
 * `_preprocess_data`, the intercept is handled by centring: with column means x̄ and ȳ,
 * w solves the problem on Xc = X − 1x̄ᵀ, yc = y − ȳ, and b = ȳ − x̄ᵀw.
 *
 * Two solvers, chosen per problem:
 *
 * 1. **Normal equations + Cholesky** (fast path: one pass over X for the means, one for
 *    the Gram of [Xc | yc]). With D = diag(‖Xc_j‖),
 *    solve (D⁻¹ Xcᵀ Xc D⁻¹ + α D⁻²) (D w) = D⁻¹ Xcᵀ yc. Scaling to unit diagonal
 *    (Jacobi preconditioning) makes the Cholesky factor insensitive to column units, and
 *    the condition number that decides accuracy is then that of the correlation matrix.
 *    Forming the Gram squares κ(X), so this path is taken only when the estimated
 *    κ(scaled Gram) ≤ COND_LIMIT: the coefficients' relative error is then ≲ κ·ε ≈ 1e-10.
 * 2. **Householder QR + SVD** (fallback: rank-deficient or ill-conditioned designs; a
 *    second pass). R = qr([Xc | yc]) by blocks (TSQR), then the Jacobi SVD of the p × p
 *    R_xx = U Σ Vᵀ gives w = V diag(σ_j / (σ_j² + α)) Uᵀ z, z = Qᵀ yc (Björck, Numerical
 *    Methods for Least Squares Problems, §2.4 and §2.7). For α = 0, singular values
 *    σ_j ≤ ε·max(n, p)·σ_1 are treated as zero — numpy.linalg.lstsq's default rcond — so a
 *    rank-deficient design gets the minimum-norm least-squares solution, as numpy returns.
 *
 * Columns that are exactly zero after centring (constant columns with an intercept, or
 * all-zero columns) get coefficient 0 on either path, which is what the minimum-norm
 * solution assigns them.
 */
import type { Matrix } from "../matrix.ts";
import { columnStats, mean } from "./column-stats.ts";
import { gramWithTarget } from "./gram.ts";
import { choleskyCondition, choleskyFactor, choleskySolve } from "./cholesky.ts";
import { streamingQR } from "./qr-streaming.ts";
import { svdJacobi } from "./svd-jacobi.ts";

const EPS = 2.220446049250313e-16;

/**
 * Above this (estimated) condition number of the scaled Gram matrix the normal equations
 * would lose more than ~10 of 16 digits, so the QR/SVD path is used instead. κ(Gram) = κ(X)²:
 * the limit corresponds to κ(X) ≈ 1e3 after column scaling.
 */
export const COND_LIMIT = 1e6;

export interface LeastSquaresOptions {
  /** ridge penalty α ≥ 0 on w (not on the intercept) */
  alpha: number;
  fitIntercept: boolean;
}

/**
 * X's column means μ (zeros when the fit has no intercept) and G = (X − 1μᵀ)ᵀ(X − 1μᵀ), p × p
 * row-major, as gram(X, μ) computes them (the leading block of gramWithTarget is the same
 * sums in the same order, so the same bits).
 */
export interface CenteredDesign {
  mean: Float64Array;
  gram: Float64Array;
}

export interface LeastSquaresSolution {
  /** length p */
  coef: Float64Array;
  intercept: number;
  /**
   * numerical rank of the (centred) design when α = 0 (columns left after dropping zero
   * ones on the Cholesky path; singular values above the lstsq cutoff on the SVD path)
   */
  rank: number;
  solver: "cholesky" | "qr-svd";
  warnings: string[];
  /** the centred design the normal equations were formed from (statistics of the same fit reuse it) */
  design: CenteredDesign;
}

/**
 * @param X n × p design
 * @param y length n
 */
export function leastSquares(X: Matrix, y: Float64Array, { alpha, fitIntercept }: LeastSquaresOptions): LeastSquaresSolution {
  const { rows: n, cols: p } = X;
  const shift = fitIntercept ? columnStats(X).mean : undefined;
  const yMean = fitIntercept ? mean(y) : 0;

  // One pass for both sides of the normal equations: the Gram of [Xc | yc].
  const A = gramWithTarget(X, y, shift, yMean);
  const G = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    for (let k = 0; k < p; k++) G[j * p + k] = A[j * (p + 1) + k];
    b[j] = A[j * (p + 1) + p];
  }
  const warnings: string[] = [];
  const solution = choleskyPath(G, b, p, alpha) ?? svdPath(X, y, shift, yMean, alpha);
  const { coef, rank } = solution;
  if (alpha === 0 && rank < p) {
    warnings.push(
      `X is rank-deficient (rank ${rank} of ${p} columns${fitIntercept ? " after centring" : ""}: ` +
        `constant, duplicated or collinear columns). Returned the minimum-norm least-squares ` +
        `solution (as numpy.linalg.lstsq); the coefficients of the redundant columns are not identifiable.`,
    );
  }
  let intercept = 0;
  if (shift) {
    intercept = yMean;
    for (let j = 0; j < p; j++) intercept -= shift[j] * coef[j];
  }
  return { coef, intercept, rank, solver: solution.solver, warnings, design: { mean: shift ?? new Float64Array(p), gram: G } };
}

interface PathResult {
  coef: Float64Array;
  rank: number;
  solver: "cholesky" | "qr-svd";
}

/** The fast path, or undefined when the scaled system is not safely positive definite. */
function choleskyPath(G: Float64Array, b: Float64Array, p: number, alpha: number): PathResult | undefined {
  // Columns that are identically zero (after centring) are left out with coefficient 0.
  const active: number[] = [];
  for (let j = 0; j < p; j++) if (G[j * p + j] > 0) active.push(j);
  const m = active.length;
  const d = active.map((j) => Math.sqrt(G[j * p + j]));
  const A = new Float64Array(m * m);
  const rhs = new Float64Array(m);
  for (let a = 0; a < m; a++) {
    const ja = active[a];
    for (let c = 0; c <= a; c++) A[a * m + c] = G[ja * p + active[c]] / (d[a] * d[c]);
    A[a * m + a] += alpha / (d[a] * d[a]);
    rhs[a] = b[ja] / d[a];
  }
  if (!choleskyFactor(A, m) || choleskyCondition(A, m) > COND_LIMIT) return undefined;
  choleskySolve(A, m, rhs);
  const coef = new Float64Array(p);
  for (let a = 0; a < m; a++) coef[active[a]] = rhs[a] / d[a];
  return { coef, rank: m, solver: "cholesky" };
}

function svdPath(X: Matrix, y: Float64Array, shift: Float64Array | undefined, yMean: number, alpha: number): PathResult {
  const { rows: n, cols: p } = X;
  const q = p + 1;
  const R = streamingQR(X, y, shift, yMean);
  const Rxx = new Float64Array(p * p);
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    for (let j = i; j < p; j++) Rxx[i * p + j] = R[i * q + j];
    z[i] = R[i * q + p];
  }
  const { s, U, V } = svdJacobi(Rxx, p);
  const cutoff = alpha === 0 ? EPS * Math.max(n, p) * s[0] : 0;
  const coef = new Float64Array(p);
  let rank = 0;
  for (let k = 0; k < p; k++) {
    if (!(s[k] > cutoff)) break; // s is sorted descending
    rank++;
    let utz = 0;
    for (let i = 0; i < p; i++) utz += U[i * p + k] * z[i];
    const f = (s[k] / (s[k] * s[k] + alpha)) * utz;
    for (let j = 0; j < p; j++) coef[j] += V[j * p + k] * f;
  }
  return { coef, rank, solver: "qr-svd" };
}
