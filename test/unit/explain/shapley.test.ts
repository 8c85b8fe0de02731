/**
 * Sampling Shapley values against exact values. The reference is computed here independently
 * of src/core/explain/shapley.ts: the mean marginal contribution over all G! orderings, with
 * v(S) evaluated row by row (one model call per synthetic row). Checks: linear models give
 * w_j(x_j − mean_j) exactly from any ordering; efficiency (baseValue + Σφ = f(x)) to 1e-9 for
 * every sample; convergence to the exact values within 4 reported standard errors; antithetic
 * pairs exact for pairwise-interaction models; seeds; groups; one batched call per ordering.
 */
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../../src/core/errors.ts";
import { exactShapleyValues, samplingShapleyValues, type BatchPredictor } from "../../../src/core/explain/shapley.ts";
import { matrix, type Matrix } from "../../../src/core/matrix.ts";
import { createRandom } from "../../../src/core/random.ts";
import { expectAllClose } from "../../support/close.ts";

/** n × p standard normal values (Box–Muller on the core's seeded generator). */
function normalMatrix(n: number, p: number, seed: number): Matrix {
  const random = createRandom(seed);
  const out = matrix(n, p);
  for (let i = 0; i < out.data.length; i++) {
    const u = 1 - random.float();
    out.data[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.float());
  }
  return out;
}

/** A row-wise function as a batch predictor. */
function rowwise(g: (row: Float64Array) => number): BatchPredictor {
  return (X) => {
    const out = new Float64Array(X.rows);
    for (let i = 0; i < X.rows; i++) out[i] = g(X.data.subarray(i * X.cols, (i + 1) * X.cols));
    return out;
  };
}

/** Exact Shapley values by all G! orderings, v(S) row by row (independent of the module). */
function bruteForce(g: (row: Float64Array) => number, x: ArrayLike<number>, background: Matrix, groups: number[][]): Float64Array {
  const { rows: B, cols: p } = background;
  const G = groups.length;
  const v = (inS: boolean[]): number => {
    let sum = 0;
    const row = new Float64Array(p);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < p; j++) row[j] = background.data[b * p + j];
      groups.forEach((cols, k) => {
        if (inS[k]) for (const j of cols) row[j] = x[j];
      });
      sum += g(row);
    }
    return sum / B;
  };
  const phi = new Float64Array(G);
  let count = 0;
  const orders: number[][] = [];
  const permute = (prefix: number[], rest: number[]) => {
    if (rest.length === 0) orders.push(prefix);
    rest.forEach((k, i) => permute([...prefix, k], [...rest.slice(0, i), ...rest.slice(i + 1)]));
  };
  permute([], Array.from({ length: G }, (_, k) => k));
  for (const order of orders) {
    const inS = new Array<boolean>(G).fill(false);
    let previous = v(inS);
    for (const k of order) {
      inS[k] = true;
      const current = v(inS);
      phi[k] += current - previous;
      previous = current;
    }
    count++;
  }
  return phi.map((s) => s / count);
}

const singletons = (p: number) => Array.from({ length: p }, (_, j) => [j]);

// Four features with interactions of order up to three: no ordering scheme is exact here.
const nonlinear = (r: Float64Array) => Math.sin(r[0]) * r[1] + r[2] * r[2] * r[3] + r[0] * r[1] * r[2] + Math.exp(0.3 * r[3]);
const background = normalMatrix(30, 4, 11);
const x = Float64Array.of(1.2, -0.7, 0.9, 1.6);

