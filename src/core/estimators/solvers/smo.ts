/**
 * Sequential minimal optimisation for the C-SVM dual, as LIBSVM's `Solver` (Chang & Lin,
 * "LIBSVM: a library for support vector machines", ACM TIST 2011, §4), which scikit-learn's
 * SVC runs. With y_i ∈ {−1, +1} and per-sample bounds C_i it solves
 *
 *     minimise_α  f(α) = ½ αᵀQα − Σ_i α_i,   Q_ij = y_i y_j K(x_i, x_j),
 *     subject to  yᵀα = 0,  0 ≤ α_i ≤ C_i,
 *
 * two variables at a time. The pair is chosen by the second-order working-set selection of
 * Fan, Chen & Lin, "Working set selection using second order information for training
 * support vector machines", JMLR 6 (2005), WSS 3: i maximises −y_i ∇f_i over I_up(α), j
 * minimises the second-order decrease −b_ij² / a_ij over the j ∈ I_low(α) that violate the
 * optimality condition with i (a_ij ≤ 0, possible for a non-PSD kernel, is replaced by
 * τ = 1e-12). It stops when the maximal violation m(α) − M(α) < tol (LIBSVM's eps).
 *
 * Shrinking (LIBSVM's, §4.3 of the LIBSVM paper): every min(l, 1000) iterations, variables
 * at a bound whose gradient says they will stay there are moved out of the active set; the
 * full gradient is rebuilt from Ḡ_i = Σ_{α_j = C_j} C_j Q_ij and the free variables before
 * the final check, so convergence is always certified on every variable.
 *
 * Kernel rows of Q are kept in an LRU cache bounded in bytes: full-length Float64Array rows
 * of which only the prefix over the active set is computed, so an l-row problem needs
 * O(l · rows cached) memory, never l² (at least two rows are cached).
 */
import type { Matrix } from "../../matrix.ts";
import { kernelValue, signedKernelRow, type KernelSpec } from "./svm-kernels.ts";

export interface SMOOptions {
  kernel: KernelSpec;
  /** stop when m(α) − M(α) < tol */
  tol: number;
  /** iteration limit (Infinity for none) */
  maxIter: number;
  shrinking: boolean;
  /** budget of the kernel-row cache in bytes (at least two rows are always cached) */
  cacheBytes: number;
  /** called after every iteration with f(α) and the violation m(α) − M(α) before it; may throw */
  onIteration?: (iteration: number, objective: number, gap: number) => void;
}

export interface SMOResult {
  /** length l, in the problem's row order */
  alpha: Float64Array;
  /** the decision function is Σ α_i y_i K(x_i, x) − rho */
  rho: number;
  /** f(α) = ½ αᵀQα − Σ α_i at the end (LIBSVM's `obj`) */
  objective: number;
  nIter: number;
  converged: boolean;
  /** kernel rows computed (cache misses, and row extensions after unshrinking) */
  kernelRows: number;
}

const TAU = 1e-12;
const CHUNK_BYTES = 4 * 2 ** 20;
const LOWER = 0;
const UPPER = 1;
const FREE = 2;

/**
 * @param X l × p, the rows of this binary problem
 * @param y length l, ±1
 * @param C length l, C_i > 0 (rows of weight 0 are left out by the caller, as LIBSVM does)
 */
