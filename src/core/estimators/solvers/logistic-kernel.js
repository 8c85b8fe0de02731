// @ts-check
/**
 * The row kernel of the binary logistic loss (solvers/logistic-loss.ts): loss, Σ residuals
 * and the gradient Xᵀ(σ(z) − y) over a range of rows. Plain JavaScript, not TypeScript, because
 * a helper thread runs it too (logistic-kernel-worker.js) and a worker thread of Node 20 loads
 * plain JavaScript in ~30 ms, where a TypeScript entry needs tsx's loader (~1 s, fit-thread.ts).
 * Types: logistic-kernel.d.ts.
 */

/** Rows per block: the block's rows stay in L1/L2 between the loops over it. */
export const BLOCK = 256;

/**
 * Rows [start, end) of X (row-major, p wide) at θ = (w, b): adds each row's loss into the
 * returned sum and its gradient contribution into `grad` (length ≥ p), and returns
 * [Σ loss, Σ (σ(z_i) − y_i)]. Three loops per block of rows: the margins z_i = x_iᵀw + b (four
 * rows at a time); the loss and the residual of each row, through softplus(z) = max(z, 0) +
 * log1p(e^{−|z|}) and σ from the same e^{−|z|}; then the block's Xᵀr while its rows are still
 * in cache (eight rows per load/store of ∇).
 *
 * @param {Float64Array} data  X, row-major
 * @param {number} p
 * @param {Float64Array} y     0/1
 * @param {Float64Array} w     length ≥ p
 * @param {number} b
 * @param {number} start
 * @param {number} end
 * @param {Float64Array} grad  length ≥ p, accumulated into
 * @param {Float64Array} margin    scratch, length BLOCK
 * @param {Float64Array} residual  scratch, length BLOCK
 * @returns {[number, number]}
 */
export function accumulateLoss(data, p, y, w, b, start, end, grad, margin, residual) {
  let loss = 0;
  let gb = 0;
  for (let first = start; first < end; first += BLOCK) {
    const m = Math.min(BLOCK, end - first);
    margins(m, p, data, first * p, w, b, margin);
    for (let q = 0; q < m; q++) {
      const z = margin[q];
      const e = expNegative(Math.abs(z));
      const yi = y[first + q];
      loss += (z > 0 ? z : 0) + log1pUnit(e) - yi * z;
      const r = (z >= 0 ? 1 / (1 + e) : e / (1 + e)) - yi;
      residual[q] = r;
      gb += r;
    }
    gradientUpdate(m, p, data, first * p, residual, grad);
  }
  return [loss, gb];
}

/**
 * The loss over rows cut into chunks, each chunk's sums in a slot of its own (`partials`, p + 2
 * values a chunk: ∇ contribution, loss, Σ residuals), so that the total added up in chunk order
 * is the same whichever thread evaluated which chunk.
 * @typedef {{ data: Float64Array, p: number, y: Float64Array, theta: Float64Array, fitIntercept: boolean,
 *   n: number, chunkRows: number, chunks: number, partials: Float64Array }} ChunkedLoss
 */

/** Chunks an evaluation may have at most: a claim is (generation << 10) | chunk in one Int32. */
export const MAX_CHUNKS = 1024;

/**
 * Claims chunks of evaluation `generation` from control[1] until none is left, evaluating each
 * into its slot and counting it done in control[2] (notified). Run by the fitting thread and the
 * helper at once. A claim carries its generation, so a thread still looping after an evaluation
 * ended can never take a chunk of the next one with a stale θ.
 * @param {ChunkedLoss} task
 * @param {Int32Array} control
 * @param {number} generation
 */
export function evaluateChunks(task, control, generation) {
  const { data, p, y, theta, fitIntercept, n, chunkRows, chunks, partials } = task;
  const margin = new Float64Array(BLOCK);
  const residual = new Float64Array(BLOCK);
  for (;;) {
    const claim = Atomics.load(control, 1);
    const chunk = claim & (MAX_CHUNKS - 1);
    if (claim >>> 10 !== generation || chunk >= chunks) return;
    if (Atomics.compareExchange(control, 1, claim, claim + 1) !== claim) continue;
    const slot = partials.subarray(chunk * (p + 2), (chunk + 1) * (p + 2));
    slot.fill(0);
    const start = chunk * chunkRows;
    const [loss, residualSum] = accumulateLoss(data, p, y, theta, fitIntercept ? theta[p] : 0, start, Math.min(n, start + chunkRows), slot, margin, residual);
    slot[p] = loss;
    slot[p + 1] = residualSum;
    Atomics.add(control, 2, 1);
    Atomics.notify(control, 2);
  }
}

/**
 * out[i] = A_iᵀw + b for the `rows` rows of A at offset oa (row-major, `cols` wide).
 * @param {number} rows @param {number} cols @param {Float64Array} A @param {number} oa
 * @param {Float64Array} w @param {number} b @param {Float64Array} out
 */
function margins(rows, cols, A, oa, w, b, out) {
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    const o0 = oa + i * cols;
    const o1 = o0 + cols;
    const o2 = o1 + cols;
    const o3 = o2 + cols;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = 0; k < cols; k++) {
      const wk = w[k];
      s0 += A[o0 + k] * wk;
      s1 += A[o1 + k] * wk;
      s2 += A[o2 + k] * wk;
      s3 += A[o3 + k] * wk;
    }
    out[i] = s0 + b;
    out[i + 1] = s1 + b;
    out[i + 2] = s2 + b;
    out[i + 3] = s3 + b;
  }
  for (; i < rows; i++) {
    const o = oa + i * cols;
    let s = 0;
    for (let k = 0; k < cols; k++) s += A[o + k] * w[k];
    out[i] = s + b;
  }
}

