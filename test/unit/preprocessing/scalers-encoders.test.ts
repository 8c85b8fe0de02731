/**
 * MinMaxScaler, RobustScaler and OrdinalEncoder against scikit-learn 1.2 (fixtures from
 * test/fixtures/gen_preprocessing.py → preprocessing/scalers_encoders.json), the FeaturePipeline
 * using them end to end, and the per-column choices of services/training/fitting.ts that select them.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MinMaxScaler } from "../../../src/core/preprocessing/min-max-scaler.ts";
import { RobustScaler } from "../../../src/core/preprocessing/robust-scaler.ts";
import { OrdinalEncoder, type OrdinalEncoderParams } from "../../../src/core/preprocessing/ordinal-encoder.ts";
import { StandardScaler } from "../../../src/core/preprocessing/standard-scaler.ts";
import { affineOf, createScaler, scalerFromJSON } from "../../../src/core/preprocessing/scalers.ts";
import { FeaturePipeline, type FeatureSpec } from "../../../src/core/preprocessing/feature-pipeline.ts";
import { rawCoefficients } from "../../../src/core/preprocessing/coefficients.ts";
import { featureSpecs, fitModel, imputerParams, type ColumnPreprocessing } from "../../../src/services/training/fitting.ts";
import { parseCsv } from "../../../src/core/dataset/csv.ts";
import { inferColumn, type CategoryColumn, type Column } from "../../../src/core/dataset/columns.ts";
import { InvalidInputError, NotFittedError } from "../../../src/core/errors.ts";
import { expectAllClose, expectClose, flat, withNaN } from "../../support/close.ts";

interface MinMaxCase { x: (number | null)[]; test: (number | null)[]; dataMin: number; dataMax: number; dataRange: number; scale: number; min: number; transformed: (number | null)[]; testTransformed: (number | null)[] }
interface RobustCase { x: (number | null)[]; test: (number | null)[]; center: number; scale: number; quantiles: [number, number]; transformed: (number | null)[]; testTransformed: (number | null)[] }
interface OrdinalCase { sklearnParams: Record<string, unknown>; params: OrdinalEncoderParams; train: string[]; test: string[]; categories: string[]; transformed: number[] }

const fixture = JSON.parse(readFileSync(new URL("../../fixtures/preprocessing/scalers_encoders.json", import.meta.url), "utf8")) as {
  minmax: Record<string, MinMaxCase>;
  robust: Record<string, RobustCase>;
  ordinal: OrdinalCase[];
  pipeline: {
    csv: string;
    features: FeatureSpec[];
    train: number[];
    featureNames: string[];
    transformed: number[][];
    center: number[];
    scale: number[];
    records: Record<string, unknown>[];
    recordsTransformed: number[][];
    linear: { coef: number[]; intercept: number; rawCoef: number[]; rawIntercept: number };
  };
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

/** Round trip through JSON text, as a model's state is stored. */
function viaJSON(value: { toJSON(): unknown }): unknown {
  return JSON.parse(JSON.stringify(value.toJSON()));
}

describe("MinMaxScaler against scikit-learn", () => {
  it.each(Object.entries(fixture.minmax))("%s", (_, c) => {
    const scaler = new MinMaxScaler().fit(withNaN(c.x));
    expect(scaler.data_min_).toBe(c.dataMin);
    expect(scaler.data_max_).toBe(c.dataMax);
    expect(scaler.data_range_).toBe(c.dataRange);
    expectClose(scaler.scale_, c.scale, 1e-15, 0, "scale_");
    expectClose(scaler.min_, c.min, 1e-15, 0, "min_");
    expect(scaler.n_samples_seen_).toBe(c.x.filter((v) => v !== null).length);
    expectAllClose(scaler.transform(withNaN(c.x)), c.transformed, 1e-12, 1e-12, "transformed");
    expectAllClose(scaler.transform(withNaN(c.test)), c.testTransformed, 1e-12, 1e-12, "test");
  });

  it("maps a constant column (range below 10·ε) to 0 with scale 1", () => {
    const scaler = new MinMaxScaler().fit(Float64Array.of(1, 1 + 2 ** -52));
    expect(scaler.affine).toEqual({ center: 1, scale: 1 });
    expect(Array.from(scaler.transform(Float64Array.of(1, 3)))).toEqual([0, 2]);
  });
});

