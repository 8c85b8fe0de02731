import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { StandardScaler } from "../../../src/core/preprocessing/standard-scaler.ts";
import { SimpleImputer, type SimpleImputerParams } from "../../../src/core/preprocessing/simple-imputer.ts";
import { compareCodePoints, OneHotEncoder, type OneHotEncoderParams } from "../../../src/core/preprocessing/one-hot-encoder.ts";
import type { CategoryColumn, Column } from "../../../src/core/dataset/columns.ts";
import { InvalidInputError, NotFittedError } from "../../../src/core/errors.ts";
import { expectAllClose, expectClose, flat, withNaN } from "../../support/close.ts";

interface ScalerCase { x: (number | null)[]; mean: number; var: number; scale: number; transformed: (number | null)[] }
interface ImputerCase { params: SimpleImputerParams; statistic: number | string; transformed: (number | string | null)[] }
interface EncoderCase { params: OneHotEncoderParams; train: string[]; test: string[]; categories: string[]; dropIndex: number | null; featureNames: string[]; transformed: number[][] }

const fixture = JSON.parse(readFileSync(new URL("../../fixtures/preprocessing/transformers.json", import.meta.url), "utf8")) as {
  scalers: Record<string, ScalerCase>;
  imputers: Record<string, { x: (number | string | null)[]; cases: ImputerCase[] }>;
  encoders: EncoderCase[];
};

/** A CATEGORY column from strings (dictionary in order of first appearance; null = missing). */
function categoryColumn(name: string, values: readonly (string | null)[]): CategoryColumn {
  const categories: string[] = [];
  const codes = values.map((v) => {
    if (v === null) return -1;
    const k = categories.indexOf(v);
    return k >= 0 ? k : categories.push(v) - 1;
  });
  return { name, type: "CATEGORY", values: Int32Array.from(codes), categories };
}

function decode(column: Column): (number | string | null)[] {
  if (column.type === "CATEGORY") return Array.from(column.values, (c) => (c < 0 ? null : column.categories[c]));
  return Array.from(column.values, (v) => (Number.isNaN(v) ? null : v));
}

describe("StandardScaler against scikit-learn", () => {
  it.each(Object.entries(fixture.scalers))("%s", (_, c) => {
    const scaler = new StandardScaler().fit(withNaN(c.x));
    expectClose(scaler.mean_, c.mean, 1e-13, 0, "mean_");
    expectClose(scaler.var_, c.var, 1e-12, 1e-300, "var_");
    expectClose(scaler.scale_, c.scale, 1e-12, 0, "scale_");
    expectAllClose(scaler.transform(withNaN(c.x)), c.transformed, 1e-12, 1e-12, "transformed");
  });

  it("writes strided output into a matrix column and round-trips through JSON", () => {
    const scaler = new StandardScaler().fit(Float64Array.of(1, 2, 3, 4));
    const out = new Float64Array(8);
    scaler.transform(Float64Array.of(1, 2, 3, 4), out, 1, 2);
    expect(Array.from(out.filter((_, i) => i % 2 === 0))).toEqual([0, 0, 0, 0]);
    const copy = StandardScaler.fromJSON(JSON.parse(JSON.stringify(scaler.toJSON())));
    expect(copy.transform(Float64Array.of(2.5))).toEqual(scaler.transform(Float64Array.of(2.5)));
    expect(scaler.toJSON()).toMatchObject({ kind: "StandardScaler", version: 1 });
  });

  it("throws NotFittedError before fit and InvalidInputError on all-missing input", () => {
    expect(() => new StandardScaler().transform(Float64Array.of(1))).toThrow(NotFittedError);
    expect(() => new StandardScaler().fit(Float64Array.of(NaN))).toThrow(InvalidInputError);
  });
});

