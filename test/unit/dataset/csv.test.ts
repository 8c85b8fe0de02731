import { describe, expect, it } from "vitest";
import { parseCsv, readCsv } from "../../../src/core/dataset/csv.ts";
import { InvalidInputError } from "../../../src/core/errors.ts";
import type { Column } from "../../../src/core/dataset/columns.ts";

/** The cells of a column back as strings ("" for missing), to compare tables simply. */
function cells(column: Column): string[] {
  if (column.type === "CATEGORY") return Array.from(column.values, (c) => (c < 0 ? "" : column.categories[c]));
  if (column.type === "BOOLEAN") return Array.from(column.values, (v) => (Number.isNaN(v) ? "" : v === 1 ? "true" : "false"));
  return Array.from(column.values, (v) => (Number.isNaN(v) ? "" : String(v)));
}

function table(text: string | Uint8Array) {
  const t = parseCsv(text);
  return Object.fromEntries(t.columns.map((c) => [c.name, cells(c)]));
}

function csvError(text: string, limits = {}): InvalidInputError {
  try {
    parseCsv(text, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error("expected parseCsv to throw");
}

describe("parseCsv: valid RFC 4180 input", () => {
  it("reads a header and typed columns", () => {
    const t = parseCsv("x,flag,city\n1.5,true,Lyon\n-2,FALSE,Nice\n");
    expect(t.rowCount).toBe(2);
    expect(t.columns.map((c) => [c.name, c.type])).toEqual([["x", "NUMBER"], ["flag", "BOOLEAN"], ["city", "CATEGORY"]]);
    expect(Array.from(t.columns[0].values)).toEqual([1.5, -2]);
  });

  it("handles quoted commas, escaped quotes and embedded newlines", () => {
    expect(table('name,quote\n"Smith, J.","He said ""hi"""\n"multi\nline","a\r\nb"\n')).toEqual({
      name: ["Smith, J.", "multi\nline"],
      quote: ['He said "hi"', "a\r\nb"],
    });
  });

  it("accepts CRLF, LF, mixed line ends and a missing trailing newline", () => {
    const expected = { a: ["1", "3"], b: ["2", "4"] };
    expect(table("a,b\r\n1,2\r\n3,4\r\n")).toEqual(expected);
    expect(table("a,b\n1,2\n3,4")).toEqual(expected);
    expect(table("a,b\r\n1,2\n3,4\r\n")).toEqual(expected);
    expect(table("a,b\r\n1,2\r\n3,4")).toEqual(expected);
  });

  it("strips a UTF-8 byte order mark, from text or bytes", () => {
    expect(table("\uFEFFid,v\n1,2\n")).toEqual({ id: ["1"], v: ["2"] });
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("id,v\n1,é\n")]);
    expect(table(bytes)).toEqual({ id: ["1"], v: ["é"] });
  });

  it("skips blank lines and trims header names", () => {
    expect(table("\n a , b \n\n1,2\n\n\n3,4\n\n")).toEqual({ a: ["1", "3"], b: ["2", "4"] });
  });

  it("keeps empty and whitespace-only cells as missing", () => {
    const t = parseCsv('n,c\n1,x\n,""\n  ,  \n4,y\n');
    expect(Array.from(t.columns[0].values)).toEqual([1, NaN, NaN, 4]);
    expect(Array.from(t.columns[1].values)).toEqual([0, -1, -1, 1]);
  });

  it("reads a single-column file, where a quoted empty field is a missing value", () => {
    expect(table('only\n1\n""\n3\n')).toEqual({ only: ["1", "", "3"] });
  });

  it("keeps the text of a column that looked numeric until a late non-number (replayed rows)", () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `${i},${i % 7 === 0 ? "" : `00${i % 5}`}`);
    const t = parseCsv(`id,code\n${rows.join("\n")}\n9999,X-1\n`);
    const code = t.columns[1];
    expect(code.type).toBe("CATEGORY");
    expect(code.categories).toEqual(["001", "002", "003", "004", "000", "X-1"]);
    expect(cells(code).slice(0, 8)).toEqual(["", "001", "002", "003", "004", "000", "001", ""]);
    expect(cells(code)[3000]).toBe("X-1");
  });
});