describe("RobustScaler against scikit-learn", () => {
  it.each(Object.entries(fixture.robust))("%s", (_, c) => {
    const scaler = new RobustScaler().fit(withNaN(c.x));
    expectClose(scaler.center_, c.center, 1e-15, 0, "center_");
    expectClose(scaler.scale_, c.scale, 1e-14, 0, "scale_");
    expectAllClose(scaler.quantiles_, c.quantiles, 1e-15, 0, "quantiles");
    expectAllClose(scaler.transform(withNaN(c.x)), c.transformed, 1e-12, 1e-12, "transformed");
    expectAllClose(scaler.transform(withNaN(c.test)), c.testTransformed, 1e-12, 1e-12, "test");
  });
});

describe("OrdinalEncoder against scikit-learn", () => {
  it.each(fixture.ordinal.map((c) => [JSON.stringify(c.sklearnParams), c] as const))("%s", (_, c) => {
    const encoder = new OrdinalEncoder(c.params).fit(categoryColumn("x", c.train));
    expect(encoder.categories_).toEqual(c.categories);
    expect(encoder.featureNames("x")).toEqual(["x"]);
    expect(encoder.nFeatures).toBe(1);
    expect(Array.from(encoder.transform(categoryColumn("x", c.test)))).toEqual(c.transformed);
  });

  it("errors on an unknown category under handle_unknown 'error', naming row and field; missing → NaN", () => {
    const encoder = new OrdinalEncoder().fit(categoryColumn("city", ["Nice", "Lyon"]));
    expect(() => encoder.transform(categoryColumn("city", ["Nice", "Paris"]))).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/Unknown category "Paris" for column "city" at row 1/), details: { field: "city", row: 1, value: "Paris" } }),
    );
    expect(Array.from(encoder.transform(categoryColumn("city", [null, "Nice"])))).toEqual([NaN, 1]);
  });

  it("learns only categories present in the rows it sees, and checks handle_unknown in fit", () => {
    const column = categoryColumn("x", ["b", null, "a"]);
    expect(new OrdinalEncoder().fit({ ...column, categories: [...column.categories, "never"] }).categories_).toEqual(["a", "b"]);
    expect(() => new OrdinalEncoder({ handle_unknown: "use_encoded_value" as never }).fit(column)).toThrow(expect.objectContaining({ details: { field: "handle_unknown" } }));
    expect(() => new OrdinalEncoder().fit(categoryColumn("x", [null]))).toThrow(/no values/);
  });
});

