import { describe, expect, it } from "vitest";
import { ColumnBuilder, getColumn, inferColumn, isMissingCell, parseBoolean, parseDecimal } from "../../../src/core/dataset/columns.ts";
import { InvalidInputError } from "../../../src/core/errors.ts";

describe("parseDecimal", () => {
  it.each([
    ["1", 1], ["-2.5", -2.5], ["+4", 4], ["1e3", 1000], ["1E-2", 0.01], ["-1.5e+2", -150],
    [" 3 ", 3], ["\t7\r\n", 7], [".5", 0.5], ["5.", 5], ["007", 7], ["0.1", 0.1], ["-0", -0],
    ["123456789012345678901234567890", 1.2345678901234568e29], ["1e-400", 0],
  ])("accepts %j as %d", (text, value) => {
    expect(Object.is(parseDecimal(text), value)).toBe(true);
  });

  it.each(["", " ", "NaN", "nan", "Infinity", "-Infinity", "inf", "0x1A", "0b11", "1,000", "1_000", "1e", "e5", ".", "-", "+-1", "1.2.3", "12abc", "1 2", "--1", "1e400", "١٢"])(
    "rejects %j",
    (text) => {
      expect(parseDecimal(text)).toBeNaN();
    },
  );

  it("gives Number()'s correctly rounded value, bit for bit, on 200,000 random decimals (the fast path and its edges)", () => {
    // A seeded LCG: the same strings every run.
    let state = 12345;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const digits = (count: number) => Array.from({ length: count }, () => Math.floor(next() * 10)).join("");
    const mismatches: string[] = [];
    for (let k = 0; k < 200_000; k++) {
      const sign = next() < 0.3 ? "-" : next() < 0.1 ? "+" : "";
      const whole = digits(Math.floor(next() * 18));
      const fraction = next() < 0.8 ? `.${digits(Math.floor(next() * 18))}` : "";
      const exponent = next() < 0.3 ? `e${next() < 0.5 ? "-" : ""}${Math.floor(next() * 30)}` : "";
      const text = sign + whole + fraction + exponent;
      if (!/\d/.test(whole + fraction)) continue;
      if (!Object.is(parseDecimal(text), Number(text))) mismatches.push(text);
    }
    // Values printed by JavaScript and by numpy's %.17g round-trip too.
    for (let k = 0; k < 20_000; k++) {
      const value = (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20);
      for (const text of [String(value), value.toPrecision(17), value.toFixed(6)]) {
        if (!Object.is(parseDecimal(text), Number(text))) mismatches.push(text);
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });
});

describe("parseBoolean and isMissingCell", () => {
  it("reads true/false case-insensitively, trimmed, and nothing else", () => {
    expect(["true", "TRUE", " True ", "false", "FaLsE"].map(parseBoolean)).toEqual([1, 1, 1, 0, 0]);
    expect(["1", "0", "yes", "t", "truee", "", "true false"].map(parseBoolean)).toEqual([-1, -1, -1, -1, -1, -1, -1]);
  });

  it("treats empty and whitespace-only cells as missing", () => {
    expect(["", " ", "\t", "\u00a0"].every(isMissingCell)).toBe(true);
    expect(isMissingCell(" x ")).toBe(false);
  });
});

describe("inferColumn", () => {
  it("NUMBER: every non-missing cell is a decimal; missing → NaN", () => {
    const c = inferColumn("x", ["1", " 2.5 ", "", "  ", "-3e2"]);
    expect(c.type).toBe("NUMBER");
    expect(Array.from(c.values)).toEqual([1, 2.5, NaN, NaN, -300]);
  });

  it("keeps a 0/1 column NUMBER", () => {
    expect(inferColumn("flag", ["0", "1", "1", ""]).type).toBe("NUMBER");
  });

  it("BOOLEAN: true/false in any case, stored as 0/1 with NaN for missing", () => {
    const c = inferColumn("b", ["", "True", "false", "TRUE", " "]);
    expect(c.type).toBe("BOOLEAN");
    expect(Array.from(c.values)).toEqual([NaN, 1, 0, 1, NaN]);
  });

  it("CATEGORY: anything else, verbatim, dictionary in order of first appearance", () => {
    const c = inferColumn("city", ["Nice", " Lyon", "", "Nice", "NaN", "Lyon"]);
    expect(c).toEqual({ name: "city", type: "CATEGORY", values: Int32Array.from([0, 1, -1, 0, 2, 3]), categories: ["Nice", " Lyon", "NaN", "Lyon"] });
  });

  it("mixes of booleans and numbers, or booleans and text, are CATEGORY", () => {
    expect(inferColumn("m", ["true", "1", "false"])).toMatchObject({ type: "CATEGORY", categories: ["true", "1", "false"] });
    expect(inferColumn("m", ["1", "true"])).toMatchObject({ type: "CATEGORY", categories: ["1", "true"] });
    expect(inferColumn("m", ["TRUE", "", "maybe", "TRUE"])).toMatchObject({ type: "CATEGORY", values: Int32Array.from([0, -1, 1, 0]) });
  });

  it("a numeric run that ends in text keeps every cell's original text", () => {
    const c = inferColumn("zip", ["", "01234", "1.50", "75001", "", "2A004", "01234", "1.5", "zz"]);
    expect(c).toEqual({
      name: "zip",
      type: "CATEGORY",
      values: Int32Array.from([-1, 0, 1, 2, -1, 3, 0, 4, 5]),
      categories: ["01234", "1.50", "75001", "2A004", "1.5", "zz"],
    });
  });

  it("an all-empty column is CATEGORY with no categories", () => {
    expect(inferColumn("empty", ["", " ", ""])).toEqual({ name: "empty", type: "CATEGORY", values: Int32Array.from([-1, -1, -1]), categories: [] });
  });

  it("grows past its initial capacity", () => {
    const cells = Array.from({ length: 5000 }, (_, i) => String(i / 4));
    const c = inferColumn("big", cells);
    expect(c.values.length).toBe(5000);
    expect(c.values[4999]).toBe(4999 / 4);
  });
});

describe("ColumnBuilder", () => {
  it("asks for a replay of the rows before a NUMBER → CATEGORY switch, and refuses to finish without it", () => {
    const b = new ColumnBuilder("code");
    for (const cell of ["1", "2", "x", "1"]) b.push(cell);
    expect(b.replayRows).toBe(2);
    expect(() => b.finish()).toThrow(/must be replayed/);
    b.replay(0, "1");
    b.replay(1, "2");
    b.replay(2, "ignored: not a replayed row");
    expect(b.finish()).toMatchObject({ type: "CATEGORY", values: Int32Array.from([0, 1, 2, 0]), categories: ["1", "2", "x"] });
  });

  it("needs no replay for BOOLEAN → CATEGORY", () => {
    const b = new ColumnBuilder("b");
    for (const cell of ["true", "False", "n/a"]) b.push(cell);
    expect(b.replayRows).toBe(0);
    expect(b.finish()).toMatchObject({ type: "CATEGORY", categories: ["true", "False", "n/a"] });
  });
});

describe("getColumn", () => {
  it("finds by name or throws InvalidInputError naming the field", () => {
    const columns = [inferColumn("a", ["1"])];
    expect(getColumn(columns, "a").name).toBe("a");
    expect(() => getColumn(columns, "b")).toThrow(InvalidInputError);
    expect(() => getColumn(columns, "b")).toThrow(expect.objectContaining({ details: { field: "b" } }));
  });
});
