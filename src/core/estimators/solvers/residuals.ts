import type { Matrix } from "../../matrix.ts";
import { dot } from "../../linalg/blas.ts";

/**
 * ‖y − X w − b·1‖², the least-squares part of the regression objectives (one pass).
 *
 * @param X n × p;  y length n;  w length p
 */
export function residualSumOfSquares(X: Matrix, y: Float64Array, w: Float64Array, b: number): number {
  const { rows: n, cols: p, data } = X;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const r = y[i] - dot(p, data, i * p, w, 0) - b;
    sum += r * r;
  }
  return sum;
}