describe("scaler and encoder contract: JSON round trip, kind and version, NotFittedError", () => {
  const x = Float64Array.of(4, NaN, -1, 7.5, 2, 2);
  const probe = Float64Array.of(-3, 0, 2.5, NaN, 100);
  it.each([
    ["StandardScaler", () => new StandardScaler()],
    ["MinMaxScaler", () => new MinMaxScaler()],
    ["RobustScaler", () => new RobustScaler()],
  ] as const)("%s", (kind, make) => {
    expect(() => make().transform(x)).toThrow(NotFittedError);
    expect(() => make().fit(Float64Array.of(NaN, NaN))).toThrow(InvalidInputError);
    const scaler = make();
    expect(scaler.fit(x)).toBe(scaler);
    const json = viaJSON(scaler) as Record<string, unknown>;
    expect(json).toMatchObject({ kind, version: 1, params: {} });
    const copy = scalerFromJSON(json);
    expect(copy.kind).toBe(kind);
    expect(copy.transform(probe)).toEqual(scaler.transform(probe));
    expect(affineOf(copy)).toEqual(affineOf(scaler));
    // the affine form is the transform
    const { center, scale } = affineOf(scaler);
    expect(Array.from(scaler.transform(probe))).toEqual(Array.from(probe, (v) => (v - center) / scale));
    expect(() => scalerFromJSON({ ...json, version: 2 })).toThrow(expect.objectContaining({ details: { field: "version" } }));
    expect(() => scalerFromJSON({ ...json, kind: "OneHotEncoder" })).toThrow(expect.objectContaining({ details: { field: "kind" } }));
    expect(createScaler(kind === "StandardScaler" ? "standard" : kind === "MinMaxScaler" ? "minmax" : "robust").kind).toBe(kind);
  });

  it("OrdinalEncoder", () => {
    expect(() => new OrdinalEncoder().categories_).toThrow(NotFittedError);
    const encoder = new OrdinalEncoder({ handle_unknown: "ignore" }).fit(categoryColumn("x", ["q", "p", "r"]));
    const json = viaJSON(encoder);
    expect(json).toEqual({ kind: "OrdinalEncoder", version: 1, params: { handle_unknown: "ignore" }, state: { categories: ["p", "q", "r"] } });
    const copy = OrdinalEncoder.fromJSON(json);
    const test = categoryColumn("x", ["r", "zz", "p"]);
    expect(Array.from(copy.transform(test))).toEqual([2, -1, 0]);
    expect(() => OrdinalEncoder.fromJSON({ ...(json as object), kind: "OneHotEncoder" })).toThrow(expect.objectContaining({ details: { field: "kind" } }));
  });
});

