/**
 * CSV text → typed columns (RFC 4180, parsed by csv-parse).
 *
 * Accepted: a header row, comma separators, fields quoted with `"` (a quote inside a quoted
 * field is written `""`; quoted fields may hold commas and line breaks), CRLF or LF record
 * ends (mixed is fine), an optional trailing newline, and a UTF-8 byte order mark (dropped).
 * Blank lines are skipped (pandas' `skip_blank_lines`), so a blank line is never a row.
 * Header names are trimmed; they must be non-empty and unique.
 *
 * Every error is an InvalidInputError whose `details` say where: `line` (1-based physical line
 * where the offending record starts; the header is line 1), `column` (1-based field position)
 * and `field` (the column's name, when known).
 *
 * Records go one by one into {@link ColumnBuilder}s (no array of rows is kept), so the sync
 * path ({@link parseCsv}) and the streaming path ({@link readCsv}) share one ingest.
 */
import { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { pipeline } from "node:stream/promises";
import { parse as parseStream } from "csv-parse";
import { CsvError, parse as parseSync, type InfoRecord, type Options } from "csv-parse/sync";
import { InvalidInputError } from "../errors.ts";
import { ColumnBuilder, type CategoryBudget, type Column } from "./columns.ts";

export interface CsvLimits {
  /** most columns a file may have (default 1000) */
  maxColumns: number;
  /** most characters in one field (default 100 000); guards against a missing closing quote */
  maxFieldLength: number;
  /**
   * most cells (data rows × columns) in one file (default 50 000 000, MAX_UPLOAD_CELLS): ingest
   * holds every cell as a typed value (8 bytes), so this bounds its memory (~400 MB, more while
   * a column grows) whatever the file's size
   */
  maxCells: number;
  /**
   * most distinct text values over all columns (default 1 000 000, MAX_UPLOAD_CATEGORIES): each
   * is held as a string in its column's dictionary (~100 bytes), which a column of distinct
   * values (an id, free text) would make as large as the file
   */
  maxCategories: number;
}

export const DEFAULT_CSV_LIMITS: Readonly<CsvLimits> = { maxColumns: 1000, maxFieldLength: 100_000, maxCells: 50_000_000, maxCategories: 1_000_000 };

/** A parsed table: one typed column per header field, all of length `rowCount`. */
export interface Table {
  columns: Column[];
  rowCount: number;
}

/**
 * Parse a whole CSV held in memory.
 * @param input CSV text, or its UTF-8 bytes
 * @example parseCsv("x,city\n1.5,Lyon\n2,Nice\n").columns[0] // { name: "x", type: "NUMBER", values: [1.5, 2] }
 */
export function parseCsv(input: string | Uint8Array, limits: Partial<CsvLimits> = {}, options: { plainPath?: boolean } = {}): Table {
  const ingest = new CsvIngest({ ...DEFAULT_CSV_LIMITS, ...limits });
  // plainPath: false sends everything to csv-parse (the tests compare the two paths).
  const plain = options.plainPath ?? true;
  runSync(input, ingest, "record", undefined, plain);
  const replayRows = ingest.replayRows();
  if (replayRows > 0) runSync(input, ingest, "replay", replayRows + 1, plain);
  return ingest.finish();
}

/**
 * Parse a CSV arriving in chunks (an upload stream) without ever holding the whole text: memory
 * is the typed columns plus one chunk. `open` is called once, or twice when a column that looked numeric turns out
 * to be textual (its earliest rows are read again for their text; see ColumnBuilder), so it must
 * return a fresh iterable of the same bytes each time (e.g. a spooled upload).
 */
export async function readCsv(
  open: () => AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  limits: Partial<CsvLimits> = {},
): Promise<Table> {
  const ingest = new CsvIngest({ ...DEFAULT_CSV_LIMITS, ...limits });
  await runStream(open(), ingest, "record");
  if (ingest.replayRows() > 0) await runStream(open(), ingest, "replay");
  // Finishing copies each column to its length: one column at a time, letting the event loop
  // run between them (a large upload's columns together are hundreds of MB).
  const columns: Column[] = [];
  for (const builder of ingest.columnBuilders()) {
    columns.push(builder.finish());
    await new Promise((resolve) => setImmediate(resolve));
  }
  return ingest.finish(columns);
}

type OnRecord = (record: string[], info: InfoRecord) => null;
type Pass = "record" | "replay";

/**
 * The whole input at once: the plain path when it holds no quote (and no NUL, which csv-parse's
 * path reports by position), else csv-parse. `to` limits a replay to its first records.
 */
function runSync(input: string | Uint8Array, ingest: CsvIngest, pass: Pass, to: number | undefined, plainPath: boolean): void {
  try {
    // Bytes holding a quote go to csv-parse as they are, without being decoded first.
    const text = !plainPath ? null : typeof input === "string" ? input : hasQuoteOrNul(input) ? null : new TextDecoder().decode(input);
    const lines = new PlainLines(ingest, pass, ingest.limits.maxFieldLength);
    // write() takes nothing when the text needs csv-parse.
    if (text !== null && lines.write(text)) {
      lines.end();
      return;
    }
    parseSync(input, { ...ingest.options(ingest.handler(pass)), ...(to === undefined ? {} : { to }) });
  } catch (error) {
    throw ingest.translateError(error);
  }
}

/**
 * A stream: the plain path chunk by chunk while the chunks hold no quote; from the first that
 * does, csv-parse takes over at the start of the line in progress (line numbers carry on).
 */
async function runStream(source: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>, ingest: CsvIngest, pass: Pass): Promise<void> {
  const decoder = new StringDecoder("utf8");
  const lines = new PlainLines(ingest, pass, ingest.limits.maxFieldLength);
  const iterator = (Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]()) as AsyncIterator<string | Uint8Array> | Iterator<string | Uint8Array>;
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) {
        const tail = decoder.end();
        if (tail && !lines.write(tail)) return await runCsvParse(lines.handOver() + tail, null, decoder, ingest, pass);
        lines.end();
        return;
      }
      const text = typeof next.value === "string" ? next.value : decoder.write(Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength));
      if (!lines.write(text)) return await runCsvParse(lines.handOver() + text, iterator, decoder, ingest, pass);
    }
  } catch (error) {
    // A bad record stops the read: let the source close (an upload's spool file) now.
    await iterator.return?.();
    throw ingest.translateError(error);
  }
}

