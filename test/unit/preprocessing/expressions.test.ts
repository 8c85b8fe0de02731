/**
 * Derived-feature expressions: values against direct JavaScript, missing values, the closed
 * grammar's refusals (each naming its position), a hostile-input list, seeded random token
 * soup (only InvalidInputError, never another throw), and compile-once.
 */
import { describe, expect, it, vi } from "vitest";
import { parse } from "mathjs";
import {
  compileDerivedFeatures,
  compileExpression,
  deriveColumn,
  deriveValue,
  MAX_EXPRESSION_DEPTH,
  MAX_EXPRESSION_LENGTH,
  MAX_TREE_DEPTH,
} from "../../../src/core/preprocessing/expressions.ts";
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
    ["-age % 7", (r) => ((-r.age % 7) + 7) % 7], // mathjs' mod: the divisor's sign
    ["hypot(sqft, rooms, age)", (r) => Math.hypot(r.sqft, r.rooms, r.age)],
    ["atan2(rooms, age + 1) + log10(sqft) - log2(rooms) + log1p(age)", (r) => Math.atan2(r.rooms, r.age + 1) + Math.log10(r.sqft) - Math.log2(r.rooms) + Math.log1p(r.age)],
    ["floor(sqft / 7) + ceil(sqft / 7) + round(sqft / 7) + sign(50 - age)", (r) => Math.floor(r.sqft / 7) + Math.ceil(r.sqft / 7) + Math.round(r.sqft / 7) + Math.sign(50 - r.age)],
    ["round(sqft / 7, 2)", (r) => Math.round((r.sqft / 7) * 100) / 100],
    ["age < 30 ? 0 : age < 65 ? sqft : -sqft", (r) => (r.age < 30 ? 0 : r.age < 65 ? r.sqft : -r.sqft)],
    ["garage xor age >= 50", (r) => Number(r.garage !== r.age >= 50)],
    ["garage == true or rooms <= 2", (r) => Number(r.garage || r.rooms <= 2)],
    ["(city) == 'Lyon' ? rooms : 0", (r) => (r.city === "Lyon" ? r.rooms : 0)],
    ["tanh(age / 50) * cosh(1) + sinh(0.5) + exp(-age / 10) + expm1(0.1) + cbrt(sqft)", (r) => Math.tanh(r.age / 50) * Math.cosh(1) + Math.sinh(0.5) + Math.exp(-r.age / 10) + Math.expm1(0.1) + Math.cbrt(r.sqft)],
    ["pow(rooms, 3) + sin(age) + cos(age) + tan(rooms) + asin(0.5) + acos(0.5) + atan(age)", (r) => r.rooms ** 3 + Math.sin(r.age) + Math.cos(r.age) + Math.tan(r.rooms) + Math.asin(0.5) + Math.acos(0.5) + Math.atan(r.age)],
    ["sqft; # a trailing separator and a comment", (r) => r.sqft],
  ];

  it.each(cases)("%s matches JavaScript to 1e-15 on 200 random rows", (source, reference) => {
    const compiled = compileExpression(source, COLUMNS);
    for (const row of rows) {
      const got = deriveValue(compiled, row);
      const want = reference(row);
      expect(Math.abs(got! - want)).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(want)));
    }
  });

  it("evaluates a dataset column the same as row by row, missing cells included", () => {
    const compiled = compileExpression('sqft / rooms + (city == "Lyon") + garage', COLUMNS);
    const categories = ["Lyon", "Paris", "Nice"];
    // Every 7th row misses a value, in turn in each column.
    const missing = (i: number, k: number) => i % 7 === 0 && (i / 7) % 4 === k;
    const columns: Column[] = [
      { name: "sqft", type: "NUMBER", values: Float64Array.from(rows, (r, i) => (missing(i, 0) ? NaN : r.sqft)) },
      { name: "rooms", type: "NUMBER", values: Float64Array.from(rows, (r, i) => (missing(i, 1) ? NaN : r.rooms)) },
      { name: "city", type: "CATEGORY", values: Int32Array.from(rows, (r, i) => (missing(i, 2) ? -1 : categories.indexOf(r.city))), categories },
      { name: "garage", type: "BOOLEAN", values: Float64Array.from(rows, (r, i) => (missing(i, 3) ? NaN : Number(r.garage))) },
    ];
    const column = deriveColumn("density", compiled, columns);
    expect(column.type).toBe("NUMBER");
    let missed = 0;
    rows.forEach((r, i) => {
      const record = { sqft: missing(i, 0) ? null : r.sqft, rooms: missing(i, 1) ? null : r.rooms, city: missing(i, 2) ? null : r.city, garage: missing(i, 3) ? null : r.garage };
      const expected = deriveValue(compiled, record, i);
      if (expected === null) missed++;
      expect(column.values[i]).toBe(expected ?? NaN);
    });
    expect(missed).toBe(Math.ceil(rows.length / 7));
  });

  it("accepts the column types as a Map or a record, and the options as a field name or an object", () => {
    const record = { sqft: "NUMBER", rooms: "NUMBER" } as const;
    expect(compileExpression("sqft / rooms", record).evaluate([10, 4])).toBe(2.5);
    expect(compileExpression("sqft / rooms", COLUMNS, "f").inputs).toEqual(["sqft", "rooms"]);
    expect(() => compileExpression("prise", record, "f")).toThrow(expect.objectContaining({ details: { field: "f", position: 0 } }));
    expect(() => compileExpression("prise", record, { field: "g" })).toThrow(expect.objectContaining({ details: { field: "g", position: 0 } }));
  });

  it("makes the result missing when an input is missing or the result is not finite", () => {
    const compiled = compileExpression("sqft / rooms", COLUMNS);
    expect(deriveValue(compiled, { sqft: null, rooms: 2 })).toBeNull();
    expect(deriveValue(compiled, { sqft: 100, rooms: 0 })).toBeNull(); // division by zero
    expect(deriveValue(compileExpression("log(age)", COLUMNS), { age: -1 })).toBeNull();
    expect(deriveValue(compileExpression("price ^ 1000", COLUMNS), { price: 1e6 })).toBeNull(); // overflow
    expect(deriveValue(compileExpression('city == "Paris"', COLUMNS), { city: null })).toBeNull();
    expect(deriveValue(compileExpression("not garage", COLUMNS), { garage: null })).toBeNull();
    expect(deriveValue(compileExpression("age > 65 and garage", COLUMNS), { age: null, garage: false })).toBeNull();
  });

  it("makes any non-finite intermediate value missing, not only the result", () => {
    const row = { sqft: 100, rooms: 0 };
    for (const source of ["1 / (sqft / rooms)", "min(sqft / rooms, 5)", "sqft / rooms > 1", "exp(sqft * 10) > 1", "(sqft / rooms) * 0", "atan(sqft / rooms)"]) {
      expect(deriveValue(compileExpression(source, COLUMNS), row), source).toBeNull();
    }
    // A branch not taken is not evaluated.
    expect(deriveValue(compileExpression("rooms == 0 ? -1 : sqft / rooms", COLUMNS), row)).toBe(-1);
    expect(deriveValue(compileExpression("age > 65 ? 1 : price", COLUMNS), { age: 70, price: null })).toBe(1);
    // round(x, n) takes an integer n in 0…15, as mathjs does.
    expect(deriveValue(compileExpression("round(sqft, 2.5)", COLUMNS), { sqft: 1.2345 })).toBeNull();
    expect(deriveValue(compileExpression("round(sqft, 2)", COLUMNS), { sqft: 1.2345 })).toBe(1.23);
  });

  it("checks the types of a record's values like the pipeline does, naming the input and the row", () => {
    const compiled = compileExpression('sqft / rooms + garage + (city == "Paris")', COLUMNS);
    expect(compiled.types).toEqual(["NUMBER", "NUMBER", "BOOLEAN", "CATEGORY"]);
    expect(deriveValue(compiled, { sqft: 10, rooms: 2, garage: true, city: "Paris" })).toBe(7);
    expect(deriveValue(compiled, { sqft: 10, rooms: 2, garage: true })).toBeNull(); // an absent key is missing
    for (const [field, value] of [["sqft", "10"], ["sqft", Infinity], ["garage", 1], ["city", 3], ["rooms", true], ["city", {}]] as const) {
      const record = { sqft: 10, rooms: 2, garage: true, city: "Paris", [field]: value };
      expect(() => deriveValue(compiled, record, 4), `${field}: ${String(value)}`).toThrow(expect.objectContaining({ code: "BAD_USER_INPUT", details: { field, row: 4 } }));
    }
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

describe("refusals, each BAD_USER_INPUT with the position (0-based character index)", () => {
  it.each([
    ["an unknown column", "log(prise)", "Unknown column", 4],
    ["an unknown column named in a string before", 'city == "foo" or foo > 1', 'Unknown column "foo"', 17],
    ["an unknown column named like a function before", "cos(1) + cos", 'Unknown column "cos"', 9],
    ["an unknown function", "sqft + foo(age)", "Unknown function", 7],
    ["import", "import({}, {override: true})", 'Unknown function "import"', 0],
    ["createUnit", 'sqft + createUnit("x")', 'Unknown function "createUnit"', 7],
    ["evaluate", 'evaluate("1")', 'Unknown function "evaluate"', 0],
    ["parse", ' parse("1")', 'Unknown function "parse"', 1],
    ["simplify", 'simplify("x")', 'Unknown function "simplify"', 0],
    ["derivative", 'derivative("x^2", "x")', 'Unknown function "derivative"', 0],
    ["a wrong arity", "atan2(age)", "takes 2 arguments", 0],
    ["too many arguments", "1 + sqrt(age, 2)", "takes 1 argument", 4],
    ["no arguments", "max()", "takes 1 to 32 arguments", 0],
    ["a category used as a number", "city * 2", "is CATEGORY", 0],
    ["a string used as a number", "sqft + 'a'", "A string", 7],
    ["string concatenation", '"a" + "b"', "A string", 0],
    ["a string compared with a number column", 'age == "65"', "A string", 7],
    ["a syntax error", "sqft * (rooms", "does not parse", 13],
    ["a syntax error inside", "sqft +* 2", "does not parse", 6],
    ["an assignment", "sqft = 5", "Assignment", 5],
    ["an assignment in a branch", "age == 1 ? sqft = 2 : 3", "Assignment", 16],
    ["a function definition", "f(x) = x^2", "Defining functions", 5],
    ["property access", "sqft.constructor", "Property access", 4],
    ["index access", "age + sqft[1]", "Property access", 10],
    ["an array", "max([1, 2])", "Arrays", 4],
    ["an object", "{a: 1}", "Objects", 0],
    ["several statements", "sqft; age", "Only one expression", 4],
    ["several lines", "sqft\nage", "Only one expression", 4],
    ["a range", "1:3", "Ranges", 1],
    ["a unit", "5 cm", 'Unknown column "cm"', 2],
    ["a unit conversion", "sqft to cm", 'Operator "to"', 5],
    ["transpose", "sqft' + 1", `Operator "'"`, 4],
    ["factorial", "(age + 1)!", 'Operator "!"', 9],
    ["an operator after a parenthesised operand", "(sqft * 2) .* 3", 'Operator ".*"', 11],
    ["a bitwise operator", "age & 2", 'Operator "&"', 4],
    ["a chained comparison", "(age > 1) + (1 < sqft < 3)", "Chained comparisons", 22],
    ["a non-finite constant", "age + Infinity", "Infinity is not allowed", 6],
    ["null", "null", "null is not allowed", 0],
    ["constructor", "age + constructor", "reserved name", 6],
    ["__proto__", "__proto__(1)", "reserved name", 0],
    ["prototype", "sqft.prototype", "Property access", 4],
    ["this", "this", "reserved name", 0],
    ["too deep brackets", "(".repeat(MAX_EXPRESSION_DEPTH + 1) + "1" + ")".repeat(MAX_EXPRESSION_DEPTH + 1), "brackets deep", MAX_EXPRESSION_DEPTH],
    ["too long", "1+".repeat(MAX_EXPRESSION_LENGTH) + "1", "at most 1000", MAX_EXPRESSION_LENGTH],
  ])("%s", (_case, source, message, position) => {
    const error = refusal(source);
    expect(error.code).toBe("BAD_USER_INPUT");
    expect(error.message).toContain(message);
    expect(error.details).toEqual({ field: "derivedFeatures[0].expression", position });
    expect(error.message).toContain(`(at character ${position}, counting from 0)`);
  });

  it.each([
    ["an empty expression", "", "empty"],
    ["only a comment", "# log(price)", "empty"],
    ["a tree too deep", "-".repeat(MAX_TREE_DEPTH + 1) + "age", "too deeply nested"],
  ])("%s (no position)", (_case, source, message) => {
    const error = refusal(source);
    expect(error.message).toContain(message);
    expect(error.details).toEqual({ field: "derivedFeatures[0].expression" });
  });

  it("does not count brackets inside strings as nesting", () => {
    const paren = "(".repeat(MAX_EXPRESSION_DEPTH + 10);
    expect(compileExpression(`city == "${paren}"`, COLUMNS).inputs).toEqual(["city"]);
  });

  it("accepts a long flat sum (the tree limit is on nesting, not length)", () => {
    const source = Array.from({ length: 200 }, () => "age").join("+"); // 799 characters, 200 deep
    expect(deriveValue(compileExpression(source, COLUMNS), { age: 2 })).toBe(400);
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

  it("refuses seeded random token soup with InvalidInputError only, positions inside the source", () => {
    const alphabet = ["(", ")", "[", "]", "{", "}", "sqft", "garage", "city", "1", "2.5", "e3", " ", "+", "-", "*", "/", "^", "!", "'", '"', "?", ":",
      ";", "\n", "=", "==", "<", ">", ".", ",", "not ", " and ", "log", "max", "constructor", "__proto__", "#", "\\", "x", " to ", "cm", "$", "&", "~"];
    const random = createRandom(7);
    let accepted = 0;
    for (let t = 0; t < 20_000; t++) {
      const length = random.int(0, t % 10 === 0 ? 300 : 12);
      let source = "";
      for (let i = 0; i < length; i++) source += alphabet[random.int(0, alphabet.length - 1)];
      try {
        const compiled = compileExpression(source, COLUMNS);
        const value = compiled.evaluate(compiled.types.map((type) => (type === "CATEGORY" ? "Paris" : 1)));
        expect(Number.isNaN(value) || Number.isFinite(value), source).toBe(true);
        accepted++;
      } catch (e) {
        if (!(e instanceof InvalidInputError)) throw new Error(`${JSON.stringify(source)} threw ${String(e)}`);
        const position = e.details.position;
        if (position !== undefined) expect(position as number, source).toBeGreaterThanOrEqual(0);
        if (position !== undefined) expect(position as number, source).toBeLessThanOrEqual(source.length);
      }
    }
    expect(accepted).toBeGreaterThan(100); // the soup does reach the evaluator
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
    ["a derived feature read by an earlier one", [{ name: "a4", expression: "a2 * 2" }, { name: "a2", expression: "age * 2" }], "derivedFeatures[0].expression"],
    ["an expression that is not a string", [{ name: "a2", expression: 42 as unknown as string }], "derivedFeatures[0].expression"],
  ])("refuses %s", (_case, specs, field) => {
    expect(() => compileDerivedFeatures(specs, COLUMNS)).toThrow(expect.objectContaining({ code: "BAD_USER_INPUT", details: expect.objectContaining({ field }) }));
  });

  it("says why a derived feature cannot be read", () => {
    expect(() => compileDerivedFeatures([{ name: "a2", expression: "age * 2" }, { name: "a4", expression: "1 + a2" }], COLUMNS)).toThrow(/"a2" is a derived feature.*repeat its expression/);
  });

  it("compiles every spec against the columns, in order", () => {
    const compiled = compileDerivedFeatures([{ name: "density", expression: "sqft / rooms" }, { name: "paris", expression: 'city == "Paris"' }], Object.fromEntries(COLUMNS));
    expect(compiled.map((e) => [e.source, e.inputs])).toEqual([["sqft / rooms", ["sqft", "rooms"]], ['city == "Paris"', ["city"]]]);
  });
});
