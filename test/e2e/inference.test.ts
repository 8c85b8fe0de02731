/**
 * Inference statistics and prediction intervals through the API, against statsmodels' OLS on
 * the same treatment-coded design (test/fixtures/gen_pipeline.py), and multiclass models
 * (multinomial logistic regression, one-vs-rest LinearSVC) against scikit-learn.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import houses from "../fixtures/pipeline/houses.json" with { type: "json" };
import { openTestDatabase } from "../support/database.ts";
import { startTestServer, type TestServer } from "../support/http.ts";
import { expectAllClose, expectClose } from "../support/close.ts";
import type { Database } from "../../src/data/database.ts";

let database: Database;
let server: TestServer;
let datasetId: string;
const RTOL = 1e-6;

const records = (() => {
  const [header, ...lines] = houses.csv.trim().split("\n");
  const names = header.split(",");
  return lines.map((line) => {
    const cells = line.split(",");
    return Object.fromEntries(names.map((n, j) => [n, n === "city" || n === "expensive" ? cells[j] : n === "garage" ? cells[j] === "true" : Number(cells[j])]));
  });
})();

beforeAll(async () => {
  database = await openTestDatabase();
  server = await startTestServer(database);
  datasetId = (await server.gql(`mutation($csv: String!) { createDataset(input: { name: "houses", csv: $csv }) { id } }`, { csv: houses.csv })).data.createDataset.id;
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

const train = (input: Record<string, unknown>, selection: string) =>
  server.gql(`mutation($input: TrainModelInput!) { trainModel(wait: true, input: $input) { id ${selection} } }`, { input: { datasetId, name: "inference", testFraction: 0, ...input } });

describe("OLS inference statistics match statsmodels", () => {
  const ref = houses.inference;
  let modelId: string;

  it("reports each coefficient's standard error, t, p and interval at the requested level", async () => {
    const { data, errors } = await train(
      { algorithm: "LINEAR_REGRESSION", target: "price", features: houses.features },
      `at95: coefficients { feature value stdError tValue pValue ciLow ciHigh }
       at90: coefficients(level: 0.9) { ciLow ciHigh }
       inference { distribution dfResidual observations fStatistic fPValue logLikelihood aic bic rSquared adjustedRSquared conditionNumber warnings
                   intercept { feature value stdError tValue pValue ciLow ciHigh } }`,
    );
    expect(errors).toBeUndefined();
    const model = data.trainModel;
    modelId = model.id;
    const rows = model.at95;
    expectAllClose(rows.map((c: any) => c.stdError), ref.stdError, RTOL, 0, "stdError");
    expectAllClose(rows.map((c: any) => c.tValue), ref.tValue, RTOL, 0, "tValue");
    // p-values underflow towards 0 for strong effects: compare them absolutely as well.
    expectAllClose(rows.map((c: any) => c.pValue), ref.pValue, RTOL, 1e-12, "pValue");
    expectAllClose(rows.map((c: any) => c.ciLow), ref.ci95.map((ci) => ci[0]), RTOL, 0, "ciLow 95%");
    expectAllClose(rows.map((c: any) => c.ciHigh), ref.ci95.map((ci) => ci[1]), RTOL, 0, "ciHigh 95%");
    expectAllClose(model.at90.map((c: any) => c.ciLow), ref.ci90.map((ci) => ci[0]), RTOL, 0, "ciLow 90%");
    expectAllClose(model.at90.map((c: any) => c.ciHigh), ref.ci90.map((ci) => ci[1]), RTOL, 0, "ciHigh 90%");

    const inf = model.inference;
    expect(inf.distribution).toBe("T");
    expect(inf.dfResidual).toBe(ref.dfResidual);
    expect(inf.observations).toBe(records.length);
    for (const key of ["fStatistic", "logLikelihood", "aic", "bic", "rSquared", "adjustedRSquared", "conditionNumber"] as const) {
      expectClose(inf[key], ref[key], RTOL, 0, key);
    }
    expectClose(inf.fPValue, ref.fPValue, RTOL, 1e-300, "fPValue");
    expect(inf.intercept.feature).toBe("(intercept)");
    expectClose(inf.intercept.stdError, ref.intercept.stdError, RTOL, 0, "intercept stdError");
    expectClose(inf.intercept.tValue, ref.intercept.tValue, RTOL, 0, "intercept tValue");
    expectClose(inf.intercept.ciLow, ref.intercept.ci95[0], RTOL, 0, "intercept ciLow");
    expectClose(inf.intercept.ciHigh, ref.intercept.ci95[1], RTOL, 0, "intercept ciHigh");
  });

  it("gives prediction intervals as statsmodels' obs_ci, at each requested level, only when selected", async () => {
    const { data, errors } = await server.gql(
      `mutation($id: ID!, $inputs: [JSON!]!) { predict(modelId: $id, inputs: $inputs) { output at95: interval { low high level } at80: interval(level: 0.8) { low high } } }`,
      { id: modelId, inputs: records.slice(0, 5) },
    );
    expect(errors).toBeUndefined();
    data.predict.forEach((p: any, i: number) => {
      expect(p.at95.level).toBe(0.95);
      expectClose(p.at95.low, ref.interval95[i][0], 1e-8, 0, `low95[${i}]`);
      expectClose(p.at95.high, ref.interval95[i][1], 1e-8, 0, `high95[${i}]`);
      expectClose(p.at80.low, ref.interval80[i][0], 1e-8, 0, `low80[${i}]`);
      expectClose(p.at80.high, ref.interval80[i][1], 1e-8, 0, `high80[${i}]`);
      expect(p.at95.low).toBeLessThan(p.output);
      expect(p.at95.high).toBeGreaterThan(p.output);
    });
  });

  it("refuses a level outside (0, 1) with BAD_USER_INPUT naming it", async () => {
    for (const level of [0, 1, 1.5, -0.1]) {
      const { errors } = await server.gql(`query($id: ID!, $level: Float) { model(id: $id) { coefficients(level: $level) { ciLow } } }`, { id: modelId, level });
      expect(errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      expect(errors?.[0]?.extensions?.field).toBe("level");
    }
  });

  it("has no statistics for penalized models: the columns are null, intervals too", async () => {
    const { data, errors } = await train(
      { algorithm: "RIDGE", target: "price", features: houses.features, name: "ridge-inference" },
      `coefficients { value stdError tValue pValue ciLow ciHigh } inference { aic }`,
    );
    expect(errors).toBeUndefined();
    expect(data.trainModel.inference).toBeNull();
    for (const c of data.trainModel.coefficients) {
      expect(c.value).toEqual(expect.any(Number));
      expect([c.stdError, c.tValue, c.pValue, c.ciLow, c.ciHigh]).toEqual([null, null, null, null, null]);
    }
    const predicted = await server.gql(`mutation($id: ID!, $inputs: [JSON!]!) { predict(modelId: $id, inputs: $inputs) { interval { low } } }`, {
      id: data.trainModel.id,
      inputs: records.slice(0, 1),
    });
    expect(predicted.data.predict[0].interval).toBeNull();
  });
});

describe("feature importance", () => {
  const std = (xs: number[]) => {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length);
  };

  it("is the standardized coefficient magnitude per raw column for linear models, largest first", async () => {
    const { data, errors } = await train(
      { algorithm: "LINEAR_REGRESSION", target: "price", features: houses.features, name: "importance" },
      `coefficients { feature value } featureImportance { feature importance std method }`,
    );
    expect(errors).toBeUndefined();
    const coef = Object.fromEntries(data.trainModel.coefficients.map((c: any) => [c.feature, c.value]));
    const column = (name: string) => records.map((r) => (typeof r[name] === "boolean" ? Number(r[name]) : (r[name] as number)));
    const dummy = (city: string) => records.map((r) => (r.city === city ? 1 : 0));
    const expected: Record<string, number> = {
      sqft: Math.abs(coef.sqft) * std(column("sqft")),
      age: Math.abs(coef.age) * std(column("age")),
      garage: Math.abs(coef.garage) * std(column("garage")),
      city: Math.abs(coef["city=Nice"]) * std(dummy("Nice")) + Math.abs(coef["city=Paris"]) * std(dummy("Paris")),
    };
    const importance = data.trainModel.featureImportance;
    expect(importance.map((f: any) => f.feature).sort()).toEqual(Object.keys(expected).sort());
    for (const f of importance) {
      expect(f.method).toBe("COEFFICIENT");
      expect(f.std).toBeNull();
      expectClose(f.importance, expected[f.feature], 1e-9, 0, f.feature);
    }
    const values = importance.map((f: any) => f.importance);
    expect(values).toEqual([...values].sort((a, b) => b - a));
    expect(importance[0].feature).toBe("sqft");
  });
});

describe("kernel SVMs match scikit-learn's SVC and are explained by sampling Shapley values", () => {
  for (const c of houses.svm) {
    it(`${c.hyperparameters.kernel} on ${c.classes.length} classes`, async () => {
      const { data, errors } = await train(
        { algorithm: "SVM", target: c.target, features: c.features, hyperparameters: c.hyperparameters, name: `svm-${c.target}` },
        `status classes coefficients { value } featureImportance { feature importance std method }`,
      );
      expect(errors).toBeUndefined();
      const model = data.trainModel;
      expect(model.classes).toEqual(c.classes);
      expect(model.coefficients).toBeNull();
      expect(model.featureImportance.map((f: any) => f.method)).toEqual(c.features.map(() => "PERMUTATION"));
      expect(model.featureImportance.map((f: any) => f.feature).sort()).toEqual([...c.features].sort());

      const predicted = (
        await server.gql(
          `mutation($id: ID!, $inputs: [JSON!]!) { predict(modelId: $id, inputs: $inputs) { output label explanation { baseValue method samples contributions { feature contribution standardError } } } }`,
          { id: model.id, inputs: records.slice(0, 20) },
        )
      ).data.predict;
      predicted.forEach((p: any, i: number) => {
        expect(p.label).toBe(c.labels[i]);
        const expected = c.classes.length === 2 ? (c.decision as number[])[i] : (c.decision as number[][])[i][c.classes.indexOf(p.label)];
        expectClose(p.output, expected, 1e-4, 1e-4, `decision[${i}]`);
        const e = p.explanation;
        expect(e.method).toBe("SAMPLING_SHAPLEY");
        expect(e.samples).toBeGreaterThan(0);
        expect(e.contributions.map((x: any) => x.feature).sort()).toEqual([...c.features].sort());
        // Efficiency holds exactly for every sample: base value + contributions = output.
        const total = e.baseValue + e.contributions.reduce((a: number, x: any) => a + x.contribution, 0);
        expectClose(total, p.output, 0, 1e-9 * Math.max(1, Math.abs(p.output)), `efficiency[${i}]`);
        for (const x of e.contributions) expect(x.standardError).toBeGreaterThanOrEqual(0);
      });
      // Reproducible: the same input gets the same explanation.
      const again = (await server.gql(`mutation($id: ID!, $inputs: [JSON!]!) { predict(modelId: $id, inputs: $inputs) { explanation { contributions { contribution } } } }`, { id: model.id, inputs: records.slice(0, 1) })).data.predict[0];
      expect(again.explanation.contributions.map((x: any) => x.contribution)).toEqual(predicted[0].explanation.contributions.map((x: any) => x.contribution));
    });
  }
});

describe("logistic regression without penalty: Wald z tests as statsmodels' Logit", () => {
  it("reports raw-unit coefficients with standard errors, z, p and the likelihood-ratio test", async () => {
    const ref = houses.logitInference;
    const { data, errors } = await train(
      { algorithm: "LOGISTIC_REGRESSION", target: "expensive", features: houses.features, hyperparameters: { penalty: "none", tol: 1e-10, max_iter: 10000 }, name: "logit" },
      `coefficients { feature value stdError tValue pValue ciLow ciHigh } intercept
       warnings inference { distribution dfResidual logLikelihood aic bic pseudoRSquared likelihoodRatio likelihoodRatioPValue intercept { stdError } }`,
    );
    expect(errors).toBeUndefined();
    const model = data.trainModel;
    expect(model.warnings).toEqual([]);
    expect(model.coefficients.map((c: any) => c.feature)).toEqual(["sqft", "age", "garage", "city=Nice", "city=Paris"]);
    // The fit itself stops at tol, so the estimates agree to the solver's precision; the
    // statistics at those estimates then agree with statsmodels' to 1e-6.
    expectAllClose(model.coefficients.map((c: any) => c.value), ref.coefficients, 1e-6, 0, "coefficients");
    expectAllClose(model.coefficients.map((c: any) => c.stdError), ref.stdError, RTOL, 0, "stdError");
    expectAllClose(model.coefficients.map((c: any) => c.tValue), ref.zValue, RTOL, 0, "z");
    for (const c of model.coefficients) {
      // Wald interval from the normal quantile 1.959963984540054
      expectClose(c.ciHigh - c.value, 1.959963984540054 * c.stdError, 1e-12, 0, "ci half-width");
    }
    const inf = model.inference;
    expect(inf.distribution).toBe("Z");
    expect(inf.dfResidual).toBeNull();
    for (const key of ["logLikelihood", "aic", "bic", "pseudoRSquared", "likelihoodRatio"] as const) expectClose(inf[key], ref[key], RTOL, 0, key);
    expectClose(inf.likelihoodRatioPValue, ref.likelihoodRatioPValue, 1e-5, 0, "likelihoodRatioPValue");
    expectClose(inf.intercept.stdError, ref.interceptStdError, RTOL, 0, "intercept stdError");
  });
});

describe("multiclass models match scikit-learn", () => {
  for (const c of houses.multiclass) {
    it(`${c.algorithm} on three classes: per-class coefficients, labels, decision values${c.probabilities ? ", probabilities" : ""}`, async () => {
      const { data, errors } = await train(
        { algorithm: c.algorithm, target: c.target, features: c.features, hyperparameters: c.hyperparameters, name: `mc-${c.algorithm}` },
        `status classes coefficients { class feature value } intercepts metrics { accuracy }`,
      );
      expect(errors).toBeUndefined();
      const model = data.trainModel;
      expect(model.classes).toEqual(c.classes);
      expect(model.coefficients.map((k: any) => `${k.class}/${k.feature}`)).toEqual(c.coefficients.map((k) => `${k.class}/${k.feature}`));
      const scale = Math.max(...c.coefficients.map((k) => Math.abs(k.value)));
      expectAllClose(model.coefficients.map((k: any) => k.value), c.coefficients.map((k) => k.value), 1e-3, 1e-4 * scale, "coefficients");
      expectAllClose(model.intercepts, c.intercepts, 1e-3, 1e-4, "intercepts");
      expectClose(model.metrics.accuracy, c.metrics.accuracy, 1e-9, 0, "accuracy");

      const predicted = (
        await server.gql(`mutation($id: ID!, $inputs: [JSON!]!) { predict(modelId: $id, inputs: $inputs) { output label probabilities { label probability } } }`, {
          id: model.id,
          inputs: records,
        })
      ).data.predict;
      expect(predicted.map((p: any) => p.label)).toEqual(c.labels);
      // The reported output is the predicted class's decision value.
      predicted.forEach((p: any, i: number) => expectClose(p.output, c.decision[i][c.classes.indexOf(p.label)], 1e-3, 1e-4, `decision[${i}]`));
      if (c.probabilities) {
        predicted.forEach((p: any, i: number) => {
          expect(p.probabilities.map((q: any) => q.label)).toEqual(c.classes);
          expectAllClose(p.probabilities.map((q: any) => q.probability), c.probabilities![i], 1e-4, 1e-6, `P[${i}]`);
        });
      } else {
        expect(predicted[0].probabilities).toBeNull();
      }
    });
  }

  it("takes class_weight by class label and refuses a label the target does not have", async () => {
    const base = { algorithm: "LOGISTIC_REGRESSION", target: "city", features: ["sqft", "age", "price"], name: "weighted" };
    const weighted = await train({ ...base, hyperparameters: { class_weight: { Nice: 5 } } }, `status`);
    expect(weighted.errors).toBeUndefined();
    expect(weighted.data.trainModel.status).toBe("READY");
    const balanced = await train({ ...base, hyperparameters: { class_weight: "balanced" } }, `status`);
    expect(balanced.errors).toBeUndefined();
    const unknown = await train({ ...base, hyperparameters: { class_weight: { Marseille: 2 } } }, `status`);
    expect(unknown.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(unknown.errors?.[0]?.extensions?.field).toBe("hyperparameters.class_weight.Marseille");
    const malformed = await train({ ...base, hyperparameters: { class_weight: { Nice: -1 } } }, `status`);
    expect(malformed.errors?.[0]?.extensions?.field).toBe("hyperparameters.class_weight");
  });
});