/** csv-parse's stream over `head` and then whatever `rest` still yields (decoded by `decoder`). */
async function runCsvParse(head: string, rest: AsyncIterator<string | Uint8Array> | Iterator<string | Uint8Array> | null, decoder: StringDecoder, ingest: CsvIngest, pass: Pass): Promise<void> {
  async function* text() {
    yield head;
    if (!rest) return;
    let finished = false;
    try {
      for (let next = await rest.next(); !next.done; next = await rest.next()) {
        yield typeof next.value === "string" ? next.value : decoder.write(Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength));
      }
      finished = true;
    } finally {
      // csv-parse failing ends this generator early: close the source too.
      if (!finished) await rest.return?.();
    }
    const tail = decoder.end();
    if (tail) yield tail;
  }
  // on_record returns null, so the parser emits nothing; the sink only drains it.
  await pipeline(Readable.from(text(), { objectMode: false }), parseStream(ingest.options(ingest.handler(pass))), async (records: AsyncIterable<unknown>) => {
    for await (const _ of records);
  });
}

/** What sends text to csv-parse: a quote (its quoting rules) or a NUL (reported there by position). */
const PLAIN_REFUSES = /["\u0000]/;
const QUOTE = 34;

function hasQuoteOrNul(bytes: Uint8Array): boolean {
  return bytes.includes(QUOTE) || bytes.includes(0);
}

/**
 * The fast path for CSV without quotes, where RFC 4180 reduces to: records end at LF or CRLF,
 * fields at commas, a record of no characters is a blank line. That is csv-parse's reading of
 * such text under our options (test/unit/dataset/csv.test.ts checks the two agree on generated
 * quote-free files), at ~5x its speed: the 1M-row ingest spent most of its time in csv-parse
 * (README, Performance). Text with a quote goes to csv-parse (runStream, runSync).
 */
class PlainLines {
  private carry = "";
  private line = 0;
  private started = false;

  constructor(
    private readonly ingest: CsvIngest,
    private readonly pass: Pass,
    private readonly maxRecord: number,
  ) {}

  /** Takes `text` and returns true, or returns false having taken nothing (the text needs csv-parse). */
  write(text: string): boolean {
    if (PLAIN_REFUSES.test(text)) return false;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // Only the new text is split and scanned: the line in progress (`carry`) is never scanned
    // again, so a line arriving in many chunks costs its length, not its length squared.
    if (text.indexOf("\n") < 0) this.carry += text;
    else {
      const lines = text.split("\n");
      lines[0] = this.carry + lines[0];
      this.carry = lines.pop()!;
      for (const line of lines) this.record(line, true);
    }
    // A line in progress this long already breaks a limit: report it now rather than hold an
    // unbounded line. Its field characters exceed the record size (checkSize throws, as
    // csv-parse would), unless it is mostly commas, more than any record may have. Either way
    // this runs once per line.
    const fields = this.ingest.fieldLimit();
    if (this.carry.length > 3 * this.maxRecord + Math.max(fields, MAX_COLUMNS_GUARD)) {
      const partial = this.carry.split(",");
      this.checkSize(partial, this.line + 1);
      throw this.ingest.tooManyFields(this.line + 1, partial.length);
    }
    return true;
  }

  end(): void {
    if (this.carry !== "") this.record(this.carry, false);
    this.carry = "";
  }

  /** The partial line not yet taken, for csv-parse to start from; its line numbers carry on. */
  handOver(): string {
    this.ingest.continueAfter(this.line);
    const rest = this.carry;
    this.carry = "";
    return rest;
  }

  private record(raw: string, terminated: boolean): void {
    this.line++;
    // CRLF ends a record like LF; a CR elsewhere is field content, as in csv-parse.
    const text = terminated && raw.charCodeAt(raw.length - 1) === CR ? raw.slice(0, -1) : raw;
    if (text === "") return this.ingest.continueAfter(this.line);
    const fields = text.split(",");
    if (3 * text.length > this.maxRecord) this.checkSize(fields, this.line);
    const start = this.line;
    // A lone CR is field content but, as in csv-parse's path (CsvIngest.recordStartLine), it
    // counts as a line break for the line numbers of what follows.
    if (text.includes("\r")) for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) === CR) this.line++;
    this.ingest.plainRecord(fields, start, this.line, this.pass);
  }

  /**
   * csv-parse's max_record_size, to the unit: before each byte of a field it compares the
   * field's bytes so far plus the characters of the record's earlier fields with the limit
   * (csv-parse/lib/api/index.js), so a field fails when those, up to its last byte, exceed it.
   */
  private checkSize(fields: string[], line: number): void {
    let before = 0;
    for (let j = 0; j < fields.length; j++) {
      const field = fields[j];
      if (field.length > 0 && before + Buffer.byteLength(field, "utf8") - 1 > this.maxRecord) throw this.ingest.recordTooLong(line, j + 1);
      before += field.length;
    }
  }
}

