/**
 * Permutation importance. scikit-learn shuffles with numpy's generator, so its values are not
 * reproduced one by one: the means are compared with scikit-learn 1.2's
 * `permutation_importance(..., n_repeats=400)` (test/fixtures/gen_permutation.py) within 4
 * standard errors of the difference of two 400-repeat means, on the same fitted models and
 * scores. Properties: an ignored feature gets exactly 0, the informative feature the largest
 * drop, a seed reproduces its result, groups are shuffled together.
 */
import { describe, expect, it } from "vitest";
import fixtures from "../../fixtures/explain/permutation.json" with { type: "json" };
import { InvalidInputError } from "../../../src/core/errors.ts";
import { permutationImportance, type Scorer } from "../../../src/core/explain/permutation-importance.ts";
import { fromRows, matrix, type Matrix } from "../../../src/core/matrix.ts";
import { accuracyScore } from "../../../src/core/metrics/classification.ts";
import { r2Score } from "../../../src/core/metrics/regression.ts";
import { createRandom } from "../../../src/core/random.ts";
import { expectClose } from "../../support/close.ts";

interface Case {
  name: string;
  scoring: "r2" | "accuracy";
  X: number[][];
  y: number[];
  coef: number[];
  intercept: number;
  baseline: number;
  n_repeats: number;
  importances_mean: number[];
  importances_std: number[];
}

function linear(X: Matrix, coef: ArrayLike<number>, intercept: number): Float64Array {
  const out = new Float64Array(X.rows);
  for (let i = 0; i < X.rows; i++) {
    let s = intercept;
    for (let j = 0; j < X.cols; j++) s += X.data[i * X.cols + j] * coef[j];
    out[i] = s;
  }
  return out;
}

/** The fixture's fitted model and scikit-learn's scoring of it. */
function scorerOf(c: Case): Scorer {
  const y = Float64Array.from(c.y);
  return c.scoring === "r2"
    ? (X) => r2Score(y, linear(X, c.coef, c.intercept))
    : (X) => accuracyScore(y, Float64Array.from(linear(X, c.coef, c.intercept), (z) => (z > 0 ? 1 : 0)));
}

function normalMatrix(n: number, p: number, seed: number): Matrix {
  const random = createRandom(seed);
  const out = matrix(n, p);
  for (let i = 0; i < out.data.length; i++) out.data[i] = Math.sqrt(-2 * Math.log(1 - random.float())) * Math.cos(2 * Math.PI * random.float());
  return out;
}

describe("permutation importance against scikit-learn", () => {
  it.each((fixtures.cases as Case[]).map((c) => [c.name, c] as const))("%s: means within 4 standard errors", (_name, c) => {
    const X = fromRows(c.X);
    const r = permutationImportance(scorerOf(c), X, { nRepeats: c.n_repeats, seed: 0 });
    expectClose(r.baselineScore, c.baseline, 1e-12, 0, "baseline score");
    const z = c.importances_mean.map((m, g) => {
      const se = Math.sqrt((c.importances_std[g] ** 2 + r.importancesStd[g] ** 2) / c.n_repeats);
      return Math.abs(r.importancesMean[g] - m) / se;
    });
    // eslint-disable-next-line no-console
    console.log(`${c.name}: ours`, Array.from(r.importancesMean, (v) => Number(v.toPrecision(4))), "sklearn", c.importances_mean.map((v) => Number(v.toPrecision(4))), "|Δ|/SE", z.map((v) => Number(v.toFixed(2))));
    for (const v of z) expect(v).toBeLessThan(4);
    // The spreads agree too (same distribution of drops): within 20%.
    for (let g = 0; g < c.importances_std.length; g++) expect(Math.abs(r.importancesStd[g] / c.importances_std[g] - 1)).toBeLessThan(0.2);
  });
});