describe("FeaturePipeline with minmax / robust scalers and ordinal encoding, against ColumnTransformer", () => {
  const p = fixture.pipeline;
  const table = parseCsv(p.csv);
  const train = Int32Array.from(p.train);
  const fitted = () => new FeaturePipeline({ features: p.features }).fit(table.columns, train);

  it("fits on the training rows and transforms every row to the same matrix (1e-12)", () => {
    expect(table.columns.map((c) => c.type)).toEqual(["NUMBER", "NUMBER", "BOOLEAN", "CATEGORY", "CATEGORY", "CATEGORY", "CATEGORY", "NUMBER", "NUMBER", "NUMBER"]);
    const pipeline = fitted();
    expect(pipeline.featureNames).toEqual(p.featureNames);
    const X = pipeline.transform(table.columns);
    expect([X.rows, X.cols]).toEqual([p.transformed.length, p.featureNames.length]);
    expectAllClose(X.data, flat(p.transformed), 1e-12, 1e-12, "X");
  });

  it("transforms raw JSON records (nulls imputed, unseen categories → −1 then scaled, or all zeros) like scikit-learn", () => {
    expectAllClose(fitted().transformRecords(p.records).data, flat(p.recordsTransformed), 1e-12, 1e-12, "records");
  });

  it("reports each scaler's centre and scale, and raw-unit coefficients", () => {
    const pipeline = fitted();
    const { mean, scale } = pipeline.standardization();
    expectAllClose(mean, p.center, 1e-14, 0, "centre");
    expectAllClose(scale, p.scale, 1e-14, 0, "scale");
    const raw = rawCoefficients(Float64Array.from(p.linear.coef), Float64Array.of(p.linear.intercept), pipeline.standardization());
    expectAllClose(raw.coef, p.linear.rawCoef, 1e-12, 0, "coef");
    expectClose(raw.intercept[0], p.linear.rawIntercept, 1e-12, 0, "intercept");
  });

  it("maps the single ordinal feature back to its column, with no category", () => {
    const groups = fitted().featureGroups();
    expect(groups.map((g) => [g.column, g.features.length])).toEqual([
      ["income", 1], ["age", 1], ["member", 1], ["city", 1], ["plan", 1], ["grade", 1], ["color", 3], ["flat", 1], ["score", 1],
    ]);
    expect(groups[3].features).toEqual([{ index: 3, name: "city", category: null }]);
    expect(groups[6].features[0]).toEqual({ index: 6, name: "color=blue", category: "blue" });
    expect(Array.from(fitted().featureSources)).toEqual([0, 1, 2, 3, 4, 5, 6, 6, 6, 7, 8]);
  });

  it("round-trips through versioned JSON, each scaler and encoder under its own kind", () => {
    const pipeline = fitted();
    const json = viaJSON(pipeline) as { version: number; state: { steps: { scaler: { kind: string } | null; encoder: { kind: string } | null }[] } };
    expect(json.version).toBe(1);
    expect(json.state.steps.map((s) => [s.scaler?.kind ?? null, s.encoder?.kind ?? null])).toEqual([
      ["RobustScaler", null], ["MinMaxScaler", null], ["RobustScaler", null], ["StandardScaler", "OrdinalEncoder"], [null, "OrdinalEncoder"],
      ["MinMaxScaler", "OrdinalEncoder"], [null, "OneHotEncoder"], ["MinMaxScaler", null], ["RobustScaler", null],
    ]);
    const copy = FeaturePipeline.fromJSON(json);
    expect(copy.featureNames).toEqual(pipeline.featureNames);
    expect(copy.transform(table.columns).data).toEqual(pipeline.transform(table.columns).data);
    expect(copy.transformRecords(p.records).data).toEqual(pipeline.transformRecords(p.records).data);
    expect(copy.standardization()).toEqual(pipeline.standardization());
  });

  it("still loads a pipeline serialized before these scalers existed (StandardScaler, OneHotEncoder)", () => {
    const saved = {
      kind: "FeaturePipeline",
      version: 1,
      params: { features: [{ name: "x", type: "NUMBER", scale: "standard" }, { name: "c", type: "CATEGORY", encode: "one_hot", handle_unknown: "ignore", drop: null }] },
      state: {
        steps: [
          { imputer: null, scaler: { kind: "StandardScaler", version: 1, params: {}, state: { mean: 2, var: 4, scale: 2, nSamplesSeen: 3 } }, encoder: null },
          { imputer: null, scaler: null, encoder: { kind: "OneHotEncoder", version: 1, params: { handle_unknown: "ignore", drop: null }, state: { categories: ["a", "b"], dropIndex: null } } },
        ],
      },
    };
    const pipeline = FeaturePipeline.fromJSON(saved);
    expect(pipeline.featureNames).toEqual(["x", "c=a", "c=b"]);
    expect(Array.from(pipeline.transformRecords([{ x: 5, c: "b" }, { x: 0, c: "z" }]).data)).toEqual([1.5, 0, 1, -1, 0, 0]);
    expect(pipeline.standardization()).toEqual({ mean: Float64Array.of(2, 0, 0), scale: Float64Array.of(2, 1, 1) });
    expect(viaJSON(pipeline)).toEqual(saved);
  });
});