/** Slack for the commas of a record when judging a partial line too long (see PlainLines.write). */
const MAX_COLUMNS_GUARD = 1 << 16;

/** Physical-line bookkeeping shared by records and csv-parse's own errors. */
interface LinePosition {
  /** physical line where the previous record ended (0 before the header) */
  lastEnd: number;
  /** csv-parse's `lines` and `empty_lines` counters at the previous record */
  parserLines: number;
  parserEmptyLines: number;
}

const CR = 13, LF = 10;

/**
 * Receives csv-parse's records: validates the header, feeds cells to one ColumnBuilder per
 * column, and tracks physical line numbers for error messages.
 *
 * csv-parse's `lines` counts a CRLF inside a quoted field as two lines, so physical lines are
 * derived here: a record preceded by no blank line and spanning one csv-parse line starts on the
 * line after the previous record; otherwise (rare) its line breaks are counted in its fields.
 */
class CsvIngest {
  readonly limits: CsvLimits;
  private builders: ColumnBuilder[] = [];
  private header: string[] | undefined;
  private rows = 0;
  private replayRow = -1;
  private readonly position: LinePosition = { lastEnd: 0, parserLines: 0, parserEmptyLines: 0 };

  constructor(limits: CsvLimits) {
    this.limits = limits;
  }

  /** Distinct texts of all columns so far, against limits.maxCategories. */
  private readonly categories: CategoryBudget = (() => {
    let used = 0;
    return {
      take: (column: string) => {
        if (++used <= this.limits.maxCategories) return;
        const { maxCategories } = this.limits;
        throw new InvalidInputError(
          `The file has more than ${maxCategories} distinct text values (the last in column ${JSON.stringify(column)}), the most one dataset may hold (maxCategories, MAX_UPLOAD_CATEGORIES): drop identifier or free-text columns, which a model cannot use as categories anyway.`,
          { field: column, limit: maxCategories },
        );
      },
    };
  })();

