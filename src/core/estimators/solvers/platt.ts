/**
 * Probabilities from SVM decision values, as LIBSVM computes them:
 *
 *  - Platt scaling (Platt 1999, "Probabilistic outputs for support vector machines"), fitted
 *    by the Newton method with backtracking of Lin, Lin & Weng, "A note on Platt's
 *    probabilistic outputs for support vector machines", Machine Learning 68 (2007), Alg. 1
 *    — LIBSVM's `sigmoid_train` / `sigmoid_predict`:  P(y = +1 | f) = 1 / (1 + exp(A f + B)),
 *    with the regularised targets t₊ = (N₊ + 1)/(N₊ + 2), t₋ = 1/(N₋ + 2);
 *  - pairwise coupling for k > 2 classes by method 2 of Wu, Lin & Weng, "Probability
 *    estimates for multi-class classification by pairwise coupling", JMLR 5 (2004), §4 —
 *    LIBSVM's `multiclass_probability`.
 */

export interface Sigmoid {
  A: number;
  B: number;
}

const MAX_ITER = 100;
const MIN_STEP = 1e-10;
/** keeps the Hessian strictly positive definite */
const SIGMA = 1e-12;
const EPS = 1e-5;

/**
 * Fit A, B of P(+1 | f) = 1 / (1 + exp(A f + B)) by minimising the cross-entropy against the
 * regularised targets.
 *
 * @param f length l, decision values (positive for the +1 class)
 * @param positive length l, true where the label is +1
 */
export function sigmoidTrain(f: Float64Array, positive: Uint8Array): Sigmoid {
  const l = f.length;
  let prior1 = 0;
  for (let i = 0; i < l; i++) prior1 += positive[i];
  const prior0 = l - prior1;
  const hiTarget = (prior1 + 1) / (prior1 + 2);
  const loTarget = 1 / (prior0 + 2);
  const t = new Float64Array(l);
  for (let i = 0; i < l; i++) t[i] = positive[i] ? hiTarget : loTarget;

  // F(A, B) = Σ −t_i log p_i − (1 − t_i) log(1 − p_i), written to avoid overflow.
  const value = (A: number, B: number): number => {
    let sum = 0;
    for (let i = 0; i < l; i++) {
      const z = f[i] * A + B;
      sum += z >= 0 ? t[i] * z + Math.log1p(Math.exp(-z)) : (t[i] - 1) * z + Math.log1p(Math.exp(z));
    }
    return sum;
  };

  let A = 0;
  let B = Math.log((prior0 + 1) / (prior1 + 1));
  let fval = value(A, B);
  for (let iter = 0; iter < MAX_ITER; iter++) {
    let h11 = SIGMA;
    let h22 = SIGMA;
    let h21 = 0;
    let g1 = 0;
    let g2 = 0;
    for (let i = 0; i < l; i++) {
      const z = f[i] * A + B;
      let p: number;
      let q: number;
      if (z >= 0) {
        const e = Math.exp(-z);
        p = e / (1 + e);
        q = 1 / (1 + e);
      } else {
        const e = Math.exp(z);
        p = 1 / (1 + e);
        q = e / (1 + e);
      }
      const d2 = p * q;
      h11 += f[i] * f[i] * d2;
      h22 += d2;
      h21 += f[i] * d2;
      const d1 = t[i] - p;
      g1 += f[i] * d1;
      g2 += d1;
    }
    if (Math.abs(g1) < EPS && Math.abs(g2) < EPS) break;
    // Newton direction −H⁻¹g, then backtracking until sufficient decrease.
    const det = h11 * h22 - h21 * h21;
    const dA = -(h22 * g1 - h21 * g2) / det;
    const dB = -(-h21 * g1 + h11 * g2) / det;
    const gd = g1 * dA + g2 * dB;
    let step = 1;
    while (step >= MIN_STEP) {
      const newA = A + step * dA;
      const newB = B + step * dB;
      const newf = value(newA, newB);
      if (newf < fval + 1e-4 * step * gd) {
        A = newA;
        B = newB;
        fval = newf;
        break;
      }
      step /= 2;
    }
    if (step < MIN_STEP) break; // line search failed: keep the last (A, B), as LIBSVM
  }
  return { A, B };
}

/** P(+1 | f) = 1 / (1 + exp(A f + B)), without cancellation for large |A f + B|. */
export function sigmoidPredict(f: number, { A, B }: Sigmoid): number {
  const z = f * A + B;
  if (z >= 0) {
    const e = Math.exp(-z);
    return e / (1 + e);
  }
  return 1 / (1 + Math.exp(z));
}

/**
 * Class probabilities p (length k, Σ p = 1) from pairwise probabilities r (k × k row-major,
 * r_ij = P(y = i | y ∈ {i, j}), r_ij + r_ji = 1): the fixed-point iteration of Wu, Lin & Weng's
 * method 2, minimising Σ_i Σ_{j≠i} (r_ji p_i − r_ij p_j)² subject to Σ p = 1, stopping when
 * max_t |(Qp)_t − pᵀQp| < 0.005 / k (LIBSVM's rule).
 *
 * @param Q, Qp scratch of length k² and k
 */
export function multiclassProbability(k: number, r: Float64Array, p: Float64Array, Q: Float64Array, Qp: Float64Array): void {
  const maxIter = Math.max(100, k);
  const eps = 0.005 / k;
  for (let t = 0; t < k; t++) {
    p[t] = 1 / k;
    Q[t * k + t] = 0;
    for (let j = 0; j < t; j++) {
      Q[t * k + t] += r[j * k + t] * r[j * k + t];
      Q[t * k + j] = Q[j * k + t];
    }
    for (let j = t + 1; j < k; j++) {
      Q[t * k + t] += r[j * k + t] * r[j * k + t];
      Q[t * k + j] = -r[j * k + t] * r[t * k + j];
    }
  }
  for (let iter = 0; iter < maxIter; iter++) {
    // Recompute Qp and pᵀQp each sweep for accuracy.
    let pQp = 0;
    for (let t = 0; t < k; t++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += Q[t * k + j] * p[j];
      Qp[t] = s;
      pQp += p[t] * s;
    }
    let maxError = 0;
    for (let t = 0; t < k; t++) maxError = Math.max(maxError, Math.abs(Qp[t] - pQp));
    if (maxError < eps) break;
    for (let t = 0; t < k; t++) {
      const diff = (-Qp[t] + pQp) / Q[t * k + t];
      p[t] += diff;
      pQp = (pQp + diff * (diff * Q[t * k + t] + 2 * Qp[t])) / (1 + diff) / (1 + diff);
      for (let j = 0; j < k; j++) {
        Qp[j] = (Qp[j] + diff * Q[t * k + j]) / (1 + diff);
        p[j] /= 1 + diff;
      }
    }
  }
}