/**
 * g += Aᵀr for the `rows` rows of A at offset oa: eight rows per step, so each g[k] is loaded
 * and stored once per eight rows.
 * @param {number} rows @param {number} cols @param {Float64Array} A @param {number} oa
 * @param {Float64Array} r @param {Float64Array} g
 */
function gradientUpdate(rows, cols, A, oa, r, g) {
  let i = 0;
  for (; i + 7 < rows; i += 8) {
    const o0 = oa + i * cols;
    const o1 = o0 + cols;
    const o2 = o1 + cols;
    const o3 = o2 + cols;
    const o4 = o3 + cols;
    const o5 = o4 + cols;
    const o6 = o5 + cols;
    const o7 = o6 + cols;
    const r0 = r[i];
    const r1 = r[i + 1];
    const r2 = r[i + 2];
    const r3 = r[i + 3];
    const r4 = r[i + 4];
    const r5 = r[i + 5];
    const r6 = r[i + 6];
    const r7 = r[i + 7];
    for (let k = 0; k < cols; k++) {
      g[k] += r0 * A[o0 + k] + r1 * A[o1 + k] + r2 * A[o2 + k] + r3 * A[o3 + k] + (r4 * A[o4 + k] + r5 * A[o5 + k] + r6 * A[o6 + k] + r7 * A[o7 + k]);
    }
  }
  for (; i < rows; i++) {
    const o = oa + i * cols;
    const ri = r[i];
    for (let k = 0; k < cols; k++) g[k] += ri * A[o + k];
  }
}

/*
 * e^{−a} and log1p(e) on the ranges the loss needs (a ≥ 0, 0 ≤ e ≤ 1), table-driven after
 * P. T. P. Tang, "Table-driven implementation of the exponential function in IEEE
 * floating-point arithmetic", ACM TOMS 15(2), 1989, and "… of the logarithm function",
 * ACM TOMS 16(4), 1990: a 32-entry (resp. 129-entry) table reduces the argument to a short
 * interval where a degree-6 Taylor polynomial is accurate to < 2⁻⁵³. Branch-free apart from
 * the clamp; within 2 ulp of Math.exp / Math.log1p (checked on 4M random arguments), at
 * ~⅓ of their cost here.
 */

/** 1.5·2⁵²: x + SHIFTER − SHIFTER rounds x (|x| < 2⁵¹) to the nearest integer. */
const SHIFTER = 6755399441055744;
const EXP_TABLE = 32;
const EXP_SCALE = EXP_TABLE / Math.LN2;
/** ln 2 / 32 in two parts (fdlibm's ln2_hi, whose low 32 bits are zero, so k·hi is exact, and ln2_lo). */
const LN2_HI = 6.9314718036912381649e-1 / EXP_TABLE;
const LN2_LO = 1.90821492927058770002e-10 / EXP_TABLE;
/** 2^{−j/32}, j < 32 */
const EXP2_FRACTION = Float64Array.from({ length: EXP_TABLE }, (_, j) => Math.exp((-j * Math.LN2) / EXP_TABLE));
/** 2^{−m}, m ≤ 1075 (the last ones subnormal or 0) */
const EXP2_INTEGER = Float64Array.from({ length: 1100 }, (_, m) => 2 ** -m);

/**
 * e^{−a} for a ≥ 0 (NaN → NaN; a > 745 → 0 or the least subnormal, as e^{−745} rounds).
 * @param {number} a
 * @returns {number}
 */
export function expNegative(a) {
  const x = a > 745 ? 745 : a;
  // a = (k/32)·ln 2 − r, |r| ≤ ln 2 / 64, k = 32m + j: e^{−a} = 2^{−m} · 2^{−j/32} · e^{r}
  const k = x * EXP_SCALE + SHIFTER - SHIFTER;
  const r = k * LN2_HI - x + k * LN2_LO;
  const ki = k | 0;
  const er = 1 + r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720))))));
  return EXP2_INTEGER[ki >> 5] * (EXP2_FRACTION[ki & 31] * er);
}

const LOG_TABLE = 128;
/** log1p(j/128) and 1/(1 + j/128), j ≤ 128 */
const LOG1P_KNOT = Float64Array.from({ length: LOG_TABLE + 1 }, (_, j) => Math.log1p(j / LOG_TABLE));
const INV_KNOT = Float64Array.from({ length: LOG_TABLE + 1 }, (_, j) => 1 / (1 + j / LOG_TABLE));

/**
 * log(1 + e) for 0 ≤ e ≤ 1 (NaN → NaN).
 * @param {number} e
 * @returns {number}
 */
export function log1pUnit(e) {
  // c = j/128 nearest to e: log(1 + e) = log(1 + c) + log1p(t), t = (e − c)/(1 + c), |t| ≤ 1/256
  const c = e * LOG_TABLE + SHIFTER - SHIFTER;
  const j = c | 0;
  const t = (e - c / LOG_TABLE) * INV_KNOT[j];
  const l = t - t * t * (1 / 2 - t * (1 / 3 - t * (1 / 4 - t * (1 / 5 - t * (1 / 6 - t / 7)))));
  return LOG1P_KNOT[j] + l;
}
