import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FeaturePipeline, type FeatureSpec } from "../../../src/core/preprocessing/feature-pipeline.ts";
import { rawCoefficients, valuesByColumn } from "../../../src/core/preprocessing/coefficients.ts";
import { parseCsv } from "../../../src/core/dataset/csv.ts";
import { inferColumn, type Column } from "../../../src/core/dataset/columns.ts";
import { InvalidInputError, NotFittedError } from "../../../src/core/errors.ts";
import { expectAllClose, expectClose, flat } from "../../support/close.ts";

const fixture = JSON.parse(readFileSync(new URL("../../fixtures/preprocessing/column_transformer.json", import.meta.url), "utf8")) as {
  csv: string;
  features: FeatureSpec[];
  train: number[];
  featureNames: string[];
  transformed: number[][];
  records: Record<string, unknown>[];
  recordsTransformed: number[][];
  linear: { coef: number[]; intercept: number; rawCoef: number[]; rawIntercept: number };
};

const table = parseCsv(fixture.csv);
const train = Int32Array.from(fixture.train);

function fitted(): FeaturePipeline {
  return new FeaturePipeline({ features: fixture.features }).fit(table.columns, train);
}

describe("FeaturePipeline against scikit-learn's ColumnTransformer (CSV → columns → matrix)", () => {
  it("infers the CSV's column types", () => {
    expect(table.columns.map((c) => c.type)).toEqual(["NUMBER", "NUMBER", "BOOLEAN", "CATEGORY", "CATEGORY", "NUMBER", "NUMBER"]);
    expect(table.rowCount).toBe(fixture.transformed.length);
  });

  it("fits on the training rows and transforms every row to the same matrix (1e-12)", () => {
    const pipeline = fitted();
    expect(pipeline.featureNames).toEqual(fixture.featureNames);
    const X = pipeline.transform(table.columns);
    expect([X.rows, X.cols]).toEqual([fixture.transformed.length, fixture.featureNames.length]);
    expectAllClose(X.data, flat(fixture.transformed), 1e-12, 1e-12, "X");
  });

  it("transforms a subset of rows, in the order given", () => {
    const pipeline = fitted();
    const rows = Int32Array.of(5, 0, 17);
    const X = pipeline.transform(table.columns, rows);
    expectAllClose(X.data, flat([5, 0, 17].map((i) => fixture.transformed[i])), 1e-12, 1e-12);
    expectAllClose(pipeline.fitTransform(table.columns, train).data, flat(fixture.train.map((i) => fixture.transformed[i])), 1e-12, 1e-12);
  });

  it("transforms raw JSON records (null = missing, unknown city ignored) like scikit-learn", () => {
    const X = fitted().transformRecords(fixture.records);
    expectAllClose(X.data, flat(fixture.recordsTransformed), 1e-12, 1e-12, "records");
  });

  it("maps each feature back to its column", () => {
    const pipeline = fitted();
    expect(Array.from(pipeline.featureSources)).toEqual([0, 1, 2, 3, 3, 3, 3, 3, 4, 4, 4, 5]);
    const groups = pipeline.featureGroups();
    expect(groups.map((g) => [g.column, g.features.length])).toEqual([["income", 1], ["age", 1], ["member", 1], ["city", 5], ["plan", 3], ["score", 1]]);
    expect(groups[4].features).toEqual([
      { index: 8, name: "plan=missing_value", category: "missing_value" },
      { index: 9, name: "plan=pro", category: "pro" },
      { index: 10, name: 'plan=the "max"', category: 'the "max"' },
    ]);
    expect(pipeline.inputColumns).toEqual(["income", "age", "member", "city", "plan", "score"]);
  });

  it("round-trips through versioned JSON", () => {
    const pipeline = fitted();
    const json = JSON.parse(JSON.stringify(pipeline.toJSON()));
    expect(json).toMatchObject({ kind: "FeaturePipeline", version: 1, params: { features: fixture.features } });
    const copy = FeaturePipeline.fromJSON(json);
    expect(copy.featureNames).toEqual(pipeline.featureNames);
    expect(copy.transform(table.columns).data).toEqual(pipeline.transform(table.columns).data);
    expect(copy.transformRecords(fixture.records).data).toEqual(pipeline.transformRecords(fixture.records).data);
    expect(() => FeaturePipeline.fromJSON({ ...json, version: 99 })).toThrow(/version 99 is not supported/);
    expect(() => FeaturePipeline.fromJSON({ ...json, kind: "Ridge" })).toThrow(expect.objectContaining({ details: { field: "kind" } }));
    expect(() => FeaturePipeline.fromJSON(null)).toThrow(InvalidInputError);
  });
});