export function smo(X: Matrix, y: Float64Array, C: Float64Array, options: SMOOptions): SMOResult {
  const l = X.rows;
  const { kernel, tol, maxIter, shrinking, onIteration } = options;
  const p = X.cols;

  // Per-position state; positions are permuted by shrinking, idx maps them to rows of X.
  const idx = new Int32Array(l);
  const yy = Float64Array.from(y);
  const Cb = Float64Array.from(C);
  const alpha = new Float64Array(l);
  const G = new Float64Array(l).fill(-1);
  const Gbar = new Float64Array(l);
  const status = new Uint8Array(l);
  const QD = new Float64Array(l);
  for (let i = 0; i < l; i++) {
    idx[i] = i;
    QD[i] = kernelValue(kernel, p, X.data, i * p, X.data, i * p);
    status[i] = Cb[i] <= 0 ? UPPER : LOWER;
  }
  const cache = createQCache(X, idx, yy, kernel, cacheRows(options.cacheBytes, l));

  let activeSize = l;
  let unshrink = false;

  // select_working_set's results.
  let wi = -1;
  let wj = -1;
  let violation = Infinity;

  /** WSS 3 on the active set; false when m(α) − M(α) < tol (optimal on the active set). */
  const selectWorkingSet = (): boolean => {
    let Gmax = -Infinity;
    let Gmax2 = -Infinity;
    let GmaxIdx = -1;
    let GminIdx = -1;
    let objDiffMin = Infinity;
    for (let t = 0; t < activeSize; t++) {
      if (yy[t] === 1) {
        if (status[t] !== UPPER && -G[t] >= Gmax) {
          Gmax = -G[t];
          GmaxIdx = t;
        }
      } else if (status[t] !== LOWER && G[t] >= Gmax) {
        Gmax = G[t];
        GmaxIdx = t;
      }
    }
    const i = GmaxIdx;
    if (i !== -1) {
      const Qi = cache.get(i, activeSize);
      const yi = yy[i];
      const QDi = QD[i];
      for (let j = 0; j < activeSize; j++) {
        if (yy[j] === 1) {
          if (status[j] !== LOWER) {
            const gradDiff = Gmax + G[j];
            if (G[j] >= Gmax2) Gmax2 = G[j];
            if (gradDiff > 0) {
              const quad = QDi + QD[j] - 2 * yi * Qi[j];
              const objDiff = -(gradDiff * gradDiff) / (quad > 0 ? quad : TAU);
              if (objDiff <= objDiffMin) {
                GminIdx = j;
                objDiffMin = objDiff;
              }
            }
          }
        } else if (status[j] !== UPPER) {
          const gradDiff = Gmax - G[j];
          if (-G[j] >= Gmax2) Gmax2 = -G[j];
          if (gradDiff > 0) {
            const quad = QDi + QD[j] + 2 * yi * Qi[j];
            const objDiff = -(gradDiff * gradDiff) / (quad > 0 ? quad : TAU);
            if (objDiff <= objDiffMin) {
              GminIdx = j;
              objDiffMin = objDiff;
            }
          }
        }
      }
    }
    violation = Gmax + Gmax2;
    if (violation < tol || GminIdx === -1) return false;
    wi = GmaxIdx;
    wj = GminIdx;
    return true;
  };

  const updateStatus = (i: number): void => {
    status[i] = alpha[i] >= Cb[i] ? UPPER : alpha[i] <= 0 ? LOWER : FREE;
  };

  /** G of the inactive positions from Ḡ and the free variables (LIBSVM's reconstruct_gradient). */
  const reconstructGradient = (): void => {
    if (activeSize === l) return;
    for (let j = activeSize; j < l; j++) G[j] = Gbar[j] - 1;
    let nFree = 0;
    for (let j = 0; j < activeSize; j++) if (status[j] === FREE) nFree++;
    if (nFree * l > 2 * activeSize * (l - activeSize)) {
      for (let i = activeSize; i < l; i++) {
        const Qi = cache.get(i, activeSize);
        let sum = 0;
        for (let j = 0; j < activeSize; j++) if (status[j] === FREE) sum += alpha[j] * Qi[j];
        G[i] += sum;
      }
    } else {
      for (let i = 0; i < activeSize; i++) {
        if (status[i] !== FREE) continue;
        const Qi = cache.get(i, l);
        const a = alpha[i];
        for (let j = activeSize; j < l; j++) G[j] += a * Qi[j];
      }
    }
  };

  const swapIndex = (i: number, j: number): void => {
    cache.swap(i, j);
    swap(idx, i, j);
    swap(yy, i, j);
    swap(Cb, i, j);
    swap(alpha, i, j);
    swap(G, i, j);
    swap(Gbar, i, j);
    swap(status, i, j);
    swap(QD, i, j);
  };

  const beShrunk = (i: number, Gmax1: number, Gmax2: number): boolean => {
    if (status[i] === UPPER) return yy[i] === 1 ? -G[i] > Gmax1 : -G[i] > Gmax2;
    if (status[i] === LOWER) return yy[i] === 1 ? G[i] > Gmax2 : G[i] > Gmax1;
    return false;
  };

  const doShrinking = (): void => {
    let Gmax1 = -Infinity; // max { −y_i ∇f_i | i ∈ I_up }
    let Gmax2 = -Infinity; // max { y_i ∇f_i | i ∈ I_low }
    for (let i = 0; i < activeSize; i++) {
      if (yy[i] === 1) {
        if (status[i] !== UPPER && -G[i] >= Gmax1) Gmax1 = -G[i];
        if (status[i] !== LOWER && G[i] >= Gmax2) Gmax2 = G[i];
      } else {
        if (status[i] !== UPPER && -G[i] >= Gmax2) Gmax2 = -G[i];
        if (status[i] !== LOWER && G[i] >= Gmax1) Gmax1 = G[i];
      }
    }
    // Close to the end, bring every variable back once (LIBSVM: within 10·eps).
    if (!unshrink && Gmax1 + Gmax2 <= tol * 10) {
      unshrink = true;
      reconstructGradient();
      activeSize = l;
    }
    for (let i = 0; i < activeSize; i++) {
      if (!beShrunk(i, Gmax1, Gmax2)) continue;
      activeSize--;
      while (activeSize > i) {
        if (!beShrunk(activeSize, Gmax1, Gmax2)) {
          swapIndex(i, activeSize);
          break;
        }
        activeSize--;
      }
    }
  };

  let iter = 0;
  let counter = Math.min(l, 1000) + 1;
  let objective = 0;
  let converged = false;
  while (iter < maxIter) {
    if (--counter === 0) {
      counter = Math.min(l, 1000);
      if (shrinking) doShrinking();
    }
    if (!selectWorkingSet()) {
      // Optimal on the active set: rebuild the whole gradient and check every variable.
      reconstructGradient();
      activeSize = l;
      if (!selectWorkingSet()) {
        converged = true;
        break;
      }
      counter = 1; // shrink at the next iteration
    }
    iter++;
    const gap = violation;
    const i = wi;
    const j = wj;
    const Qi = cache.get(i, activeSize);
    const Qj = cache.get(j, activeSize);
    const Ci = Cb[i];
    const Cj = Cb[j];
    const oldI = alpha[i];
    const oldJ = alpha[j];
    let ai = oldI;
    let aj = oldJ;
    // The two-variable subproblem, solved in closed form then clipped to the box (LIBSVM).
    if (yy[i] !== yy[j]) {
      let quad = QD[i] + QD[j] + 2 * Qi[j];
      if (quad <= 0) quad = TAU;
      const delta = (-G[i] - G[j]) / quad;
      const diff = ai - aj;
      ai += delta;
      aj += delta;
      if (diff > 0) {
        if (aj < 0) {
          aj = 0;
          ai = diff;
        }
      } else if (ai < 0) {
        ai = 0;
        aj = -diff;
      }
      if (diff > Ci - Cj) {
        if (ai > Ci) {
          ai = Ci;
          aj = Ci - diff;
        }
      } else if (aj > Cj) {
        aj = Cj;
        ai = Cj + diff;
      }
    } else {
      let quad = QD[i] + QD[j] - 2 * Qi[j];
      if (quad <= 0) quad = TAU;
      const delta = (G[i] - G[j]) / quad;
      const sum = ai + aj;
      ai -= delta;
      aj += delta;
      if (sum > Ci) {
        if (ai > Ci) {
          ai = Ci;
          aj = sum - Ci;
        }
      } else if (aj < 0) {
        aj = 0;
        ai = sum;
      }
      if (sum > Cj) {
        if (aj > Cj) {
          aj = Cj;
          ai = sum - Cj;
        }
      } else if (ai < 0) {
        ai = 0;
        aj = sum;
      }
    }
    alpha[i] = ai;
    alpha[j] = aj;
    const dI = ai - oldI;
    const dJ = aj - oldJ;
    // f(α + d) − f(α) = ∇fᵀd + ½ dᵀQd over the two coordinates (G is still the old gradient).
    objective += G[i] * dI + G[j] * dJ + 0.5 * (QD[i] * dI * dI + QD[j] * dJ * dJ) + Qi[j] * dI * dJ;
    for (let k = 0; k < activeSize; k++) G[k] += Qi[k] * dI + Qj[k] * dJ;

    // Ḡ follows the variables that reach or leave their upper bound (needs full rows).
    const wasUpperI = status[i] === UPPER;
    const wasUpperJ = status[j] === UPPER;
    updateStatus(i);
    updateStatus(j);
    if (wasUpperI !== (status[i] === UPPER)) {
      const row = cache.get(i, l);
      const c = wasUpperI ? -Ci : Ci;
      for (let k = 0; k < l; k++) Gbar[k] += c * row[k];
    }
    if (wasUpperJ !== (status[j] === UPPER)) {
      const row = cache.get(j, l);
      const c = wasUpperJ ? -Cj : Cj;
      for (let k = 0; k < l; k++) Gbar[k] += c * row[k];
    }
    onIteration?.(iter, objective, gap);
  }
  if (!converged && activeSize < l) {
    // Stopped at maxIter on a shrunk set: the objective and rho need the whole gradient.
    reconstructGradient();
    activeSize = l;
  }

  // rho: the mean of y_i ∇f_i over free variables, else the middle of the feasible interval.
  let ub = Infinity;
  let lb = -Infinity;
  let nFree = 0;
  let sumFree = 0;
  let v = 0;
  for (let i = 0; i < l; i++) {
    const yG = yy[i] * G[i];
    if (status[i] === UPPER) {
      if (yy[i] === -1) ub = Math.min(ub, yG);
      else lb = Math.max(lb, yG);
    } else if (status[i] === LOWER) {
      if (yy[i] === 1) ub = Math.min(ub, yG);
      else lb = Math.max(lb, yG);
    } else {
      nFree++;
      sumFree += yG;
    }
    v += alpha[i] * (G[i] - 1);
  }
  const rho = nFree > 0 ? sumFree / nFree : (ub + lb) / 2;
  const out = new Float64Array(l);
  for (let k = 0; k < l; k++) out[idx[k]] = alpha[k];
  return { alpha: out, rho, objective: v / 2, nIter: iter, converged, kernelRows: cache.computed() };
}

