import { describe, expect, it } from "vitest";
import { chunkRanges, decodeColumnChunk, encodeColumnChunk } from "../../../src/core/dataset/codec.ts";

describe("chunkRanges", () => {
  it("covers 0..rowCount in chunks of at most chunkSize rows", () => {
    expect(chunkRanges(10, 4)).toEqual([[0, 4], [4, 8], [8, 10]]);
    expect(chunkRanges(8, 4)).toEqual([[0, 4], [4, 8]]);
    expect(chunkRanges(3, 100)).toEqual([[0, 3]]);
    expect(chunkRanges(0, 4)).toEqual([]);
  });

  it("rejects non-positive chunk sizes and negative counts", () => {
    expect(() => chunkRanges(10, 0)).toThrow(RangeError);
    expect(() => chunkRanges(-1, 4)).toThrow(RangeError);
    expect(() => chunkRanges(1.5, 4)).toThrow(RangeError);
  });
});

describe("encodeColumnChunk / decodeColumnChunk", () => {
  const numbers = Float64Array.of(1.5, NaN, -0, 0, Infinity, -1e308, 5e-324, 42);

  it("round-trips Float64 chunks bit for bit, NaN and -0 included", () => {
    for (const [start, end] of chunkRanges(numbers.length, 3)) {
      const decoded = decodeColumnChunk("NUMBER", encodeColumnChunk(numbers, start, end));
      expect(decoded).toBeInstanceOf(Float64Array);
      expect(Array.from(decoded).map((v, i) => Object.is(v, numbers[start + i]))).toEqual(Array(end - start).fill(true));
    }
  });

  it("round-trips Int32 category codes, -1 included", () => {
    const codes = Int32Array.of(0, -1, 7, 2147483647, -1);
    const decoded = decodeColumnChunk("CATEGORY", encodeColumnChunk(codes, 1, 5));
    expect(decoded).toEqual(Int32Array.of(-1, 7, 2147483647, -1));
  });

  it("writes little-endian bytes and views the column without copying", () => {
    const bytes = encodeColumnChunk(Int32Array.of(1, 256), 0, 2);
    expect(Array.from(bytes)).toEqual([1, 0, 0, 0, 0, 1, 0, 0]);
    const values = Float64Array.of(1, 2, 3);
    const view = encodeColumnChunk(values, 1, 3);
    expect(view.buffer).toBe(values.buffer);
    expect(view.byteOffset).toBe(8);
    expect(new DataView(view.buffer, view.byteOffset).getFloat64(0, true)).toBe(2);
  });

  it("handles empty chunks", () => {
    expect(encodeColumnChunk(numbers, 4, 4).byteLength).toBe(0);
    expect(decodeColumnChunk("BOOLEAN", new Uint8Array(0))).toEqual(new Float64Array(0));
    expect(decodeColumnChunk("CATEGORY", encodeColumnChunk(new Int32Array(0)))).toEqual(new Int32Array(0));
  });

  it("copies unaligned bytes (a Buffer sliced at an odd offset) and views aligned ones", () => {
    const encoded = encodeColumnChunk(numbers);
    const backing = Buffer.alloc(encoded.byteLength + 3);
    const unaligned = backing.subarray(3);
    unaligned.set(encoded);
    const decoded = decodeColumnChunk("NUMBER", unaligned) as Float64Array;
    expect(Array.from(decoded).map((v, i) => Object.is(v, numbers[i])).every(Boolean)).toBe(true);
    expect(decoded.buffer).not.toBe(backing.buffer);
    const aligned = new Uint8Array(encoded);
    expect(decodeColumnChunk("NUMBER", aligned).buffer).toBe(aligned.buffer);
  });

  it("rejects byte lengths that are not whole values and ranges outside the column", () => {
    expect(() => decodeColumnChunk("NUMBER", new Uint8Array(12))).toThrow(/not a whole number of 8-byte NUMBER values/);
    expect(() => decodeColumnChunk("CATEGORY", new Uint8Array(6))).toThrow(RangeError);
    expect(() => encodeColumnChunk(numbers, 5, 9)).toThrow(RangeError);
    expect(() => encodeColumnChunk(numbers, 3, 2)).toThrow(RangeError);
  });
});