describe("rawCoefficients and valuesByColumn", () => {
  it("map coefficients on standardized features back to raw units, as the fixture's formula", () => {
    const pipeline = fitted();
    const { coef, intercept } = rawCoefficients(Float64Array.from(fixture.linear.coef), Float64Array.of(fixture.linear.intercept), pipeline.standardization());
    expectAllClose(coef, fixture.linear.rawCoef, 1e-12, 0, "coef");
    expectClose(intercept[0], fixture.linear.rawIntercept, 1e-12, 0, "intercept");
  });

  it("give the same predictions on raw values as the model on standardized ones", () => {
    const features: FeatureSpec[] = [
      { name: "a", type: "NUMBER", scale: "standard" },
      { name: "b", type: "NUMBER" },
      { name: "c", type: "CATEGORY" },
    ];
    const columns = [inferColumn("a", ["1", "4", "9", "16"]), inferColumn("b", ["3", "-1", "2", "0"]), inferColumn("c", ["x", "y", "x", "z"])];
    const pipeline = new FeaturePipeline({ features }).fit(columns);
    const Z = pipeline.transform(columns);
    // Two outputs × 5 features (a, b, c=x, c=y, c=z), as a multiclass model's coef.
    const coef = Float64Array.of(0.5, -2, 1, 3, -1, 0.25, 7, -7, 2, 1);
    const b = Float64Array.of(10, -3);
    const raw = rawCoefficients(coef, b, pipeline.standardization());
    const rawX = [[1, 3, 1, 0, 0], [4, -1, 0, 1, 0], [9, 2, 1, 0, 0], [16, 0, 0, 0, 1]];
    for (let o = 0; o < 2; o++) {
      for (let i = 0; i < Z.rows; i++) {
        let model = b[o];
        let direct = raw.intercept[o];
        for (let j = 0; j < Z.cols; j++) {
          model += coef[o * Z.cols + j] * Z.data[i * Z.cols + j];
          direct += raw.coef[o * Z.cols + j] * rawX[i][j];
        }
        expectClose(direct, model, 1e-12, 1e-12, `prediction ${o},${i}`);
      }
    }
    expect(() => rawCoefficients(Float64Array.of(1), b, pipeline.standardization())).toThrow(RangeError);
  });

  it("gathers per-feature values under their column, with totals", () => {
    const pipeline = fitted();
    const values = Float64Array.from({ length: 12 }, (_, j) => j);
    const byColumn = valuesByColumn(pipeline.featureGroups(), values);
    expect(byColumn.map((c) => [c.column, c.total])).toEqual([["income", 0], ["age", 1], ["member", 2], ["city", 3 + 4 + 5 + 6 + 7], ["plan", 8 + 9 + 10], ["score", 11]]);
    expect(byColumn[3].features[0]).toEqual({ name: "city=Aix, en Provence", category: "Aix, en Provence", value: 3 });
  });
});