/** Rows of length l that fit in `bytes`, at least 2 (the working pair), at most l. */
export function cacheRows(bytes: number, l: number): number {
  return Math.max(2, Math.min(l, Math.floor(bytes / (8 * Math.max(l, 1)))));
}

function swap(a: Float64Array | Int32Array | Uint8Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

interface QCache {
  /** Row i of Q at the current positions, valid on [0, len). */
  get(i: number, len: number): Float64Array;
  /** Positions i and j trade places (rows and columns), as the solver's arrays do. */
  swap(i: number, j: number): void;
  /** rows computed or extended so far */
  computed(): number;
}

/**
 * LRU cache of rows of Q (LIBSVM's Cache, with fixed-size slots): row i holds
 * y_i y_k K(x_{idx[i]}, x_{idx[k]}) for k < len[i], computed on demand.
 *
 * @param idx, y the solver's position arrays (read live, as the solver permutes them)
 */
function createQCache(X: Matrix, idx: Int32Array, y: Float64Array, kernel: KernelSpec, capacity: number): QCache {
  const l = X.rows;
  const slotOf = new Int32Array(l).fill(-1);
  const len = new Int32Array(l);
  const owner = new Int32Array(capacity);
  const rows: Float64Array[] = [];
  // Slots are carved from chunks of ~4 MB: one typed array per row would make thousands of
  // separate allocations (and garbage-collector work) on a large problem.
  const chunkRows = Math.max(1, Math.floor(CHUNK_BYTES / (8 * l)));
  let chunk = new Float64Array(0);
  // Doubly linked LRU list over slots; node `capacity` is the sentinel (next = most recent).
  const prev = new Int32Array(capacity + 1);
  const next = new Int32Array(capacity + 1);
  const head = capacity;
  prev[head] = head;
  next[head] = head;
  let computed = 0;

  const unlink = (s: number): void => {
    next[prev[s]] = next[s];
    prev[next[s]] = prev[s];
  };
  const pushFront = (s: number): void => {
    next[s] = next[head];
    prev[s] = head;
    prev[next[head]] = s;
    next[head] = s;
  };

  return {
    get(i: number, need: number): Float64Array {
      let s = slotOf[i];
      if (s >= 0) {
        unlink(s);
      } else {
        if (rows.length < capacity) {
          s = rows.length;
          if (s % chunkRows === 0) chunk = new Float64Array(Math.min(chunkRows, capacity - s) * l);
          rows.push(chunk.subarray((s % chunkRows) * l, (s % chunkRows + 1) * l));
        } else {
          s = prev[head]; // least recently used
          unlink(s);
          slotOf[owner[s]] = -1;
          len[owner[s]] = 0;
        }
        slotOf[i] = s;
        owner[s] = i;
        len[i] = 0;
      }
      pushFront(s);
      const row = rows[s];
      const start = len[i];
      if (start < need) {
        signedKernelRow(kernel, X, idx, idx[i], y[i], y, start, need, row);
        len[i] = need;
        computed++;
      }
      return row;
    },
    swap(i: number, j: number): void {
      if (i === j) return;
      const si = slotOf[i];
      const sj = slotOf[j];
      slotOf[i] = sj;
      slotOf[j] = si;
      if (si >= 0) owner[si] = j;
      if (sj >= 0) owner[sj] = i;
      const t = len[i];
      len[i] = len[j];
      len[j] = t;
      const lo = Math.min(i, j);
      const hi = Math.max(i, j);
      for (let s = next[head]; s !== head; s = next[s]) {
        const r = owner[s];
        if (len[r] <= lo) continue;
        const row = rows[s];
        if (len[r] > hi) {
          const v = row[lo];
          row[lo] = row[hi];
          row[hi] = v;
        } else {
          len[r] = lo; // column hi was never computed for this row: keep the valid prefix
        }
      }
    },
    computed: () => computed,
  };
}
