/**
 * Kernel functions of the SVM (LIBSVM's, which scikit-learn's SVC uses):
 *
 *     linear   K(x, z) = xᵀz
 *     poly     K(x, z) = (γ xᵀz + coef0)^degree
 *     rbf      K(x, z) = exp(−γ ‖x − z‖²)
 *     sigmoid  K(x, z) = tanh(γ xᵀz + coef0)
 *
 * The kernel is chosen once per row of values, outside the loop (STYLE §2–3: string unions
 * dispatching to loops over typed arrays, no allocation inside).
 */
import type { Matrix } from "../../matrix.ts";
import { dot } from "../../linalg/blas.ts";

export type KernelName = "linear" | "poly" | "rbf" | "sigmoid";

export interface KernelSpec {
  kernel: KernelName;
  /** γ (ignored by linear) */
  gamma: number;
  /** polynomial degree (poly only) */
  degree: number;
  /** additive constant (poly and sigmoid) */
  coef0: number;
}

/**
 * The hyperparameters each kernel reads, besides its name. Used to refuse a value that the
 * chosen kernel would silently ignore.
 */
export const KERNEL_PARAMETERS: Readonly<Record<"gamma" | "degree" | "coef0", readonly KernelName[]>> = {
  gamma: ["rbf", "poly", "sigmoid"],
  degree: ["poly"],
  coef0: ["poly", "sigmoid"],
};

/** K(a_i, b_j) for row i of A (offset oa = i·p) and row j of B (offset ob = j·p), p features. */
export function kernelValue(spec: KernelSpec, p: number, a: Float64Array, oa: number, b: Float64Array, ob: number): number {
  switch (spec.kernel) {
    case "linear":
      return dot(p, a, oa, b, ob);
    case "poly":
      return powi(spec.gamma * dot(p, a, oa, b, ob) + spec.coef0, spec.degree);
    case "rbf":
      return Math.exp(-spec.gamma * squaredDistance(p, a, oa, b, ob));
    case "sigmoid":
      return Math.tanh(spec.gamma * dot(p, a, oa, b, ob) + spec.coef0);
  }
}

/**
 * out[k] = s · y[k] · K(x_{rows[k]}, z) for k in [start, end): one signed kernel row (a row
 * of the SVM's Q) against the rows of X listed in `rows` (the solver's permuted order),
 * z = X's row `zRow`.
 *
 * @param X n × p;  rows indices into X;  y signs ±1 by position;  out length ≥ end
 */
export function signedKernelRow(
  spec: KernelSpec,
  X: Matrix,
  rows: Int32Array,
  zRow: number,
  s: number,
  y: Float64Array,
  start: number,
  end: number,
  out: Float64Array,
): void {
  const { cols: p, data } = X;
  const oz = zRow * p;
  const { gamma, coef0, degree } = spec;
  switch (spec.kernel) {
    case "linear":
      for (let k = start; k < end; k++) out[k] = s * y[k] * dot(p, data, rows[k] * p, data, oz);
      return;
    case "poly":
      for (let k = start; k < end; k++) out[k] = s * y[k] * powi(gamma * dot(p, data, rows[k] * p, data, oz) + coef0, degree);
      return;
    case "rbf":
      // Distances first, exponentials in a second pass: two simple loops pipeline better.
      for (let k = start; k < end; k++) out[k] = -gamma * squaredDistance(p, data, rows[k] * p, data, oz);
      for (let k = start; k < end; k++) out[k] = s * y[k] * Math.exp(out[k]);
      return;
    case "sigmoid":
      for (let k = start; k < end; k++) out[k] = s * y[k] * Math.tanh(gamma * dot(p, data, rows[k] * p, data, oz) + coef0);
      return;
  }
}

/**
 * out[j] = K(s_j, z) for every row s_j of S (the support vectors), z = row `zRow` of Z.
 *
 * @param S m × p;  Z n × p;  out length ≥ m
 */
export function kernelAgainst(spec: KernelSpec, S: Matrix, Z: Matrix, zRow: number, out: Float64Array): void {
  const { rows: m, cols: p, data } = S;
  const z = Z.data;
  const oz = zRow * p;
  const { gamma, coef0, degree } = spec;
  switch (spec.kernel) {
    case "linear":
      for (let j = 0; j < m; j++) out[j] = dot(p, data, j * p, z, oz);
      return;
    case "poly":
      for (let j = 0; j < m; j++) out[j] = powi(gamma * dot(p, data, j * p, z, oz) + coef0, degree);
      return;
    case "rbf":
      for (let j = 0; j < m; j++) out[j] = Math.exp(-gamma * squaredDistance(p, data, j * p, z, oz));
      return;
    case "sigmoid":
      for (let j = 0; j < m; j++) out[j] = Math.tanh(gamma * dot(p, data, j * p, z, oz) + coef0);
      return;
  }
}

/** ‖a_i − b_j‖², summed directly (no ‖a‖² + ‖b‖² − 2aᵀb cancellation far from the origin). */
function squaredDistance(p: number, a: Float64Array, oa: number, b: Float64Array, ob: number): number {
  let sum = 0;
  for (let j = 0; j < p; j++) {
    const d = a[oa + j] - b[ob + j];
    sum += d * d;
  }
  return sum;
}

/** x^n for an integer n ≥ 0 by binary powering (LIBSVM's powi: exact for small n, no Math.pow). */
function powi(x: number, n: number): number {
  let result = 1;
  let base = x;
  for (let e = n; e > 0; e >>= 1) {
    if (e & 1) result *= base;
    base *= base;
  }
  return result;
}

/**
 * γ = "scale": 1 / (p · Var(X)), Var over every entry of X (population variance, numpy's
 * X.var()), or 1 when X is constant; "auto": 1 / p; a number: itself (scikit-learn's SVC).
 */
export function resolveGamma(gamma: "scale" | "auto" | number, X: Matrix): number {
  if (typeof gamma === "number") return gamma;
  const { cols: p, data } = X;
  if (gamma === "auto") return 1 / p;
  // Two passes (mean, then squared deviations), as numpy's var.
  let mean = 0;
  for (let k = 0; k < data.length; k++) mean += data[k];
  mean /= data.length;
  let ss = 0;
  for (let k = 0; k < data.length; k++) {
    const d = data[k] - mean;
    ss += d * d;
  }
  const variance = ss / data.length;
  return variance !== 0 ? 1 / (p * variance) : 1;
}