describe("FeaturePipeline validation", () => {
  const columns: Column[] = [
    inferColumn("x", ["1", "", "3", "4"]),
    inferColumn("flag", ["true", "false", "true", ""]),
    inferColumn("city", ["Lyon", "Nice", "", "Lyon"]),
  ];
  const specs: FeatureSpec[] = [
    { name: "x", type: "NUMBER", impute: { strategy: "mean" }, scale: "standard" },
    { name: "flag", type: "BOOLEAN", impute: { strategy: "most_frequent" } },
    { name: "city", type: "CATEGORY", handle_unknown: "error" },
  ];
  const pipeline = new FeaturePipeline({ features: specs }).fit(columns);

  function recordError(record: Record<string, unknown>, index = 0): InvalidInputError {
    const records = [{ x: 1, flag: true, city: "Lyon" }, record];
    try {
      pipeline.transformRecords(records.slice(0, index + 1).map((r, i) => (i === index ? record : r)));
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      return error as InvalidInputError;
    }
    throw new Error("expected transformRecords to throw");
  }

  it("encodes a missing category as all zeros and imputes the others", () => {
    // Features: x (scaled), flag, city=Lyon, city=Nice. x's mean is imputed, so it scales to 0.
    const X = pipeline.transformRecords([{ x: null, flag: null, city: null }, { x: 4, flag: false, city: "  " }]);
    expect([X.rows, X.cols]).toEqual([2, 4]);
    expectClose(X.data[0], 0, 0, 1e-15);
    expect(Array.from(X.data.subarray(1, 4))).toEqual([1, 0, 0]);
    expectClose(X.data[4], (4 - 8 / 3) / Math.sqrt(((1 - 8 / 3) ** 2 + (3 - 8 / 3) ** 2 + (4 - 8 / 3) ** 2) / 4), 1e-12);
    expect(Array.from(X.data.subarray(5))).toEqual([0, 0, 0]);
  });

  it("rejects a missing feature, a wrong type, NaN/Infinity and unknown categories, naming row and field", () => {
    expect(recordError({ flag: true, city: "Lyon" }, 1).details).toEqual({ row: 1, field: "x" });
    expect(recordError({ x: "3", flag: true, city: "Lyon" }).message).toMatch(/"3" \(string\) for "x", which expects a number/);
    expect(recordError({ x: 1, flag: "true", city: "Lyon" }).details).toEqual({ row: 0, field: "flag" });
    expect(recordError({ x: 1, flag: true, city: 7 }).details).toEqual({ row: 0, field: "city" });
    expect(recordError({ x: NaN, flag: true, city: "Lyon" }).message).toMatch(/NaN for "x"; values must be finite/);
    expect(recordError({ x: -Infinity, flag: true, city: "Lyon" }).details).toEqual({ row: 0, field: "x" });
    expect(recordError({ x: 1, flag: true, city: "Paris" }, 1).details).toEqual({ row: 1, field: "city", value: "Paris" });
    expect(() => pipeline.transformRecords([null as never])).toThrow(expect.objectContaining({ details: { row: 0 } }));
  });

  it("rejects a missing value in a column without imputer, at fit and at prediction", () => {
    const noImpute: FeatureSpec[] = [{ name: "x", type: "NUMBER" }];
    expect(() => new FeaturePipeline({ features: noImpute }).fit(columns)).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/"x" has 1 missing value in the training rows; set an impute strategy/), details: { field: "x", missing: 1 } }),
    );
    const complete = new FeaturePipeline({ features: noImpute }).fit(columns, Int32Array.of(0, 2, 3));
    expect(() => complete.transformRecords([{ x: null }])).toThrow(expect.objectContaining({ details: { row: 0, field: "x" } }));
    expect(() => complete.transform(columns)).toThrow(expect.objectContaining({ details: { row: 1, field: "x" } }));
  });

  it("counts the missing values a fit refuses exactly, in the rows given (repeats included) and beside ±Infinity", () => {
    const n = 1003;
    const values = Float64Array.from({ length: n }, (_, i) => (i % 10 === 3 ? NaN : i % 7 === 0 ? Infinity : i % 11 === 0 ? -Infinity : i));
    const x: Column = { name: "x", type: "NUMBER", values };
    const missingOf = (rows?: Int32Array) => {
      try {
        new FeaturePipeline({ features: [{ name: "x", type: "NUMBER" }] }).fit([x], rows);
        return 0;
      } catch (e) {
        return (e as { details: { missing: number } }).details.missing;
      }
    };
    expect(missingOf()).toBe(Array.from(values).filter(Number.isNaN).length);
    const rows = Int32Array.from({ length: 500 }, (_, k) => (k * 37) % n);
    const repeated = Int32Array.of(...rows, ...rows.subarray(0, 100));
    const expected = (r: Int32Array) => Array.from(r).filter((i) => Number.isNaN(values[i])).length;
    expect(missingOf(rows)).toBe(expected(rows));
    expect(missingOf(repeated)).toBe(expected(repeated));
    expect(missingOf(Int32Array.of(1, 7, 11))).toBe(0);
  });

  it("checks specs and column types in fit", () => {
    const fit = (features: FeatureSpec[], cols = columns) => () => new FeaturePipeline({ features }).fit(cols);
    expect(fit([])).toThrow(/at least one column/);
    expect(fit([{ name: "x", type: "NUMBER" as const, impute: { strategy: "mean" } }, { name: "x", type: "NUMBER" as const }])).toThrow(/listed twice/);
    expect(fit([{ name: "city", type: "CATEGORY", scale: "standard" }])).toThrow(expect.objectContaining({ details: { field: "features[0].scale" } }));
    expect(fit([{ name: "x", type: "NUMBER", impute: { strategy: "mean" }, drop: "first" }])).toThrow(/drop applies to CATEGORY columns only/);
    expect(fit([{ name: "x", type: "NUMBER", impute: { strategy: "mean" }, scale: "maxabs" as never }])).toThrow(/scale must be one of/);
    expect(fit([{ name: "x", type: "TEXT" as never }])).toThrow(/type must be one of/);
    expect(fit([{ name: "city", type: "NUMBER" }])).toThrow(expect.objectContaining({ message: expect.stringMatching(/"city" is CATEGORY, but the pipeline expects NUMBER/), details: { field: "city" } }));
    expect(fit([{ name: "nope", type: "NUMBER" }])).toThrow(expect.objectContaining({ details: { field: "nope" } }));
    expect(() => new FeaturePipeline({ features: specs }).fit(columns, new Int32Array(0))).toThrow(/at least one training row/);
    expect(() => new FeaturePipeline({ features: specs }).fit(columns, Int32Array.of(9))).toThrow(RangeError);
    expect(() => new FeaturePipeline({ features: specs }).transformRecords([])).toThrow(NotFittedError);
  });

  it("encodes another dataset's dictionary by value, not by code", () => {
    const other: Column[] = [inferColumn("x", ["2"]), inferColumn("flag", ["true"]), inferColumn("city", ["Nice"])];
    expect(Array.from(pipeline.transform(other).data.subarray(1))).toEqual([1, 0, 1]);
  });
});
