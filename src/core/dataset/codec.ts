/**
 * The columnar storage codec: one column's values over a run of rows ⇄ little-endian bytes
 * (DatasetChunk.data). NUMBER and BOOLEAN are Float64 (NaN = missing), CATEGORY is Int32
 * (-1 = missing). Bytes are the typed array's own memory, so encoding is a view, not a loop.
 */
import type { ColumnType } from "./columns.ts";

// Typed arrays use the host's byte order. Every platform Node supports in practice (x64, arm64)
// is little-endian; refuse to run rather than write bytes another host would misread.
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error("dataset codec: this host is big-endian; stored chunks are little-endian");
}

/** Rows per chunk split: [start, end) pairs covering 0..rowCount, each at most chunkSize rows. */
export function chunkRanges(rowCount: number, chunkSize: number): Array<[start: number, end: number]> {
  if (!Number.isInteger(rowCount) || rowCount < 0) throw new RangeError(`chunkRanges: rowCount must be a non-negative integer, got ${rowCount}`);
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError(`chunkRanges: chunkSize must be a positive integer, got ${chunkSize}`);
  const ranges: Array<[number, number]> = [];
  for (let start = 0; start < rowCount; start += chunkSize) ranges.push([start, Math.min(rowCount, start + chunkSize)]);
  return ranges;
}

/**
 * Bytes of values[start, end): a view sharing the column's memory (no copy). Copy it
 * (`Buffer.from(view)`) if the column may change before the bytes are written.
 */
export function encodeColumnChunk(values: Float64Array | Int32Array, start = 0, end = values.length): Uint8Array {
  if (!(start >= 0 && start <= end && end <= values.length)) {
    throw new RangeError(`encodeColumnChunk: range [${start}, ${end}) is outside 0..${values.length}`);
  }
  const size = values.BYTES_PER_ELEMENT;
  return new Uint8Array(values.buffer, values.byteOffset + start * size, (end - start) * size);
}

/**
 * Values from stored bytes: Float64Array for NUMBER/BOOLEAN, Int32Array for CATEGORY.
 * When `bytes` is aligned for the element type the result is a view of the same memory;
 * otherwise (Buffers that pg slices out of a socket read sit at any offset) the bytes are
 * copied first, since a typed array cannot start at an unaligned offset.
 */
export function decodeColumnChunk(type: ColumnType, bytes: Uint8Array): Float64Array | Int32Array {
  const size = type === "CATEGORY" ? Int32Array.BYTES_PER_ELEMENT : Float64Array.BYTES_PER_ELEMENT;
  if (bytes.byteLength % size !== 0) {
    throw new RangeError(`decodeColumnChunk: ${bytes.byteLength} bytes is not a whole number of ${size}-byte ${type} values`);
  }
  // new Uint8Array(bytes) copies (Buffer#slice would not: it returns a view).
  const aligned = bytes.byteOffset % size === 0 ? bytes : new Uint8Array(bytes);
  const length = aligned.byteLength / size;
  return type === "CATEGORY"
    ? new Int32Array(aligned.buffer, aligned.byteOffset, length)
    : new Float64Array(aligned.buffer, aligned.byteOffset, length);
}
