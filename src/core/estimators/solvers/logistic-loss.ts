/**
 * Binary logistic loss and its gradient, in scikit-learn's lbfgs scaling
 * (sklearn/linear_model/_linear_loss.py `LinearModelLoss` with `HalfBinomialLoss`,
 * l2_reg_strength = 1/C):
 *
 *     f(w, b) = Σ_i [log(1 + exp(z_i)) − y_i z_i] + ‖w‖² / (2C),   z_i = x_iᵀw + b,
 *     ∇_w f   = Xᵀ(σ(z) − y) + w / C,      ∂_b f = Σ_i (σ(z_i) − y_i),
 *
 * i.e. (1/C) × the objective C·Σ logloss + ½‖w‖² of the estimator's documentation; the
 * minimiser is the same and `tol` compares with this gradient as it does in sklearn.
 * The intercept b is not penalised.
 */
import type { Matrix } from "../../matrix.ts";
import { dot, gemvT } from "../../linalg/blas.ts";
import type { ObjectiveWithGradient } from "./lbfgs.ts";

/**
 * σ(z) = 1 / (1 + e^{−z}) without overflow: e^{−|z|} ≤ 1 is the only exponential taken.
 */
export function sigmoid(z: number): number {
  const e = Math.exp(-Math.abs(z));
  return z >= 0 ? 1 / (1 + e) : e / (1 + e);
}

/** Rows per block: the block's rows stay in L2 between the two loops over it. */
const BLOCK = 256;

/**
 * The objective above as a function of θ = (w_1..w_p[, b]) for L-BFGS, in one pass over X
 * per call. Rows go in blocks: first z_i, the loss and the residual σ(z_i) − y_i of each
 * row (one `exp` and one `log1p` per row, through softplus(z) = max(z, 0) + log1p(e^{−|z|})),
 * then the block's gradient contribution Xᵀ(σ(z) − y) while its rows are still in cache
 * (gemvT, four rows per update of ∇: ~20% faster than a fused per-row axpy on 1M × 20).
 *
 * @param X n × p
 * @param y length n, values 0/1
 */
export function logisticObjective(X: Matrix, y: Float64Array, C: number, fitIntercept: boolean): ObjectiveWithGradient {
  const { rows: n, cols: p, data } = X;
  const residual = new Float64Array(BLOCK);
  return (theta, grad) => {
    const b = fitIntercept ? theta[p] : 0;
    grad.fill(0);
    let loss = 0;
    let gb = 0;
    for (let start = 0; start < n; start += BLOCK) {
      const m = Math.min(BLOCK, n - start);
      for (let q = 0; q < m; q++) {
        const i = start + q;
        const z = dot(p, data, i * p, theta, 0) + b;
        const e = Math.exp(-Math.abs(z));
        const yi = y[i];
        loss += (z > 0 ? z : 0) + Math.log1p(e) - yi * z;
        const r = (z >= 0 ? 1 / (1 + e) : e / (1 + e)) - yi;
        residual[q] = r;
        gb += r;
      }
      gemvT(m, p, data, start * p, residual, 0, grad);
    }
    let ww = 0;
    for (let j = 0; j < p; j++) {
      ww += theta[j] * theta[j];
      grad[j] += theta[j] / C;
    }
    if (fitIntercept) grad[p] = gb;
    return loss + ww / (2 * C);
  };
}
