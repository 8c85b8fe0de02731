/**
 * The NIST StRD linear regression suite through the API, as a user would run it: a CSV whose
 * columns are the powers of x (polynomial cases) or the raw columns, then
 * `trainModel(input: { algorithm: LINEAR_REGRESSION, target, testFraction: 0 })`, reading
 * `intercept`, `coefficients { value stdError }` and `inference { rSquared }`. The powers are
 * written as the shortest decimal of the correctly rounded exact power, so the CSV's
 * correctly rounded parsing gives the server the same doubles the core test fits.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../support/database.ts";
import { startTestServer, type TestServer } from "../support/http.ts";
import type { Database } from "../../src/data/database.ts";
import { digits, loadNist, NIST_CASES, worst, type NistCase } from "../support/nist.ts";

let database: Database;
let server: TestServer;

const TRAIN = `mutation($input: TrainModelInput!) {
  trainModel(wait: true, input: $input) {
    status error warnings intercept
    coefficients { feature value stdError }
    inference { rSquared conditionNumber warnings intercept { stdError } }
  }
}`;

beforeAll(async () => {
  database = await openTestDatabase();
  server = await startTestServer(database);
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

interface Row {
  name: NistCase;
  coefficients: number;
  stdErrors: number;
  rSquared: number;
  warnings: string[];
}

async function throughApi(name: NistCase): Promise<Row> {
  const data = loadNist(name);
  const header = ["y", ...data.columns].join(",");
  const lines = data.design.map((row, i) => [data.y[i], ...row.map((v) => String(Number(v)))].join(","));
  const created = await server.gql(`mutation($csv: String!, $name: String!) { createDataset(input: { name: $name, csv: $csv }) { id } }`, { csv: [header, ...lines].join("\n"), name: `nist-${name}` });
  expect(created.errors).toBeUndefined();
  const input = {
    datasetId: created.data.createDataset.id,
    name: `nist-${name}`,
    algorithm: "LINEAR_REGRESSION",
    target: "y",
    features: data.columns,
    testFraction: 0,
    ...(data.intercept ? {} : { hyperparameters: { fit_intercept: false } }),
  };
  const { data: trained, errors } = await server.gql(TRAIN, { input });
  expect(errors).toBeUndefined();
  const model = trained.trainModel;
  expect(model.status, model.error ?? "").toBe("READY");
  expect(model.coefficients.map((c: any) => c.feature)).toEqual(data.columns);
  const estimates: number[] = [...(data.intercept ? [model.intercept] : []), ...model.coefficients.map((c: any) => c.value)];
  const ses: (number | null)[] = [...(data.intercept ? [model.inference.intercept.stdError] : []), ...model.coefficients.map((c: any) => c.stdError)];
  return {
    name,
    coefficients: worst(estimates.map((v, j) => digits(v, data.estimates[j]))),
    stdErrors: worst(ses.map((v, j) => digits(v, data.stdDevs[j]))),
    rSquared: digits(model.inference.rSquared, data.rSquared),
    warnings: model.warnings,
  };
}

describe("NIST StRD linear regression through trainModel", () => {
  const rows: Row[] = [];
  beforeAll(async () => {
    for (const name of NIST_CASES) rows.push(await throughApi(name));
    const f = (v: number) => v.toFixed(1).padStart(6);
    console.log(["case        coef    SE    R2", ...rows.map((r) => `${r.name.padEnd(9)}${f(r.coefficients)}${f(r.stdErrors)}${f(r.rSquared)}`)].join("\n"));
  }, 120_000);

  it.each(NIST_CASES.map((name) => [name]))("%s: READY, coefficients, standard errors and R² at the targets", (name) => {
    const row = rows.find((r) => r.name === name)!;
    expect(row.coefficients).toBeGreaterThanOrEqual(name === "Filip" ? 7 : 9);
    expect(row.stdErrors).toBeGreaterThanOrEqual(6);
    expect(row.rSquared).toBeGreaterThanOrEqual(6);
  });

  it("Filip: full rank, and Model.warnings says how it was solved and how many digits to trust", () => {
    const filip = rows.find((r) => r.name === "Filip")!;
    const text = filip.warnings.join(" ");
    expect(text).not.toMatch(/rank-deficient/);
    expect(text).toMatch(/ill-conditioned \(condition number [\d.]+e\+\d+ after centring and scaling its columns\): solved by Householder QR with iterative refinement.*trust about \d digits/);
  });

  it("a duplicated column is still rank-deficient, with today's warning", async () => {
    const csv = ["y,a,b,c", ...Array.from({ length: 12 }, (_, i) => `${(i * 7) % 5 + i},${i},${(i * i) % 7},${i}`)].join("\n");
    const created = await server.gql(`mutation($csv: String!) { createDataset(input: { name: "dup", csv: $csv }) { id } }`, { csv });
    const { data } = await server.gql(TRAIN, { input: { datasetId: created.data.createDataset.id, name: "dup", algorithm: "LINEAR_REGRESSION", target: "y", features: ["a", "b", "c"], testFraction: 0 } });
    expect(data.trainModel.status).toBe("READY");
    expect(data.trainModel.warnings.join(" ")).toMatch(/rank-deficient \(rank 2 of 3 columns/);
  });
});