describe("readCsv: streaming chunks", () => {
  const text = '\uFEFFid,name,zip\n1,"Smith, J.",01234\n2,"multi\r\nline",75001\n3,"say ""hi""",2A004\n';

  it("gives the same table as parseCsv whatever the chunk boundaries", async () => {
    const expected = parseCsv(text);
    for (const size of [1, 2, 3, 7, 64]) {
      const bytes = new TextEncoder().encode(text);
      const chunks = () => Array.from({ length: Math.ceil(bytes.length / size) }, (_, k) => bytes.subarray(k * size, (k + 1) * size));
      expect(await readCsv(chunks)).toEqual(expected);
    }
  });

  it("reopens the source only when a numeric-looking column needs its text replayed", async () => {
    let opened = 0;
    const t = await readCsv(() => {
      opened++;
      return ["a,b\n1,2\n", "3,4\n"];
    });
    expect(opened).toBe(1);
    expect(t.rowCount).toBe(2);
    opened = 0;
    const mixed = await readCsv(async function* () {
      opened++;
      yield "id,zip\n1,01234\n";
      yield "2,2A004\n";
    });
    expect(opened).toBe(2);
    expect(mixed.columns[1]).toMatchObject({ type: "CATEGORY", categories: ["01234", "2A004"] });
  });

  it("closes the source when a bad record stops the read, on the plain path and on csv-parse's", async () => {
    for (const bad of ["1,2,3\n", '"x",2,3\n']) {
      let closed = false;
      const source = async function* () {
        try {
          yield "a,b\n1,2\n";
          yield bad;
          for (let k = 0; k < 1000; k++) yield "3,4\n";
        } finally {
          closed = true;
        }
      };
      await expect(readCsv(source)).rejects.toMatchObject({ details: { line: 3, expected: 2, actual: 3 } });
      expect(closed).toBe(true);
    }
  });

  it("reports errors with the same details as parseCsv", async () => {
    await expect(readCsv(() => ["a,b\n1,2\n", "3\n"])).rejects.toMatchObject({ details: { line: 3, expected: 2, actual: 1 } });
  });
});