describe("permutation importance properties", () => {
  const X = normalMatrix(200, 4, 3);
  const w = [2, 0.5, 0, -1];
  const y = linear(X, w, 1);
  for (let i = 0; i < y.length; i++) y[i] += 0.3 * Math.sin(7 * i);
  const scorer: Scorer = (Xs) => r2Score(y, linear(Xs, w, 1));

  it("gives an ignored feature exactly 0 and the informative feature the largest drop", () => {
    const r = permutationImportance(scorer, X, { nRepeats: 10, seed: 1 });
    expect(r.importancesMean[2]).toBe(0);
    expect(r.importancesStd[2]).toBe(0);
    expect(Array.from(r.importances.data.subarray(20, 30))).toEqual(new Array<number>(10).fill(0));
    const order = Array.from(r.importancesMean).map((v, j) => [v, j]).sort((a, b) => b[0] - a[0]).map((e) => e[1]);
    expect(order).toEqual([0, 3, 1, 2]);
    expect(r.importances.rows).toBe(4);
    expect(r.importances.cols).toBe(10);
  });

  it("is reproducible for a seed, differs between seeds, and leaves X untouched", () => {
    const before = Float64Array.from(X.data);
    const a = permutationImportance(scorer, X, { nRepeats: 4, seed: 7 });
    const b = permutationImportance(scorer, X, { nRepeats: 4, seed: 7 });
    const c = permutationImportance(scorer, X, { nRepeats: 4, seed: 8 });
    expect(b).toEqual(a);
    expect(Array.from(c.importancesMean)).not.toEqual(Array.from(a.importancesMean));
    expect(X.data).toEqual(before);
  });

  it("uses the same shuffles for every feature (as scikit-learn) and the population std", () => {
    const r = permutationImportance(scorer, X, { nRepeats: 6, seed: 2 });
    const drops = Array.from(r.importances.data.subarray(0, 6));
    const m = drops.reduce((s, v) => s + v, 0) / 6;
    expectClose(r.importancesStd[0], Math.sqrt(drops.reduce((s, v) => s + (v - m) ** 2, 0) / 6), 1e-12);
    // Swapping two columns (and their weights) swaps their importances exactly.
    const swapped = fromRows(Array.from({ length: X.rows }, (_, i) => [X.data[i * 4 + 1], X.data[i * 4], X.data[i * 4 + 2], X.data[i * 4 + 3]]));
    const ws = [w[1], w[0], w[2], w[3]];
    const rs = permutationImportance((Xs) => r2Score(y, linear(Xs, ws, 1)), swapped, { nRepeats: 6, seed: 2 });
    expectClose(rs.importancesMean[0], r.importancesMean[1], 1e-12);
    expectClose(rs.importancesMean[1], r.importancesMean[0], 1e-12);
  });

  it("shuffles a group's columns together (a one-hot block stays one-hot)", () => {
    const rows = Array.from({ length: 60 }, (_, i) => [i / 10, i % 3 === 0 ? 1 : 0, i % 3 === 1 ? 1 : 0, i % 3 === 2 ? 1 : 0]);
    const Xg = fromRows(rows);
    const target = Float64Array.from(rows, (r) => r[0] + 2 * r[1] - r[3]);
    const seen: Matrix[] = [];
    const r = permutationImportance(
      (Xs) => {
        seen.push(matrix(Xs.rows, Xs.cols, Float64Array.from(Xs.data)));
        return r2Score(target, Float64Array.from({ length: Xs.rows }, (_, i) => Xs.data[i * 4] + 2 * Xs.data[i * 4 + 1] - Xs.data[i * 4 + 3]));
      },
      Xg,
      { nRepeats: 3, seed: 0, groups: [[0], [1, 2, 3]] },
    );
    expect(r.importancesMean.length).toBe(2);
    expect(r.importancesMean[1]).toBeGreaterThan(0);
    for (const Xs of seen) {
      for (let i = 0; i < Xs.rows; i++) expect(Xs.data[i * 4 + 1] + Xs.data[i * 4 + 2] + Xs.data[i * 4 + 3]).toBe(1);
    }
  });

  it("rejects bad options and non-finite scores", () => {
    expect(() => permutationImportance(scorer, X, { nRepeats: 0 })).toThrow(InvalidInputError);
    expect(() => permutationImportance(scorer, X, { groups: [[0, 9]] })).toThrow(InvalidInputError);
    expect(() => permutationImportance(() => NaN, X)).toThrow(InvalidInputError);
    expect(() => permutationImportance(scorer, matrix(1, 4))).toThrow(InvalidInputError);
  });
});
