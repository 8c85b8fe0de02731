/**
 * Derived-feature expressions: values against direct JavaScript, missing values, the closed
 * grammar's refusals (each naming its position), a hostile-input list, and compile-once.
 */
import { describe, expect, it, vi } from "vitest";
import { parse } from "mathjs";
import { compileDerivedFeatures, compileExpression, deriveColumn, deriveValue, MAX_EXPRESSION_LENGTH } from "../../../src/core/preprocessing/expressions.ts";
import { InvalidInputError } from "../../../src/core/errors.ts";
import type { Column, ColumnType } from "../../../src/core/dataset/columns.ts";
import { createRandom } from "../../../src/core/random.ts";

// The real parser, wrapped so the test can count calls (ESM namespaces cannot be spied on).
vi.mock("mathjs", async (importOriginal) => {
  const original = await importOriginal<typeof import("mathjs")>();
  return { ...original, parse: vi.fn(original.parse) };
});

const COLUMNS = new Map<string, ColumnType>([
  ["price", "NUMBER"],
  ["sqft", "NUMBER"],
  ["rooms", "NUMBER"],
  ["age", "NUMBER"],
  ["garage", "BOOLEAN"],
  ["city", "CATEGORY"],
]);

function refusal(source: string): InvalidInputError {
  try {
    compileExpression(source, COLUMNS, "derivedFeatures[0].expression");
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    return e as InvalidInputError;
  }
  throw new Error(`${JSON.stringify(source)} was accepted`);
}

describe("values", () => {
  const random = createRandom(11);
  const rows = Array.from({ length: 200 }, () => ({
    price: 50_000 + random.float() * 900_000,
    sqft: 300 + random.float() * 3000,
    rooms: 1 + Math.floor(random.float() * 8),
    age: Math.floor(random.float() * 100),
    garage: random.float() < 0.5,
    city: ["Lyon", "Paris", "Nice"][Math.floor(random.float() * 3)],
  }));
  type Row = (typeof rows)[number];
  const cases: [string, (r: Row) => number][] = [
    ["log(price)", (r) => Math.log(r.price)],
    ["sqft / rooms", (r) => r.sqft / r.rooms],
    ["sqft * rooms - 3", (r) => r.sqft * r.rooms - 3],
    ["age > 65", (r) => Number(r.age > 65)],
    ["age > 65 ? 1 : 0", (r) => (r.age > 65 ? 1 : 0)],
    ["price ^ 2", (r) => r.price ** 2],
    ["sqrt(sqft) + abs(-age)", (r) => Math.sqrt(r.sqft) + Math.abs(-r.age)],
    ["max(age, rooms, 10)", (r) => Math.max(r.age, r.rooms, 10)],
    ["log(price, 10)", (r) => Math.log(r.price) / Math.log(10)],
    ["garage and age < 30", (r) => Number(r.garage && r.age < 30)],
    ["not garage", (r) => Number(!r.garage)],
    ['city == "Paris"', (r) => Number(r.city === "Paris")],
    ['"Nice" != city', (r) => Number(r.city !== "Nice")],
    ["age mod 7", (r) => r.age % 7],
    ["2 pi * rooms", (r) => 2 * Math.PI * r.rooms],
    ["clamp(age, 18, 65)", (r) => Math.min(Math.max(r.age, 18), 65)],
  ];

  it.each(cases)("%s matches JavaScript to 1e-15 on 200 random rows", (source, reference) => {
    const compiled = compileExpression(source, COLUMNS);
    for (const row of rows) {
      const got = deriveValue(compiled, row);
      const want = reference(row);
      expect(Math.abs(got! - want)).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(want)));
    }
  });

  it("evaluates a dataset column the same as row by row", () => {
    const compiled = compileExpression('sqft / rooms + (city == "Lyon")', COLUMNS);
    const categories = ["Lyon", "Paris", "Nice"];
    const columns: Column[] = [
      { name: "sqft", type: "NUMBER", values: Float64Array.from(rows, (r) => r.sqft) },
      { name: "rooms", type: "NUMBER", values: Float64Array.from(rows, (r) => r.rooms) },
      { name: "city", type: "CATEGORY", values: Int32Array.from(rows, (r) => categories.indexOf(r.city)), categories },
    ];
    const column = deriveColumn("density", compiled, columns);
    expect(column.type).toBe("NUMBER");
    rows.forEach((r, i) => expect(column.values[i]).toBe(deriveValue(compiled, r)));
  });

  it("makes the result missing when an input is missing or the result is not finite", () => {
    const compiled = compileExpression("sqft / rooms", COLUMNS);
    expect(deriveValue(compiled, { sqft: null, rooms: 2 })).toBeNull();
    expect(deriveValue(compiled, { sqft: 100, rooms: 0 })).toBeNull(); // division by zero
    expect(deriveValue(compileExpression("log(age)", COLUMNS), { age: -1 })).toBeNull();
    expect(deriveValue(compileExpression("price ^ 1000", COLUMNS), { price: 1e6 })).toBeNull(); // overflow
    expect(deriveValue(compileExpression('city == "Paris"', COLUMNS), { city: null })).toBeNull();
  });

  it("lists the columns it reads, in first-use order", () => {
    expect(compileExpression("rooms + sqft / rooms + pi", COLUMNS).inputs).toEqual(["rooms", "sqft"]);
  });

  it("parses once, at compile time: evaluating 10,000 rows calls the parser 0 times", () => {
    const spy = vi.mocked(parse);
    spy.mockClear();
    const compiled = compileExpression("log(price) * sqft / rooms", COLUMNS);
    expect(spy).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 10_000; i++) deriveValue(compiled, { price: 100 + i, sqft: 1000, rooms: 3 });
    expect(spy).toHaveBeenCalledTimes(1);
  });
});

