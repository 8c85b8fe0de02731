/**
 * Entry point of the linalg package: every kernel, re-exported from its own file, plus the
 * composite helper the statistics code uses. Import from here outside linalg/.
 */
import type { Matrix } from "../matrix.ts";
import { columnStats } from "./column-stats.ts";

export { amax, axpy, dot, nrm2, scal } from "./blas.ts";
export { choleskyCondition, choleskyFactor, choleskyFactor as cholesky, choleskySolve } from "./cholesky.ts";
export { columnStats, mean, type ColumnStats } from "./column-stats.ts";
export { symmetricEigen, type SymmetricEigen } from "./eigen-jacobi.ts";
export { gram, gramWithTarget, xty } from "./gram.ts";
export { leastSquares, type CenteredDesign, type LeastSquaresOptions, type LeastSquaresSolution } from "./least-squares.ts";
export { streamingQR } from "./qr-streaming.ts";
export { svdJacobi, type SVD } from "./svd-jacobi.ts";

/** Column means of X (n × p), length p; constant columns get their exact value. */
export function columnMeans(X: Matrix): Float64Array {
  return columnStats(X).mean;
}