  options(onRecord: OnRecord): Options {
    return {
      bom: true,
      // Explicit ends: auto-discovery would lock onto the first one seen and fold the \r of a
      // later CRLF into the last field of every record.
      record_delimiter: ["\r\n", "\n"],
      skip_empty_lines: true,
      // Field counts are checked here, to report the physical line and both counts.
      relax_column_count: true,
      max_record_size: this.limits.maxFieldLength,
      on_record: onRecord,
    };
  }

  /** csv-parse's on_record for a pass. */
  handler(pass: Pass): OnRecord {
    return pass === "record" ? (record, info) => this.onRecord(record, info) : (record) => this.onReplay(record);
  }

  /** A record of the plain path, on physical lines `start` to `end`. */
  plainRecord(record: string[], start: number, end: number, pass: Pass): void {
    this.continueAfter(end);
    if (pass === "record") this.accept(record, start);
    else this.onReplay(record);
  }

  /** The plain path has consumed lines 1..`line`: csv-parse, if it takes over, starts after them. */
  continueAfter(line: number): void {
    this.position.lastEnd = line;
    this.position.parserLines = 0;
    this.position.parserEmptyLines = 0;
  }

  recordTooLong(line: number, column: number): InvalidInputError {
    const field = this.header?.[column - 1];
    return new InvalidInputError(
      `A field in the record starting at line ${line}, field ${column} is longer than ${this.limits.maxFieldLength} characters (maxFieldLength); is a closing quote missing?`,
      { line, column, field, csvCode: "CSV_MAX_RECORD_SIZE", limit: this.limits.maxFieldLength },
    );
  }

  /** Most fields a record may have: the header's, or maxColumns for the header itself. */
  fieldLimit(): number {
    return this.header === undefined ? this.limits.maxColumns : this.header.length;
  }

  /**
   * A line still arriving already has more fields than fieldLimit(): refused before the rest
   * is read (the plain path counts only unquoted commas, so each one separates fields).
   */
  tooManyFields(line: number, atLeast: number): InvalidInputError {
    if (this.header === undefined) {
      const { maxColumns } = this.limits;
      return new InvalidInputError(`The header has at least ${atLeast} columns; at most ${maxColumns} are allowed (maxColumns).`, { line: 1, actual: atLeast, limit: maxColumns });
    }
    return new InvalidInputError(
      `Line ${line} has at least ${atLeast} fields but the header has ${this.header.length}: every row needs one value per column (quote fields that contain commas).`,
      { line, expected: this.header.length, actual: atLeast },
    );
  }

  onRecord(record: string[], info: InfoRecord): null {
    this.accept(record, this.recordStartLine(record, info));
    return null;
  }

  private accept(record: string[], line: number): void {
    // Postgres text cannot hold U+0000, and no real CSV has it: refuse it here, by position,
    // rather than fail when the column is stored.
    for (let j = 0; j < record.length; j++) {
      if (record[j].includes("\u0000")) {
        throw new InvalidInputError(`Line ${line}, field ${j + 1} contains a NUL character (U+0000), which a CSV text field cannot hold.`, { line, column: j + 1 });
      }
    }
    if (this.header === undefined) {
      this.readHeader(record);
      return;
    }
    const builders = this.builders;
    if (record.length !== builders.length) {
      throw new InvalidInputError(
        `Line ${line} has ${record.length} field${record.length === 1 ? "" : "s"} but the header has ${builders.length}: every row needs one value per column (leave a field empty for a missing value, and quote fields that contain commas).`,
        { line, expected: builders.length, actual: record.length },
      );
    }
    if ((this.rows + 1) * builders.length > this.limits.maxCells) {
      const { maxCells } = this.limits;
      throw new InvalidInputError(
        `The file has more than ${maxCells} cells (data rows × columns; ${builders.length} columns, line ${line}), the most one dataset may hold (maxCells, MAX_UPLOAD_CELLS): split it into several datasets or drop columns you do not need.`,
        { line, limit: maxCells },
      );
    }
    for (let j = 0; j < builders.length; j++) builders[j].push(record[j]);
    this.rows++;
  }

  onReplay(record: string[]): null {
    // replayRow is -1 on the header; builders ignore rows they do not need.
    if (this.replayRow >= 0) {
      for (let j = 0; j < this.builders.length; j++) this.builders[j].replay(this.replayRow, record[j]);
    }
    this.replayRow++;
    return null;
  }

