/** Types of logistic-kernel.js (plain JavaScript so that a helper thread loads it without tsx). */
export declare const BLOCK: number;
export declare function accumulateLoss(
  data: Float64Array,
  p: number,
  y: Float64Array,
  w: Float64Array,
  b: number,
  start: number,
  end: number,
  grad: Float64Array,
  margin: Float64Array,
  residual: Float64Array,
): [loss: number, residualSum: number];
export declare function expNegative(a: number): number;
export declare function log1pUnit(e: number): number;
export interface ChunkedLoss {
  data: Float64Array;
  p: number;
  y: Float64Array;
  theta: Float64Array;
  fitIntercept: boolean;
  n: number;
  chunkRows: number;
  chunks: number;
  partials: Float64Array;
}
export declare const MAX_CHUNKS: number;
export declare function evaluateChunks(task: ChunkedLoss, control: Int32Array, generation: number): void;
