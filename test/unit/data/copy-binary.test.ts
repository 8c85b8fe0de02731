import { describe, expect, it } from "vitest";
import { SingleColumnParser } from "../../../src/data/copy-binary.ts";

/** A one-column COPY binary stream, as Postgres writes it (PostgreSQL docs, COPY, "Binary Format"). */
function copyStream(values: (Uint8Array | null)[]): Buffer {
  const parts = [Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"), Buffer.alloc(8)];
  for (const value of values) {
    const head = Buffer.alloc(6);
    head.writeInt16BE(1, 0);
    head.writeInt32BE(value === null ? -1 : value.length, 2);
    parts.push(head);
    if (value) parts.push(Buffer.from(value));
  }
  parts.push(Buffer.from([0xff, 0xff]));
  return Buffer.concat(parts);
}

function collect(chunks: Uint8Array[]) {
  const rows: (number[] | null)[] = [];
  const parser = new SingleColumnParser({
    begin: (length) => void rows.push(length < 0 ? null : []),
    bytes: (part) => rows[rows.length - 1]!.push(...part),
  });
  for (const chunk of chunks) parser.push(chunk);
  return { rows, count: parser.end() };
}

describe("SingleColumnParser", () => {
  const values = [Uint8Array.of(1, 2, 3), null, new Uint8Array(0), Uint8Array.from({ length: 300 }, (_, i) => i % 256)];
  const expected = values.map((v) => (v === null ? null : Array.from(v)));
  const stream = copyStream(values);

  it("reads every value, NULL and empty included, from one chunk", () => {
    expect(collect([stream])).toEqual({ rows: expected, count: 4 });
  });

  it("reads the same whatever the chunk boundaries (headers split across chunks)", () => {
    for (let size = 1; size <= 23; size++) {
      const chunks = [];
      for (let at = 0; at < stream.length; at += size) chunks.push(stream.subarray(at, at + size));
      expect(collect(chunks).rows).toEqual(expected);
    }
    for (let cut = 1; cut < stream.length; cut++) {
      expect(collect([stream.subarray(0, cut), stream.subarray(cut)]).rows).toEqual(expected);
    }
  });

  it("rejects a stream without the signature, one cut short, and rows of more than one field", () => {
    const wrong = Buffer.from(stream);
    wrong[0] = 0x51;
    expect(() => collect([wrong])).toThrow(/signature/);
    expect(() => collect([stream.subarray(0, stream.length - 1)])).toThrow(/before its end marker/);
    const twoFields = Buffer.from(stream);
    twoFields.writeInt16BE(2, 19);
    expect(() => collect([twoFields])).toThrow(/1 field per row, got 2/);
  });
});