describe("FeaturePipeline: ordinal columns and the new options, refused and accepted", () => {
  const columns: Column[] = [
    inferColumn("x", ["1", "", "3", "4"]),
    inferColumn("city", ["Lyon", "Nice", "", "Lyon"]),
  ];
  const fitError = (features: FeatureSpec[], rows?: Int32Array): InvalidInputError => {
    try {
      new FeaturePipeline({ features }).fit(columns, rows);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      return error as InvalidInputError;
    }
    throw new Error("expected fit to throw");
  };

  it.each([
    [[{ name: "x", type: "NUMBER", impute: { strategy: "mean" }, scale: "maxabs" }], "features[0].scale"],
    [[{ name: "city", type: "CATEGORY", scale: "minmax" }], "features[0].scale"],
    [[{ name: "city", type: "CATEGORY", encode: "ordinal", impute: { strategy: "most_frequent" }, scale: "log" }], "features[0].scale"],
    [[{ name: "city", type: "CATEGORY", encode: "target" }], "features[0].encode"],
    [[{ name: "city", type: "CATEGORY", encode: "ordinal", impute: { strategy: "most_frequent" }, drop: "first" }], "features[0].drop"],
    [[{ name: "city", type: "CATEGORY", drop: "last" }], "features[0].drop"],
    [[{ name: "city", type: "CATEGORY", handle_unknown: "use_encoded_value" }], "features[0].handle_unknown"],
    [[{ name: "x", type: "NUMBER", encode: "ordinal" }], "features[0].encode"],
    [[{ name: "x", type: "NUMBER", impute: "median" }], "features[0].impute"],
    [[{ name: "x", type: "NUMBER", impute: { strategy: "mode" } }], "features[0].impute.strategy"],
    [[{ name: "city", type: "CATEGORY", impute: { strategy: "median" } }], "features[0].impute.strategy"],
    [[{ name: "x", type: "NUMBER", impute: { strategy: "mean" } }, { name: "city", type: "CATEGORY", encode: "ordinal" }], "city"],
  ] as [FeatureSpec[], string][])("refuses %j naming %s", (features, field) => {
    expect(fitError(features).details.field).toBe(field);
  });

  it("refuses a missing ordinal value without imputer at fit, at transform and at prediction, naming row and field", () => {
    const specs: FeatureSpec[] = [{ name: "city", type: "CATEGORY", encode: "ordinal" }];
    expect(fitError(specs).message).toMatch(/"city" has 1 missing value in the training rows; set an impute strategy for it \(most_frequent or constant\)/);
    const pipeline = new FeaturePipeline({ features: specs }).fit(columns, Int32Array.of(0, 1, 3));
    expect(() => pipeline.transform(columns)).toThrow(expect.objectContaining({ details: { row: 2, field: "city" } }));
    expect(() => pipeline.transformRecords([{ city: "Nice" }, { city: null }])).toThrow(expect.objectContaining({ details: { row: 1, field: "city" } }));
    expect(() => pipeline.transformRecords([{ city: " " }])).toThrow(expect.objectContaining({ details: { row: 0, field: "city" } }));
    expect(() => pipeline.transformRecords([{ city: "Paris" }])).toThrow(expect.objectContaining({ details: { row: 0, field: "city", value: "Paris" } }));
    expect(() => pipeline.transformRecords([{ city: 3 }])).toThrow(/expects a string/);
    expect(Array.from(pipeline.transformRecords([{ city: "Nice" }, { city: "Lyon" }]).data)).toEqual([1, 0]);
  });

  it("imputes, encodes and scales an ordinal column, and encodes unseen categories as −1 under 'ignore'", () => {
    const specs: FeatureSpec[] = [{ name: "city", type: "CATEGORY", encode: "ordinal", impute: { strategy: "constant", fill_value: "Aix" }, handle_unknown: "ignore", scale: "minmax" }];
    const pipeline = new FeaturePipeline({ features: specs }).fit(columns);
    // categories Aix, Lyon, Nice → 0, 1, 2; minmax divides by 2.
    expect(Array.from(pipeline.transform(columns).data)).toEqual([0.5, 1, 0, 0.5]);
    expect(Array.from(pipeline.transformRecords([{ city: null }, { city: "Paris" }, { city: "Nice" }]).data)).toEqual([0, -0.5, 1]);
    expect(pipeline.featureNames).toEqual(["city"]);
    expect(pipeline.standardization()).toEqual({ mean: Float64Array.of(0), scale: Float64Array.of(2) });
  });
});