describe("parseCsv: malformed input", () => {
  it("rejects empty input", () => {
    expect(csvError("").message).toMatch(/empty.*header/);
    expect(csvError("\n\n").details).toMatchObject({ line: 1 });
  });

  it("rejects a header without data rows", () => {
    expect(csvError("a,b").message).toMatch(/header \(2 columns\) but no data rows/);
    expect(csvError("a,b\r\n\r\n").message).toMatch(/no data rows/);
  });

  it("rejects ragged rows, naming the physical line and both field counts", () => {
    const more = csvError("a,b\n1,2\n3,4,5\n");
    expect(more.message).toMatch(/^Line 3 has 3 fields but the header has 2/);
    expect(more.details).toEqual({ line: 3, expected: 2, actual: 3 });
    expect(csvError("a,b,c\n1,2,3\n4,5\n").details).toMatchObject({ line: 3, actual: 2 });
  });

  it("counts lines through blank lines and quoted line breaks (LF and CRLF)", () => {
    expect(csvError('a,b\n1,"x\ny"\n\n\n2\n').details).toMatchObject({ line: 6 });
    expect(csvError('a,b\r\n1,"x\r\ny\r\nz"\r\n\r\n2\r\n').details).toMatchObject({ line: 6 });
    expect(csvError('a,b\r\n"p\r\nq",1\r\n3,"4\r\n5",6\r\n').details).toMatchObject({ line: 4 });
  });

  it("rejects an unclosed quote at the record where it opens", () => {
    const error = csvError('a,b\n1,2\n\n3,"never closed\n4,5\n');
    expect(error.message).toMatch(/Unclosed quote in the record starting at line 4, field 2/);
    expect(error.details).toMatchObject({ line: 4, column: 2, field: "b" });
  });

  it("rejects text after a closing quote and quotes inside unquoted fields", () => {
    expect(csvError('a,b\n1,"x"y\n').details).toMatchObject({ line: 2, column: 2, csvCode: "CSV_INVALID_CLOSING_QUOTE" });
    expect(csvError('a,b\n1,2\n3,x"y\n').details).toMatchObject({ line: 3, column: 2, csvCode: "INVALID_OPENING_QUOTE" });
  });

  it("rejects duplicate and empty column names", () => {
    const duplicate = csvError("id,x, id\n1,2,3\n");
    expect(duplicate.message).toMatch(/Columns 1 and 3 are both named "id"/);
    expect(duplicate.details).toEqual({ line: 1, column: 3, field: "id" });
    expect(csvError("a,,c\n1,2,3\n").details).toEqual({ line: 1, column: 2 });
    expect(csvError("a,  \n1,2\n").message).toMatch(/Column 2 of the header has no name/);
  });

  it("enforces the column and field-length limits, naming them", () => {
    const wide = Array.from({ length: 6 }, (_, j) => `c${j}`).join(",");
    const columns = csvError(`${wide}\n1,2,3,4,5,6\n`, { maxColumns: 5 });
    expect(columns.message).toMatch(/6 columns; at most 5 are allowed \(maxColumns\)/);
    expect(columns.details).toMatchObject({ line: 1, limit: 5 });
    const long = csvError(`a,b\n1,2\n3,"${"x".repeat(50)}"\n`, { maxFieldLength: 20 });
    expect(long.message).toMatch(/longer than 20 characters \(maxFieldLength\)/);
    expect(long.details).toMatchObject({ line: 3, column: 2, field: "b", limit: 20 });
    expect(parseCsv(`a\n${"y".repeat(100_000)}\n`).rowCount).toBe(1);
  });
});

describe("parseCsv: characters Postgres text cannot hold", () => {
  it("refuses a NUL character, naming line and field (found by the fuzz test)", () => {
    const error = (() => {
      try {
        parseCsv("a,b\n1,x\u0000y\n");
      } catch (e) {
        return e as InvalidInputError;
      }
      throw new Error("accepted");
    })();
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.details).toMatchObject({ line: 2, column: 2 });
  });
});