describe("sampling Shapley values", () => {
  it("gives w_j (x_j − mean_j) for a linear model, from every ordering", () => {
    const w = [2, -1.5, 0.25, 4];
    const f = rowwise((r) => 3 + w[0] * r[0] + w[1] * r[1] + w[2] * r[2] + w[3] * r[3]);
    const r = samplingShapleyValues(f, x, background, { nSamples: 3, seed: 5 });
    const means = w.map((_, j) => Array.from({ length: background.rows }, (_, i) => background.data[i * 4 + j]).reduce((a, b) => a + b) / background.rows);
    expectAllClose(r.contributions, w.map((wj, j) => wj * (x[j] - means[j])), 1e-12, 1e-13, "linear contributions");
    for (const se of r.standardError) expect(se).toBeLessThan(1e-13);
  });

  it("is efficient for every sample: baseValue + Σ contributions = f(x) to 1e-9", () => {
    const f = rowwise(nonlinear);
    let worst = 0;
    for (const nSamples of [1, 2, 7, 50]) {
      for (const antithetic of [false, true]) {
        const r = samplingShapleyValues(f, x, background, { nSamples, seed: nSamples, antithetic });
        const total = r.baseValue + r.contributions.reduce((a, b) => a + b, 0);
        worst = Math.max(worst, Math.abs(total - r.prediction));
        expect(r.prediction).toBe(nonlinear(x));
      }
    }
    // eslint-disable-next-line no-console
    console.log(`worst |baseValue + Σφ − f(x)| = ${worst.toExponential(2)} (f(x) = ${nonlinear(x).toFixed(3)})`);
    expect(worst).toBeLessThan(1e-9);
  });

  it("converges to the exact values within 4 reported standard errors", () => {
    const f = rowwise(nonlinear);
    const exact = bruteForce(nonlinear, x, background, singletons(4));
    expectAllClose(exactShapleyValues(f, x, background).contributions, exact, 1e-12, 1e-12, "exact by enumeration");
    for (const antithetic of [false, true]) {
      const r = samplingShapleyValues(f, x, background, { nSamples: 200, seed: 3, antithetic });
      const z = Array.from(r.contributions, (v, g) => Math.abs(v - exact[g]) / r.standardError[g]);
      // eslint-disable-next-line no-console
      console.log(`antithetic=${antithetic}: |φ̂ − φ|/SE =`, z.map((v) => Number(v.toFixed(2))), "SE =", Array.from(r.standardError, (v) => Number(v.toExponential(2))));
      for (let g = 0; g < 4; g++) expect(Math.abs(r.contributions[g] - exact[g])).toBeLessThanOrEqual(4 * r.standardError[g] + 1e-12);
      expect(r.nPermutations).toBe(200);
      // Four times the orderings halve the standard error (Monte Carlo rate). With antithetic
      // pairs x3's credit is exact (SE 0): it interacts with one other feature only (x2²·x3).
      const more = samplingShapleyValues(f, x, background, { nSamples: 800, seed: 4, antithetic });
      for (let g = 0; g < 4; g++) {
        if (antithetic && g === 3) {
          expect(r.standardError[g]).toBeLessThan(1e-13);
          continue;
        }
        const ratio = more.standardError[g] / r.standardError[g];
        expect(ratio).toBeGreaterThan(0.35);
        expect(ratio).toBeLessThan(0.7);
      }
    }
  });

  it("is exact with antithetic pairs for a model with pairwise interactions only", () => {
    const pairwise = (r: Float64Array) => r[0] * r[1] + Math.sin(r[2]) * r[3] + r[1] * r[1] * r[3] + Math.cos(r[0]);
    const exact = bruteForce(pairwise, x, background, singletons(4));
    const r = samplingShapleyValues(rowwise(pairwise), x, background, { nSamples: 6, seed: 1, antithetic: true });
    expectAllClose(r.contributions, exact, 1e-11, 1e-12, "antithetic, pairwise model");
    for (const se of r.standardError) expect(se).toBeLessThan(1e-12);
  });

  it("is reproducible for a seed and varies between seeds", () => {
    const f = rowwise(nonlinear);
    const a = samplingShapleyValues(f, x, background, { nSamples: 20, seed: 42 });
    const b = samplingShapleyValues(f, x, background, { nSamples: 20, seed: 42 });
    const c = samplingShapleyValues(f, x, background, { nSamples: 20, seed: 43 });
    expect(b).toEqual(a);
    expect(Array.from(c.contributions)).not.toEqual(Array.from(a.contributions));
  });

  it("explains groups of columns (a one-hot block) as one feature", () => {
    // Columns: x0, a one-hot category in 1..3, x4.
    const bg = normalMatrix(25, 5, 17);
    for (let i = 0; i < bg.rows; i++) {
      const level = i % 3;
      for (let j = 0; j < 3; j++) bg.data[i * 5 + 1 + j] = j === level ? 1 : 0;
    }
    const row = Float64Array.of(0.4, 0, 0, 1, -1.1);
    const groups = [[0], [1, 2, 3], [4]];
    const g = (r: Float64Array) => r[0] * (1 + 2 * r[2] - r[3]) + Math.tanh(r[4]) * r[1] + 0.5 * r[3];
    const exact = bruteForce(g, row, bg, groups);
    expectAllClose(exactShapleyValues(rowwise(g), row, bg, { groups }).contributions, exact, 1e-12, 1e-12, "exact, grouped");
    const r = samplingShapleyValues(rowwise(g), row, bg, { nSamples: 300, seed: 9, groups });
    expect(r.contributions.length).toBe(3);
    for (let k = 0; k < 3; k++) expect(Math.abs(r.contributions[k] - exact[k])).toBeLessThanOrEqual(4 * r.standardError[k] + 1e-12);
    // Linear in the block: its contribution is the sum of its columns' w_j (x_j − mean_j).
    const w = [1, 2, -3, 0.5, 4];
    const linear = samplingShapleyValues(rowwise((q) => w.reduce((s, wj, j) => s + wj * q[j], 0)), row, bg, { nSamples: 2, groups });
    const colMean = (j: number) => Array.from({ length: bg.rows }, (_, i) => bg.data[i * 5 + j]).reduce((a, b) => a + b) / bg.rows;
    const block = [1, 2, 3].reduce((s, j) => s + w[j] * (row[j] - colMean(j)), 0);
    expectAllClose(linear.contributions, [w[0] * (row[0] - colMean(0)), block, w[4] * (row[4] - colMean(4))], 1e-12, 1e-13, "grouped linear");
  });

  it("makes one batched model call per ordering", () => {
    const calls: number[] = [];
    const f: BatchPredictor = (X) => {
      calls.push(X.rows);
      return rowwise(nonlinear)(X);
    };
    samplingShapleyValues(f, x, background, { nSamples: 10, seed: 2 });
    // f(x), f(background), then one call of (G − 1)·B rows per ordering.
    expect(calls).toEqual([1, 30, ...new Array<number>(10).fill(3 * 30)]);
    calls.length = 0;
    samplingShapleyValues(f, x, background, { nSamples: 5, seed: 2, antithetic: true });
    expect(calls.length).toBe(2 + 6);
  });

  it("rejects bad groups, shapes, sample counts and non-finite outputs", () => {
    const f = rowwise(nonlinear);
    expect(() => samplingShapleyValues(f, x, background, { groups: [[0, 1], [1, 2, 3]] })).toThrow(InvalidInputError);
    expect(() => samplingShapleyValues(f, x, background, { groups: [[0, 1], [2]] })).toThrow(InvalidInputError);
    expect(() => samplingShapleyValues(f, x, background, { groups: [[0, 1], [2, 3], []] })).toThrow(InvalidInputError);
    expect(() => samplingShapleyValues(f, x, background, { groups: [[0, 1], [2, 4]] })).toThrow(InvalidInputError);
    expect(() => samplingShapleyValues(f, x, background, { nSamples: 0 })).toThrow(InvalidInputError);
    expect(() => samplingShapleyValues(f, x.subarray(1), background)).toThrow(RangeError);
    expect(() => samplingShapleyValues(f, x, matrix(0, 4))).toThrow(InvalidInputError);
    expect(() => samplingShapleyValues(rowwise((r) => (r[0] > 1 ? NaN : 1)), x, background)).toThrow(InvalidInputError);
    expect(() => samplingShapleyValues(() => new Float64Array(1), x, background)).toThrow(RangeError);
    expect(() => exactShapleyValues(f, new Float64Array(17), normalMatrix(2, 17, 1))).toThrow(InvalidInputError);
  });
});
