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
 * 2. **Householder QR of the centred, column-scaled design, with iterative refinement**
 *    (OLS on ill-conditioned designs: polynomials, collinear economic series; a second pass,
 *    then two per refinement step). R_s = qr([Xc D | yc]) by blocks (TSQR, memory O(p²)),
 *    D = diag(1/‖Xc_j‖). The rank is decided on R_s's singular values (one-sided Jacobi, high
 *    relative accuracy) with numpy's tolerance σ_j > ε·max(n, p)·σ_1: on scaled columns that
 *    tolerance sees collinearity, not units, so NIST's Filip (a degree-10 polynomial, κ(X) ≈
 *    1.8e15 unscaled) is full rank as it is in exact arithmetic, while a duplicated column is
 *    not. The solution R_s u = z, w = D u is then refined (Björck, §2.9; the "corrected
 *    seminormal equations" with R from QR): r = y − b − X w and g = [1 | X]ᵀ r are accumulated
 *    in double-double (compensated) arithmetic over the raw X, and the correction solves
 *    [1 | X]ᵀ[1 | X] δ = g through R_s. The fixed point satisfies the normal equations to
 *    the working precision of the residuals themselves, which removes the κ²·‖r‖ term that
 *    limits plain QR on large-residual problems (NIST's Wampler4-5).
 * 3. **Householder QR + SVD** (rank-deficient OLS, and ridge when 1 fails). R = qr([Xc | yc]),
 *    then the Jacobi SVD of the p × p R_xx = U Σ Vᵀ gives w = V diag(σ_j / (σ_j² + α)) Uᵀ z,
 *    z = Qᵀ yc (Björck, Numerical Methods for Least Squares Problems, §2.4 and §2.7): for
 *    ridge that is the QR of the augmented system [X; √α I]. For α = 0, singular values
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

export type Solver = "cholesky" | "qr" | "qr-svd";

/** Refinement steps at most; each costs one compensated pass over X (it usually settles in 2-4). */
const MAX_REFINEMENT = 10;

/**
 * Significant digits of the coefficients below which the fit warns: κ·ε is the relative
 * error that rounding the data to doubles alone can cause, whatever the solver.
 */
export const TRUSTED_DIGITS = 8;

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
  /**
   * When the fit went through QR (ill-conditioned design): R_s, p × p upper triangular
   * row-major, with R_sᵀR_s = D G D for D = diag(scale), scale_j = 1/√G_jj, and the numerical
   * rank the solver decided. Statistics then take (X̃ᵀX̃)⁻¹ from R_s instead of factoring G.
   */
  qr?: { R: Float64Array; scale: Float64Array; rank: number };
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
  solver: Solver;
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
  const design: CenteredDesign = { mean: shift ?? new Float64Array(p), gram: G };
  const solution = choleskyPath(G, b, p, alpha) ?? (alpha === 0 ? qrPath(X, y, shift, yMean, G, design) : undefined) ?? svdPath(X, y, shift, yMean, alpha);
  const { coef, rank } = solution;
  if (alpha === 0 && rank < p) {
    warnings.push(
      `X is rank-deficient (rank ${rank} of ${p} columns${fitIntercept ? " after centring" : ""}: ` +
        `constant, duplicated or collinear columns). Returned the minimum-norm least-squares ` +
        `solution (as numpy.linalg.lstsq); the coefficients of the redundant columns are not identifiable.`,
    );
  }
  if (solution.solver === "qr" && solution.condition !== undefined) {
    const trusted = Math.max(0, Math.floor(-Math.log10(solution.condition * EPS)));
    const chosen = `X is ill-conditioned (condition number ${solution.condition.toExponential(1)} after centring and scaling its columns): solved by Householder QR with iterative refinement instead of the normal equations.`;
    warnings.push(
      trusted < TRUSTED_DIGITS
        ? `${chosen} Rounding the data to double precision alone can move the coefficients in their ${trusted + 1}th significant digit: trust about ${trusted} digits.`
        : chosen,
    );
  }
  let intercept = solution.intercept ?? 0;
  if (shift && solution.intercept === undefined) {
    intercept = yMean;
    for (let j = 0; j < p; j++) intercept -= shift[j] * coef[j];
  }
  return { coef, intercept, rank, solver: solution.solver, warnings, design };
}

interface PathResult {
  coef: Float64Array;
  rank: number;
  solver: Solver;
  /** set when the path fitted the intercept itself (refinement), else b = ȳ − x̄ᵀw */
  intercept?: number;
  /** κ of the centred, column-scaled design (QR path) */
  condition?: number;
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

/**
 * OLS by QR of the centred, column-scaled design and iterative refinement (module comment,
 * path 2), or undefined when R_s is numerically rank-deficient (the minimum-norm SVD path then
 * answers, with numpy's semantics). Records R_s in `design` for the statistics.
 */
function qrPath(X: Matrix, y: Float64Array, shift: Float64Array | undefined, yMean: number, G: Float64Array, design: CenteredDesign): PathResult | undefined {
  const { rows: n, cols: p } = X;
  const q = p + 1;
  const scale = new Float64Array(p);
  for (let j = 0; j < p; j++) scale[j] = G[j * p + j] > 0 ? 1 / Math.sqrt(G[j * p + j]) : 0;
  const W = streamingQR(X, y, shift, yMean, scale);
  const R = new Float64Array(p * p);
  const u = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    for (let j = i; j < p; j++) R[i * p + j] = W[i * q + j];
    u[i] = W[i * q + p];
  }
  const { s } = svdJacobi(R, p);
  let rank = 0;
  while (rank < p && s[rank] > EPS * Math.max(n, p) * s[0]) rank++;
  if (rank < p) return undefined;
  design.qr = { R, scale, rank };

  upperSolve(R, p, u);
  const coef = new Float64Array(p);
  for (let j = 0; j < p; j++) coef[j] = scale[j] * u[j];
  let intercept = 0;
  if (shift) {
    intercept = yMean;
    for (let j = 0; j < p; j++) intercept -= shift[j] * coef[j];
  }
  intercept = refine(X, y, shift, R, scale, coef, intercept);
  return { coef, rank, solver: "qr", intercept, condition: s[0] / s[p - 1] };
}

/**
 * Iterative refinement of (w, b) in place (b only when shift is given); returns b. Each step:
 * r = y − b − X w and g = [1 | X]ᵀ r in double-double, then the correction δ solving
 * [1 | X]ᵀ[1 | X] δ = g by block elimination of the intercept (the Schur complement of n is
 * G = Xcᵀ Xc = D⁻¹ R_sᵀ R_s D⁻¹). Stops when the correction is at rounding level or stops
 * shrinking (keeping the better iterate).
 */
function refine(X: Matrix, y: Float64Array, shift: Float64Array | undefined, R: Float64Array, scale: Float64Array, coef: Float64Array, intercept: number): number {
  const { rows: n, cols: p, data } = X;
  const gHi = new Float64Array(p);
  const gLo = new Float64Array(p);
  const wHi = new Float64Array(p);
  const wLo = new Float64Array(p);
  const delta = new Float64Array(p);
  let previous = Infinity;
  for (let step = 0; step < MAX_REFINEMENT; step++) {
    gHi.fill(0);
    gLo.fill(0);
    let g0Hi = 0;
    let g0Lo = 0;
    // w's halves for Dekker's product, split once per step rather than once per row.
    for (let j = 0; j < p; j++) {
      const t = SPLIT * coef[j];
      wHi[j] = t - (t - coef[j]);
      wLo[j] = coef[j] - wHi[j];
    }
    // The error-free transforms (Knuth's TwoSum, Dekker's TwoProduct: JavaScript has no fused
    // multiply-add) are written out inline: this loop is the refinement's whole cost.
    for (let i = 0, at = 0; i < n; i++, at += p) {
      // r_i = y_i − b − Σ x_ij w_j as an unevaluated sum rHi + rLo: the products' and the sums'
      // rounding errors are gathered in rLo, which is then only added in plain double.
      let rHi = y[i] - intercept;
      let v = rHi - y[i];
      let rLo = y[i] - (rHi - v) + (-intercept - v);
      for (let j = 0; j < p; j++) {
        const x = data[at + j];
        const w = coef[j];
        const ph = x * w;
        const t = SPLIT * x;
        const xh = t - (t - x);
        const xl = x - xh;
        const pl = xl * wLo[j] - (ph - xh * wHi[j] - xl * wHi[j] - xh * wLo[j]);
        const sum = rHi - ph;
        v = sum - rHi;
        rLo += rHi - (sum - v) + (-ph - v) - pl;
        rHi = sum;
      }
      const h = rHi + rLo;
      rLo -= h - rHi;
      rHi = h;
      let sum = g0Hi + rHi;
      v = sum - g0Hi;
      g0Lo += g0Hi - (sum - v) + (rHi - v) + rLo;
      g0Hi = sum;
      // g_j += x_ij·r_i, again as hi + lo.
      const t = SPLIT * rHi;
      const rh = t - (t - rHi);
      const rl = rHi - rh;
      for (let j = 0; j < p; j++) {
        const x = data[at + j];
        const ph = x * rHi;
        const u = SPLIT * x;
        const xh = u - (u - x);
        const xl = x - xh;
        const pl = xl * rl - (ph - xh * rh - xl * rh - xh * rl);
        const g = gHi[j];
        sum = g + ph;
        v = sum - g;
        gLo[j] += g - (sum - v) + (ph - v) + pl + x * rLo;
        gHi[j] = sum;
      }
    }
    const g0 = g0Hi + g0Lo;
    // δw solves G δw = Xᵀr − μ·Σr (the intercept eliminated), through R_s: (R_sᵀR_s) D⁻¹δw = D(…).
    let size = 0;
    let norm = 0;
    for (let j = 0; j < p; j++) {
      let rhs = gHi[j] + gLo[j];
      if (shift) {
        const [mh, ml] = twoProduct(shift[j], g0Hi);
        rhs = gHi[j] - mh + (gLo[j] - ml - shift[j] * g0Lo);
      }
      delta[j] = scale[j] * rhs;
    }
    upperTransposeSolve(R, p, delta);
    upperSolve(R, p, delta);
    for (let j = 0; j < p; j++) {
      size = Math.max(size, Math.abs(delta[j]));
      norm = Math.max(norm, Math.abs(coef[j] / (scale[j] || 1)));
    }
    if (!(size < previous)) break; // not contracting: keep the current iterate
    previous = size;
    let deltaIntercept = 0;
    if (shift) {
      deltaIntercept = g0 / n;
      for (let j = 0; j < p; j++) deltaIntercept -= shift[j] * scale[j] * delta[j];
    }
    for (let j = 0; j < p; j++) coef[j] += scale[j] * delta[j];
    intercept += deltaIntercept;
    // Corrections at 1e-14 of the solution change nothing the data can resolve: stop there
    // rather than spend two more passes reaching the last bit.
    if (size <= 1e-14 * norm) break;
  }
  return intercept;
}

/** Solve U x = b in place for upper-triangular U (p × p row-major). */
function upperSolve(U: Float64Array, p: number, b: Float64Array): void {
  for (let i = p - 1; i >= 0; i--) {
    let t = b[i];
    for (let k = i + 1; k < p; k++) t -= U[i * p + k] * b[k];
    b[i] = t / U[i * p + i];
  }
}

/** Solve Uᵀ x = b in place for upper-triangular U (p × p row-major). */
function upperTransposeSolve(U: Float64Array, p: number, b: Float64Array): void {
  for (let i = 0; i < p; i++) {
    let t = b[i];
    for (let k = 0; k < i; k++) t -= U[k * p + i] * b[k];
    b[i] = t / U[i * p + i];
  }
}

const SPLIT = 134217729; // 2^27 + 1, Dekker's splitter for doubles

/** a·b = p + e exactly (Dekker's TwoProduct; no fused multiply-add in JavaScript). */
function twoProduct(a: number, b: number): [number, number] {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return [p, al * bl - (p - ah * bh - al * bh - ah * bl)];
}