describe("refusals, each BAD_USER_INPUT with the position", () => {
  it.each([
    ["an unknown column", "log(prise)", "Unknown column", 4],
    ["an unknown function", "sqft + foo(age)", "Unknown function", 7],
    ["a wrong arity", "atan2(age)", "takes 2 arguments", 0],
    ["too many arguments", "sqrt(age, 2)", "takes 1 argument", 0],
    ["a category used as a number", "city * 2", "is CATEGORY", 0],
    ["a syntax error", "sqft * (rooms", "does not parse", 13],
  ])("%s", (_case, source, message, position) => {
    const error = refusal(source);
    expect(error.code).toBe("BAD_USER_INPUT");
    expect(error.message).toContain(message);
    expect(error.details).toMatchObject({ field: "derivedFeatures[0].expression", position });
  });
});

describe("the sandbox refuses hostile input cleanly", () => {
  const hostile = [
    'import({}, {override: true})',
    'createUnit("x")',
    'evaluate("1 + 1")',
    'parse("1")',
    'simplify("x")',
    'derivative("x^2", "x")',
    "compile",
    "f(x) = x^2",
    "a = 1",
    "sqft = 5",
    "[1, 2]",
    "{a: 1}",
    "sqft.constructor",
    'sqft["constructor"]',
    "constructor",
    "__proto__",
    "prototype",
    "this",
    "sqft; age",
    "1:3",
    "5 cm",
    "sqft'",
    '"a" + "b"',
    '"Paris"',
    "age < sqft < price",
    "cos.constructor",
    'cos["constructor"]("return process")()',
    "Function",
    "eval",
    "typeOf(sqft)",
    "x ? 1",
    "((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))",
    "(".repeat(10_000) + "1" + ")".repeat(10_000),
    "sqft + " + "1 + ".repeat(400) + "1",
    "",
    "   ",
  ];

  it.each(hostile.map((h) => [h.length > 60 ? `${h.slice(0, 40)}… (${h.length} chars)` : h, h]))("%s", (_label, source) => {
    const error = refusal(source);
    expect(error.code).toBe("BAD_USER_INPUT");
    expect(error.details.field).toBe("derivedFeatures[0].expression");
  });

  it("has a length limit", () => {
    expect(refusal("1+".repeat(MAX_EXPRESSION_LENGTH) + "1").message).toMatch(/at most 1000/);
  });

  it("never leaves the prototype polluted", () => {
    for (const source of ["__proto__", "constructor", 'x.__proto__.polluted = 1']) {
      expect(() => compileExpression(source, COLUMNS)).toThrow(InvalidInputError);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("derived feature specs", () => {
  it.each([
    ["an empty name", [{ name: "", expression: "age" }], "derivedFeatures[0].name"],
    ["a name clashing with a column", [{ name: "age", expression: "age * 2" }], "derivedFeatures[0].name"],
    ["a name used twice", [{ name: "a2", expression: "age" }, { name: "a2", expression: "age" }], "derivedFeatures[1].name"],
    ["a derived feature read by another", [{ name: "a2", expression: "age * 2" }, { name: "a4", expression: "a2 * 2" }], "derivedFeatures[1].expression"],
  ])("refuses %s", (_case, specs, field) => {
    expect(() => compileDerivedFeatures(specs, COLUMNS)).toThrow(expect.objectContaining({ code: "BAD_USER_INPUT", details: expect.objectContaining({ field }) }));
  });
});