  replayRows(): number {
    let rows = 0;
    for (const builder of this.builders) rows = Math.max(rows, builder.replayRows);
    return rows;
  }

  /** The builders, header validated (for readCsv to finish them one by one). */
  columnBuilders(): readonly ColumnBuilder[] {
    this.checkComplete();
    return this.builders;
  }

  finish(columns?: Column[]): Table {
    this.checkComplete();
    return { columns: columns ?? this.builders.map((b) => b.finish()), rowCount: this.rows };
  }

  private checkComplete(): void {
    if (this.header === undefined) {
      throw new InvalidInputError("The CSV is empty: expected a header row naming the columns, then one row per record.", { line: 1 });
    }
    if (this.rows === 0) {
      throw new InvalidInputError(`The CSV has a header (${this.header.length} columns) but no data rows.`, { line: 2 });
    }
  }

  private readHeader(record: string[]): void {
    const { maxColumns } = this.limits;
    if (record.length > maxColumns) {
      throw new InvalidInputError(`The header has ${record.length} columns; at most ${maxColumns} are allowed (maxColumns).`, { line: 1, actual: record.length, limit: maxColumns });
    }
    const seen = new Map<string, number>();
    const names = record.map((raw, j) => {
      const name = raw.trim();
      if (name.length === 0) {
        throw new InvalidInputError(`Column ${j + 1} of the header has no name: every column needs a unique, non-empty name.`, { line: 1, column: j + 1 });
      }
      const first = seen.get(name);
      if (first !== undefined) {
        throw new InvalidInputError(`Columns ${first + 1} and ${j + 1} are both named ${JSON.stringify(name)}: column names must be unique.`, { line: 1, column: j + 1, field: name });
      }
      seen.set(name, j);
      return name;
    });
    this.header = names;
    this.builders = names.map((name) => new ColumnBuilder(name, this.categories));
  }

  private recordStartLine(record: string[], info: InfoRecord): number {
    const p = this.position;
    const blank = info.empty_lines - p.parserEmptyLines;
    const spanned = info.lines - p.parserLines - blank;
    const start = p.lastEnd + 1 + blank;
    let breaks = 0;
    if (spanned !== 1) {
      // The record holds line breaks inside quoted fields: count CRLF once.
      for (const field of record) {
        for (let k = 0; k < field.length; k++) {
          const c = field.charCodeAt(k);
          if (c === LF || (c === CR && field.charCodeAt(k + 1) !== LF)) breaks++;
        }
      }
    }
    p.lastEnd = start + breaks;
    p.parserLines = info.lines;
    p.parserEmptyLines = info.empty_lines;
    return start;
  }

  /** Turn csv-parse's errors into InvalidInputError; ours (thrown from on_record) pass through. */
  translateError(error: unknown): unknown {
    if (!(error instanceof CsvError)) return error;
    const p = this.position;
    const context = error as CsvError & { empty_lines?: unknown; index?: unknown };
    const emptyLines = typeof context.empty_lines === "number" ? context.empty_lines : p.parserEmptyLines;
    const line = p.lastEnd + 1 + (emptyLines - p.parserEmptyLines);
    const column = typeof context.index === "number" ? context.index + 1 : undefined;
    const field = column === undefined ? undefined : this.header?.[column - 1];
    const where = `in the record starting at line ${line}${column === undefined ? "" : `, field ${column}`}`;
    const details = { line, column, field, csvCode: error.code };
    switch (error.code) {
      case "CSV_QUOTE_NOT_CLOSED":
        return new InvalidInputError(`Unclosed quote ${where}: the file ends inside a quoted field. Close the field with " (and write a quote inside a quoted field as "").`, details);
      case "CSV_INVALID_CLOSING_QUOTE":
        return new InvalidInputError(`Unexpected character after a closing quote ${where}: a quote inside a quoted field must be doubled ("").`, details);
      case "INVALID_OPENING_QUOTE":
        return new InvalidInputError(`Quote inside an unquoted field ${where}: quote the whole field and double the quotes inside it ("").`, details);
      case "CSV_MAX_RECORD_SIZE":
        return this.recordTooLong(line, column ?? 1);
      default:
        return new InvalidInputError(`Malformed CSV ${where}: ${error.message}`, details);
    }
  }
}