describe("the plain path (no quotes) reads what csv-parse reads", () => {
  /** Table or error, comparable across the two paths. */
  function outcome(run: () => unknown) {
    try {
      return { table: run() };
    } catch (error) {
      const e = error as InvalidInputError;
      return { error: e.message, details: e.details };
    }
  }

  it("on 3,000 generated quote-free files: blank lines, CRLF, lone CR, spaces, ragged and long rows, BOM, unicode", async () => {
    let state = 2024;
    const next = () => (state = (state * 48271) % 2147483647) / 2147483647;
    const pick = <T,>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
    const cellsOf = ["1", "-2.5", "", " ", "x", "3e4", "true", "é", "a b", "7\r8", "0x1", "٣", "12abc"];
    const ends = ["\n", "\r\n", "\n", "\n\n", "\r\n\r\n", "\n \n"];
    const differences: string[] = [];
    for (let k = 0; k < 3000; k++) {
      const columns = 1 + Math.floor(next() * 4);
      const header = Array.from({ length: columns }, (_, j) => pick([`c${j}`, ` c${j} `, `col ${j}`]));
      let text = (next() < 0.1 ? "\uFEFF" : "") + header.join(",") + pick(ends);
      const rows = Math.floor(next() * 6);
      for (let r = 0; r < rows; r++) {
        const width = next() < 0.1 ? columns + pick([-1, 1]) : columns;
        text += Array.from({ length: Math.max(1, width) }, () => (next() < 0.02 ? "z".repeat(30) : pick(cellsOf))).join(",");
        if (r < rows - 1 || next() < 0.7) text += pick(ends);
      }
      const limits = { maxFieldLength: 40 };
      const plain = outcome(() => parseCsv(text, limits));
      const parsed = outcome(() => parseCsv(text, limits, { plainPath: false }));
      if (JSON.stringify(plain) !== JSON.stringify(parsed)) differences.push(JSON.stringify(text));
      // The stream path too, in odd-sized byte chunks.
      const bytes = new TextEncoder().encode(text);
      const size = 1 + Math.floor(next() * 9);
      const streamed = await readCsv(() => Array.from({ length: Math.ceil(bytes.length / size) }, (_, c) => bytes.subarray(c * size, (c + 1) * size)), limits).then(
        (table) => ({ table }),
        (e: InvalidInputError) => ({ error: e.message, details: e.details }),
      );
      if (JSON.stringify(streamed) !== JSON.stringify(parsed)) differences.push(`stream ${size}: ${JSON.stringify(text)}`);
    }
    expect(differences.slice(0, 5)).toEqual([]);
  });

  it("hands over to csv-parse mid-stream at the first quote, line numbers carrying on", async () => {
    const head = "a,b\n" + "1,2\n".repeat(50);
    const text = head + '3,"x,y"\n\n4,5,6\n';
    const chunks = () => [head.slice(0, 100), head.slice(100) + '3,"x', ',y"\n\n4,5,6\n'];
    await expect(readCsv(chunks)).rejects.toMatchObject({ details: { line: 54, expected: 2, actual: 3 } });
    expect(csvError(text).details).toMatchObject({ line: 54, expected: 2, actual: 3 });
    const good = await readCsv(() => [head.slice(0, 100), head.slice(100) + '3,"x', ',y"\n\n4,5\n']);
    expect(good.rowCount).toBe(52);
    expect(good.columns[1]).toMatchObject({ type: "CATEGORY" });
  });
});

describe("a line arriving in many chunks (issue 22, 3d)", () => {
  /** `text` as a stream of 64 KiB chunks, the size a spooled upload is read in. */
  const chunked = (text: string) => () => Array.from({ length: Math.ceil(text.length / 65_536) }, (_, c) => text.slice(c * 65_536, (c + 1) * 65_536));

  it("refuses a line of 10M commas in time linear in its length (it was quadratic: 29 s)", async () => {
    const commas = ",".repeat(10_000_000);
    for (const text of [`a,b,c\n1,2,3\n${commas}\n`, `${commas}\n1\n`]) {
      const started = performance.now();
      const error = await readCsv(chunked(text)).catch((e: unknown) => e);
      const seconds = (performance.now() - started) / 1000;
      // Generous for a noisy machine: the linear read takes well under a second.
      expect(seconds).toBeLessThan(5);
      expect(error).toBeInstanceOf(InvalidInputError);
      // Refused as soon as the line in progress is longer than any record may be, naming it.
      expect((error as InvalidInputError).message).toMatch(text.startsWith("a") ? /Line 3 has at least \d+ fields but the header has 3/ : /header has at least \d+ columns; at most 1000/);
    }
  }, 60_000);

  it("still reads a long line (within maxFieldLength) arriving in many small chunks", async () => {
    const wide = Array.from({ length: 900 }, (_, j) => `c${j}`);
    const row = Array.from({ length: 900 }, (_, j) => "7".repeat(100 + j)).join(",");
    const text = `${wide.join(",")}\n${row}\n${row}\n`;
    const bytes = new TextEncoder().encode(text);
    const table = await readCsv(() => Array.from({ length: Math.ceil(bytes.length / 1000) }, (_, c) => bytes.subarray(c * 1000, (c + 1) * 1000)), { maxFieldLength: 1_000_000 });
    expect(table.rowCount).toBe(2);
    expect(table.columns).toHaveLength(900);
  });
});
