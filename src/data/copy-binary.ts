/**
 * Bulk bytes in and out of Postgres with binary COPY, through pg-copy-streams.
 *
 * node-postgres reads every result value as UTF-8 text (pg-protocol has no binary row mode),
 * so a bytea comes back hex-encoded: twice its size on the wire, then a string, then decoded.
 * COPY's binary format carries the raw bytes, and parsing it as it streams lets each value's
 * bytes go straight to where the caller wants them, with no intermediate buffer (README,
 * Performance: "Training from the database").
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { escapeIdentifier, type Pool, type PoolClient } from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { withClient } from "./pool-client.ts";

/** "PGCOPY\n\377\r\n\0": the signature of COPY's binary format (PostgreSQL docs, COPY, "Binary Format"). */
const SIGNATURE = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]);
/** signature, int32 flags, int32 header-extension length (always 0 from servers to date) */
const FILE_HEADER_BYTES = 19;
/** int16 field count (−1 = end of data), then the one field's int32 length (−1 = NULL) */
const TUPLE_HEADER_BYTES = 6;

export interface ColumnSink {
  /** A new row's value begins, of `length` bytes (−1: SQL NULL, no bytes follow). */
  begin(length: number): void;
  /** The next bytes of the current value, in order; the view is only valid during the call. */
  bytes(part: Uint8Array): void;
}

/**
 * Runs `COPY (select) TO STDOUT (FORMAT binary)` for a one-column SELECT, handing each row's
 * value to `sink` as it arrives. Returns the number of rows. COPY takes no bind parameters: the
 * caller quotes any literal in `select` (pg's escapeLiteral).
 */
export async function copyOutColumn(pool: Pool, select: string, sink: ColumnSink): Promise<number> {
  return withClient(pool, async (client) => {
    const parser = new SingleColumnParser(sink);
    for await (const part of client.query(copyTo(`COPY (${select}) TO STDOUT (FORMAT binary)`))) parser.push(part as Buffer);
    return parser.end();
  });
}

/** Incremental parser of a one-column binary COPY stream; headers may straddle the stream's chunks. */
export class SingleColumnParser {
  private readonly head = Buffer.alloc(FILE_HEADER_BYTES);
  private headLength = 0;
  private started = false;
  private finished = false;
  /** bytes of the current value still to come */
  private remaining = 0;
  private rows = 0;

  constructor(private readonly sink: ColumnSink) {}

  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.finished) throw new Error("COPY binary: data after the end marker");
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - at);
        this.sink.bytes(chunk.subarray(at, at + take));
        at += take;
        this.remaining -= take;
        continue;
      }
      // A header: the file's once, then per row the field count (−1: the end marker) and, when
      // it is not the end, the value's length.
      const wanted = !this.started ? FILE_HEADER_BYTES : this.headLength < 2 ? 2 : TUPLE_HEADER_BYTES;
      const take = Math.min(wanted - this.headLength, chunk.length - at);
      this.head.set(chunk.subarray(at, at + take), this.headLength);
      this.headLength += take;
      at += take;
      if (this.headLength < wanted) continue;
      if (!this.started) this.fileHeader();
      else if (wanted === 2) {
        if (this.head.readInt16BE(0) === -1) this.finished = true;
      } else this.tupleHeader();
    }
  }

  /** The row count; throws when the stream stopped before its end marker. */
  end(): number {
    if (!this.finished) throw new Error("COPY binary: stream ended before its end marker");
    return this.rows;
  }

  private fileHeader(): void {
    if (!this.head.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw new Error("COPY binary: missing signature");
    if (this.head.readInt32BE(15) !== 0) throw new Error("COPY binary: header extensions are not supported");
    this.started = true;
    this.headLength = 0;
  }

  private tupleHeader(): void {
    const fields = this.head.readInt16BE(0);
    if (fields !== 1) throw new Error(`COPY binary: expected 1 field per row, got ${fields}`);
    const length = this.head.readInt32BE(2);
    this.headLength = 0;
    this.rows++;
    this.sink.begin(length);
    this.remaining = Math.max(0, length);
  }
}

/** A value of a binary COPY row: an int4, a uuid (its text form), or bytea bytes. */
export type CopyField = { int4: number } | { uuid: string } | { bytes: Uint8Array };

/**
 * Runs `COPY table (columns) FROM STDIN (FORMAT binary)` on `client` (which must be in the
 * caller's transaction) with `rows`, each the fields of one row in column order. Returns the
 * number of rows written. The bytes of a bytea go to the socket as they are, where a bind
 * parameter would carry them as hex text.
 */
export async function copyInRows(client: PoolClient, table: string, columns: readonly string[], rows: Iterable<CopyField[]>): Promise<number> {
  const sql = `COPY ${escapeIdentifier(table)} (${columns.map((c) => escapeIdentifier(c)).join(", ")}) FROM STDIN (FORMAT binary)`;
  let count = 0;
  function* encode(): Generator<Uint8Array> {
    const header = Buffer.alloc(FILE_HEADER_BYTES);
    SIGNATURE.copy(header, 0);
    yield header;
    for (const fields of rows) {
      count++;
      yield encodeRow(fields);
      for (const field of fields) if ("bytes" in field) yield field.bytes;
    }
    yield Buffer.from([0xff, 0xff]);
  }
  await pipeline(Readable.from(encode()), client.query(copyFrom(sql)));
  return count;
}

/** The row's field count and every field but the bytea payloads, which follow it as they are. */
function encodeRow(fields: CopyField[]): Buffer {
  let size = 2;
  for (const field of fields) size += 4 + ("int4" in field ? 4 : "uuid" in field ? 16 : 0);
  const out = Buffer.alloc(size);
  let at = out.writeInt16BE(fields.length, 0);
  for (const [k, field] of fields.entries()) {
    if ("int4" in field) {
      at = out.writeInt32BE(4, at);
      at = out.writeInt32BE(field.int4, at);
    } else if ("uuid" in field) {
      at = out.writeInt32BE(16, at);
      at += Buffer.from(field.uuid.replace(/-/g, ""), "hex").copy(out, at);
    } else {
      // The length goes here; the bytes themselves are yielded after this buffer. Only the last
      // field may be a bytea (its bytes follow the row's other fields).
      if (k !== fields.length - 1) throw new Error("copyInRows: a bytea must be the row's last field");
      at = out.writeInt32BE(field.bytes.byteLength, at);
    }
  }
  return out;
}