describe("SimpleImputer against scikit-learn", () => {
  for (const [name, group] of Object.entries(fixture.imputers)) {
    const isCategory = typeof group.cases[0].statistic === "string" || group.x.some((v) => typeof v === "string");
    const column: Column = isCategory
      ? categoryColumn(name, group.x as (string | null)[])
      : { name, type: "NUMBER", values: withNaN(group.x as (number | null)[]) };
    it.each(group.cases.map((c) => [JSON.stringify(c.params), c] as const))(`${name} %s`, (_, c) => {
      const imputer = new SimpleImputer(c.params).fit(column);
      expect(imputer.statistic_).toBe(c.statistic);
      const out = decode(imputer.transform(column));
      if (isCategory) expect(out).toEqual(c.transformed);
      else expectAllClose(out as number[], c.transformed as number[], 1e-15);
    });
  }

  it("imputes BOOLEAN columns: most_frequent and constant stay BOOLEAN, mean becomes NUMBER", () => {
    const b: Column = { name: "b", type: "BOOLEAN", values: Float64Array.of(1, NaN, 0, 1) };
    expect(new SimpleImputer({ strategy: "most_frequent" }).fit(b).transform(b)).toMatchObject({ type: "BOOLEAN", values: Float64Array.of(1, 1, 0, 1) });
    expect(new SimpleImputer({ strategy: "constant", fill_value: false }).fit(b).transform(b).values).toEqual(Float64Array.of(1, 0, 0, 1));
    expect(new SimpleImputer({ strategy: "mean" }).fit(b).transform(b)).toMatchObject({ type: "NUMBER", values: Float64Array.of(1, 2 / 3, 0, 1) });
  });

  it("rejects strategies and fill values that do not fit the column, and columns with nothing observed", () => {
    const c = categoryColumn("c", ["a", null]);
    expect(() => new SimpleImputer({ strategy: "mean" }).fit(c)).toThrow(expect.objectContaining({ details: { field: "strategy" } }));
    expect(() => new SimpleImputer({ strategy: "constant", fill_value: 3 }).fit(c)).toThrow(/must be a string/);
    const n: Column = { name: "n", type: "NUMBER", values: Float64Array.of(NaN, NaN) };
    expect(() => new SimpleImputer({ strategy: "constant", fill_value: "x" }).fit(n)).toThrow(/finite number/);
    expect(() => new SimpleImputer({ strategy: "median" }).fit(n)).toThrow(/no non-missing value/);
    expect(() => new SimpleImputer({ strategy: "mode" as never }).fit(n)).toThrow(/strategy must be one of/);
  });

  it("round-trips through JSON and adds a constant category to the dictionary when absent", () => {
    const c = categoryColumn("c", ["a", null, "b"]);
    const imputer = SimpleImputer.fromJSON(JSON.parse(JSON.stringify(new SimpleImputer({ strategy: "constant" }).fit(c).toJSON())));
    expect(imputer.transform(c)).toMatchObject({ values: Int32Array.of(0, 2, 1), categories: ["a", "b", "missing_value"] });
    expect(c.categories).toEqual(["a", "b"]);
  });
});

describe("OneHotEncoder against scikit-learn", () => {
  it.each(fixture.encoders.map((c) => [JSON.stringify(c.params), c] as const))("%s", (_, c) => {
    const encoder = new OneHotEncoder(c.params).fit(categoryColumn("x", c.train));
    expect(encoder.categories_).toEqual(c.categories);
    expect(encoder.drop_idx_).toBe(c.dropIndex);
    expect(encoder.featureNames("x")).toEqual(c.featureNames);
    const X = encoder.transform(categoryColumn("x", c.test));
    expect([X.rows, X.cols]).toEqual([c.test.length, c.featureNames.length]);
    expect(Array.from(X.data)).toEqual(flat(c.transformed));
  });

  it("sorts by code point like Python, not by UTF-16 code unit", () => {
    expect(["😀", "\ue000", "é", "a", "Z"].sort(compareCodePoints)).toEqual(["Z", "a", "é", "\ue000", "😀"]);
    expect(["ab", "a", ""].sort(compareCodePoints)).toEqual(["", "a", "ab"]);
  });

  it("learns only categories present in the rows it sees; missing encodes as all zeros", () => {
    const column = categoryColumn("x", ["b", null, "a"]);
    const encoder = new OneHotEncoder().fit({ ...column, categories: [...column.categories, "never"] });
    expect(encoder.categories_).toEqual(["a", "b"]);
    expect(Array.from(encoder.transform(column).data)).toEqual([0, 1, 0, 0, 1, 0]);
  });

  it("errors on unknown categories under handle_unknown 'error', naming row and field", () => {
    const encoder = new OneHotEncoder().fit(categoryColumn("city", ["Lyon", "Nice"]));
    expect(() => encoder.transform(categoryColumn("city", ["Nice", "Paris"]))).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/Unknown category "Paris" for column "city" at row 1/), details: { field: "city", row: 1, value: "Paris" } }),
    );
  });

  it("checks its parameters in fit, and round-trips through JSON", () => {
    expect(() => new OneHotEncoder({ drop: "last" as never }).fit(categoryColumn("x", ["a"]))).toThrow(/drop must be one of/);
    expect(() => new OneHotEncoder().fit(categoryColumn("x", [null]))).toThrow(/no values/);
    const encoder = new OneHotEncoder({ drop: "first", handle_unknown: "ignore" }).fit(categoryColumn("x", ["q", "p", "r"]));
    const copy = OneHotEncoder.fromJSON(JSON.parse(JSON.stringify(encoder.toJSON())));
    expect(copy.params).toEqual({ drop: "first", handle_unknown: "ignore" });
    const test = categoryColumn("x", ["p", "r", "zz"]);
    expect(copy.transform(test)).toEqual(encoder.transform(test));
    expect(() => OneHotEncoder.fromJSON({ ...encoder.toJSON(), version: 2 })).toThrow(expect.objectContaining({ details: { field: "version" } }));
    expect(() => OneHotEncoder.fromJSON({ ...encoder.toJSON(), kind: "StandardScaler" })).toThrow(expect.objectContaining({ details: { field: "kind" } }));
    expect(() => new OneHotEncoder().featureNames("x")).toThrow(NotFittedError);
  });
});