describe("fitting.featureSpecs: the user's per-column choices", () => {
  const x = inferColumn("x", ["1", "", "3", "4", "8", "2"]);
  const c = inferColumn("c", ["a", "b", "", "a", "c", "b"]);
  const y = inferColumn("y", ["1", "2", "3", "4", "5", "6.5"]);
  const specs = (choices: Record<string, unknown>, algorithm: "RIDGE" | "LINEAR_REGRESSION" = "RIDGE") =>
    featureSpecs(algorithm, [x, c], choices as Record<string, ColumnPreprocessing>);
  const refusal = (choices: Record<string, unknown>): string => {
    try {
      specs(choices);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      return (error as InvalidInputError).details.field as string;
    }
    throw new Error("expected featureSpecs to throw");
  };

  it("accepts impute as a strategy name, an object, or 'error' (no imputation)", () => {
    expect(specs({ x: { impute: "median" }, c: { impute: "most_frequent" } }).map((s) => s.impute)).toEqual([{ strategy: "median" }, { strategy: "most_frequent" }]);
    expect(specs({ x: { impute: { strategy: "constant", fill_value: -1 } } })[0].impute).toEqual({ strategy: "constant", fill_value: -1 });
    expect(specs({ x: { impute: "error" }, c: { impute: { strategy: "error" } } }).map((s) => "impute" in s)).toEqual([false, false]);
    expect(imputerParams("x", "constant")).toEqual({ strategy: "constant" });
    expect(imputerParams("x", null)).toBeUndefined();
  });

  it("accepts encode and the new scalers, with defaults by algorithm", () => {
    const [numeric, category] = specs({ x: { scale: "robust", impute: "mean" }, c: { encode: "ordinal" } });
    expect(numeric).toEqual({ name: "x", type: "NUMBER", scale: "robust", impute: { strategy: "mean" } });
    expect(category).toEqual({ name: "c", type: "CATEGORY", encode: "ordinal", handle_unknown: "ignore", scale: "standard" });
    expect(specs({ c: { encode: "ordinal", scale: "minmax", handle_unknown: "error" } }, "LINEAR_REGRESSION")[1]).toEqual({ name: "c", type: "CATEGORY", encode: "ordinal", handle_unknown: "error", scale: "minmax" });
    expect(specs({}, "LINEAR_REGRESSION")[1]).toEqual({ name: "c", type: "CATEGORY", encode: "one_hot", handle_unknown: "ignore", drop: "first" });
    expect(specs({ c: { encode: "one_hot" } })[1]).toMatchObject({ encode: "one_hot", drop: null });
  });

  it.each([
    [{ x: { impute: "mode" } }, "preprocessing.x.impute"],
    [{ x: { impute: 3 } }, "preprocessing.x.impute"],
    [{ x: { impute: { strategy: "avg" } } }, "preprocessing.x.impute.strategy"],
    [{ x: { impute: { strategy: "mean", fill: 0 } } }, "preprocessing.x.impute.fill"],
    [{ x: { impute: { strategy: "error", fill_value: 0 } } }, "preprocessing.x.impute.fill_value"],
    [{ x: { drop: "first" } }, "preprocessing.x.drop"],
  ])("refuses %j naming %s", (choices, field) => {
    expect(refusal(choices)).toBe(field);
  });

  it("leaves out rows missing a column whose impute is 'error', and marks it required", () => {
    const fit = (preprocessing: Record<string, ColumnPreprocessing>) =>
      fitModel({ algorithm: "RIDGE", hyperparameters: {}, target: y, features: [x, c], testFraction: 0, seed: 0, preprocessing });
    const strict = fit({ x: { impute: "error" }, c: { impute: "most_frequent", encode: "ordinal" } });
    expect(strict.summary.trainingRows).toBe(5);
    expect(strict.summary.signature.map((s) => s.required)).toEqual([true, false]);
    expect(strict.summary.coefficients!.map((k) => k.feature)).toEqual(["x", "c"]);
    const imputed = fit({ x: { impute: "median" }, c: { impute: { strategy: "constant", fill_value: "none" } } });
    expect(imputed.summary.trainingRows).toBe(6);
    expect(imputed.summary.signature.map((s) => s.required)).toEqual([false, false]);
    expect(() => fit({ c: { encode: "ordinal", scale: "log" as never } })).toThrow(expect.objectContaining({ details: { field: "preprocessing.c.scale" } }));
    expect(() => fit({ c: { encode: "ordinal", drop: "first" } as never })).toThrow(expect.objectContaining({ details: { field: "preprocessing.c.drop" } }));
  });
});
