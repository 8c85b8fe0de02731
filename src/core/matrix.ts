/**
 * The core's data layout: a dense row-major matrix over one Float64Array.
 * X: rows (n_samples) × cols (n_features); element (i, j) is data[i * cols + j].
 * Estimators take this, never a class hierarchy (STYLE: no class proliferation).
 */
export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

export function matrix(rows: number, cols: number, data?: Float64Array): Matrix {
  if (data && data.length !== rows * cols) {
    throw new RangeError(`matrix: data has length ${data.length}, expected ${rows} × ${cols} = ${rows * cols}`);
  }
  return { data: data ?? allocate(rows * cols), rows, cols };
}

/** Build a Matrix from nested arrays (tests, small inputs). */
export function fromRows(rows: ArrayLike<ArrayLike<number>>): Matrix {
  const n = rows.length;
  const p = n === 0 ? 0 : rows[0].length;
  const out = matrix(n, p);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    if (r.length !== p) throw new RangeError(`fromRows: row ${i} has ${r.length} values, expected ${p}`);
    for (let j = 0; j < p; j++) out.data[i * p + j] = r[j];
  }
  return out;
}

/** Select rows by index (used for train/test splits and folds). */
export function takeRows(X: Matrix, indices: ArrayLike<number>): Matrix {
  const out = matrix(indices.length, X.cols);
  for (let k = 0; k < indices.length; k++) {
    const src = indices[k] * X.cols;
    out.data.set(X.data.subarray(src, src + X.cols), k * X.cols);
  }
  return out;
}

export function takeValues(y: Float64Array, indices: ArrayLike<number>): Float64Array {
  const out = new Float64Array(indices.length);
  for (let k = 0; k < indices.length; k++) out[k] = y[indices[k]];
  return out;
}

/** From this many values a new matrix lives in shared memory (8 MiB). */
const SHARED_MIN_VALUES = 1 << 20;

/**
 * Zeroed storage for `length` values: large matrices in a SharedArrayBuffer, so that a helper
 * thread can read them without a copy (the logistic loss splits its rows over two threads,
 * solvers/logistic-loss.ts). Otherwise the same as an ArrayBuffer.
 */
function allocate(length: number): Float64Array {
  return length >= SHARED_MIN_VALUES ? new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT)) : new Float64Array(length);
}
