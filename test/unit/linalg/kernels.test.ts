/**
 * The linalg kernels against mathjs's dense algebra on small random matrices, plus the
 * identities that define each factorisation (L Lᵀ = A, RᵀR = AᵀA, U Σ Vᵀ = A, A V = V Λ).
 */
import { describe, expect, it } from "vitest";
import * as math from "mathjs";
import { matrix, type Matrix } from "../../../src/core/matrix.ts";
import { createRandom } from "../../../src/core/random.ts";
import {
  amax,
  axpy,
  choleskyCondition,
  choleskyFactor,
  choleskySolve,
  columnStats,
  dot,
  gram,
  mean,
  nrm2,
  scal,
  streamingQR,
  svdJacobi,
  symmetricEigen,
  xty,
} from "../../../src/core/linalg/kernels.ts";
import { expectRelClose, maxAbs } from "../helpers/close.ts";

function randomMatrix(rows: number, cols: number, seed: number, offset = 0): Matrix {
  const random = createRandom(seed);
  const X = matrix(rows, cols);
  for (let k = 0; k < X.data.length; k++) X.data[k] = random.float() * 2 - 1 + offset;
  return X;
}

const toNested = (X: Matrix): number[][] =>
  Array.from({ length: X.rows }, (_, i) => Array.from(X.data.subarray(i * X.cols, (i + 1) * X.cols)));
const square = (A: Float64Array, p: number): Matrix => matrix(p, p, A);
const flat = (m: math.Matrix | number[][]): number[] => (math.flatten(m as math.Matrix) as math.Matrix).toArray() as number[];

describe("level-1 kernels", () => {
  it("dot, axpy, scal and amax work on offsets into one array", () => {
    const x = Float64Array.of(9, 1, 2, 3, 4, 5);
    const y = Float64Array.of(1, 1, 1, 1, 1);
    expect(dot(5, x, 1, y, 0)).toBe(15);
    axpy(2, 10, x, 1, y, 3);
    expect(Array.from(y)).toEqual([1, 1, 1, 11, 21]);
    scal(2, -1, y, 3);
    expect(amax(y)).toBe(21);
  });

  it("nrm2 neither overflows nor underflows", () => {
    expectRelClose(nrm2(2, Float64Array.of(3e200, 4e200), 0), 5e200, 1e-15);
    expectRelClose(nrm2(2, Float64Array.of(3e-200, 4e-200), 0), 5e-200, 1e-15);
    expect(nrm2(0, new Float64Array(0), 0)).toBe(0);
  });
});

describe("gram / xty", () => {
  // 103 rows: not a multiple of the 4-row block, so the remainder loop runs too.
  const X = randomMatrix(103, 7, 1, 5);
  const y = Float64Array.from({ length: 103 }, (_, i) => Math.sin(i));
  const M = math.matrix(toNested(X));

  it("gram(X) = XᵀX (mathjs), symmetric", () => {
    const G = gram(X);
    const ref = flat(math.multiply(math.transpose(M), M));
    expectRelClose(G, ref, 1e-13, 1e-13 * maxAbs(ref), "G");
    for (let j = 0; j < 7; j++) for (let k = 0; k < 7; k++) expect(G[j * 7 + k]).toBe(G[k * 7 + j]);
  });

  it("gram with a shift = (X − 1μᵀ)ᵀ(X − 1μᵀ), without cancellation from a large offset", () => {
    const big = randomMatrix(103, 3, 2, 1e8);
    const { mean: mu } = columnStats(big);
    const G = gram(big, mu);
    const centred = math.subtract(math.matrix(toNested(big)), math.multiply(math.ones(103, 1), math.matrix([Array.from(mu)]))) as math.Matrix;
    const ref = flat(math.multiply(math.transpose(centred), centred));
    expectRelClose(G, ref, 1e-9, 1e-9 * maxAbs(ref), "centred G");
  });

  it("xty agrees with mathjs", () => {
    const ref = flat(math.multiply(math.transpose(M), math.matrix(Array.from(y))) as math.Matrix);
    expectRelClose(xty(X, y), ref, 1e-13, 1e-13 * maxAbs(ref), "Xᵀy");
  });

  it("columnStats marks constant columns and returns their exact value as the mean", () => {
    const C = matrix(1001, 2);
    for (let i = 0; i < 1001; i++) {
      C.data[2 * i] = 0.1;
      C.data[2 * i + 1] = i;
    }
    const { mean: mu, constant } = columnStats(C);
    expect(Array.from(constant)).toEqual([1, 0]);
    expect(mu[0]).toBe(0.1);
    expect(mu[1]).toBe(500);
    expect(gram(C, mu)[0]).toBe(0);
  });
});

describe("Cholesky", () => {
  const X = randomMatrix(50, 6, 3);
  const A = gram(X);

  it("factors A = L Lᵀ and solves A x = b (mathjs lusolve)", () => {
    const L = Float64Array.from(A);
    expect(choleskyFactor(L, 6)).toBe(true);
    const Lm = math.matrix(toNested(square(L, 6)));
    expectRelClose(flat(math.multiply(Lm, math.transpose(Lm))), A, 1e-13, 1e-13 * maxAbs(A), "L Lᵀ");
    const b = Float64Array.of(1, -2, 3, 0.5, 0, 4);
    const x = choleskySolve(L, 6, Float64Array.from(b));
    const ref = flat(math.lusolve(math.matrix(toNested(square(A, 6))), Array.from(b)) as math.Matrix);
    expectRelClose(x, ref, 1e-11, 1e-11 * maxAbs(ref), "x");
  });

  it("refuses a singular or indefinite matrix instead of producing NaN", () => {
    expect(choleskyFactor(Float64Array.of(1, 2, 2, 4), 2)).toBe(false);
    expect(choleskyFactor(Float64Array.of(1, 3, 3, 1), 2)).toBe(false);
  });

  it("estimates the 2-norm condition number (mathjs eigs)", () => {
    const L = Float64Array.from(A);
    choleskyFactor(L, 6);
    const values = (math.eigs(math.matrix(toNested(square(A, 6)))).values as math.Matrix).toArray() as number[];
    const kappa = Math.max(...values) / Math.min(...values);
    expectRelClose(choleskyCondition(L, 6), kappa, 1e-2, 0, "κ");
  });
});

describe("streaming QR", () => {
  it("R of [X | y] satisfies RᵀR = AᵀA over several row blocks, upper triangular", () => {
    const X = randomMatrix(600, 4, 4);
    const y = Float64Array.from({ length: 600 }, (_, i) => Math.cos(i));
    const R = streamingQR(X, y);
    const A = matrix(600, 5);
    for (let i = 0; i < 600; i++) {
      A.data.set(X.data.subarray(4 * i, 4 * i + 4), 5 * i);
      A.data[5 * i + 4] = y[i];
    }
    const G = gram(A);
    const Rm = math.matrix(toNested(square(R, 5)));
    expectRelClose(flat(math.multiply(math.transpose(Rm), Rm)), G, 1e-12, 1e-12 * maxAbs(G), "RᵀR");
    for (let i = 0; i < 5; i++) for (let j = 0; j < i; j++) expect(R[i * 5 + j]).toBe(0);
  });

  it("handles fewer rows than columns", () => {
    const X = randomMatrix(2, 4, 5);
    const R = streamingQR(X);
    const Rm = math.matrix(toNested(square(R, 4)));
    const G = gram(X);
    expectRelClose(flat(math.multiply(math.transpose(Rm), Rm)), G, 1e-12, 1e-12 * maxAbs(G), "RᵀR");
  });
});

describe("Jacobi SVD and symmetric eigen", () => {
  const X = randomMatrix(6, 6, 6);

  it("svdJacobi: U Σ Vᵀ = A, orthogonal factors, descending singular values", () => {
    const { s, U, V } = svdJacobi(X.data, 6);
    const Um = math.matrix(toNested(square(U, 6)));
    const Vm = math.matrix(toNested(square(V, 6)));
    const back = flat(math.multiply(math.multiply(Um, math.diag(Array.from(s))), math.transpose(Vm)));
    expectRelClose(back, X.data, 1e-13, 1e-13, "UΣVᵀ");
    expectRelClose(flat(math.multiply(math.transpose(Vm), Vm)), flat(math.identity(6) as math.Matrix), 0, 1e-14, "VᵀV");
    expectRelClose(flat(math.multiply(math.transpose(Um), Um)), flat(math.identity(6) as math.Matrix), 0, 1e-14, "UᵀU");
    for (let k = 1; k < 6; k++) expect(s[k]).toBeLessThanOrEqual(s[k - 1]);
  });

  it("svdJacobi gives an exact zero singular value for a rank-deficient matrix", () => {
    const A = Float64Array.of(1, 2, 3, 2, 4, 6, 1, 0, 1);
    const { s } = svdJacobi(A, 3);
    expect(s[2]).toBeLessThan(1e-15 * s[0]);
  });

  it("symmetricEigen: A V = V Λ (mathjs eigs values), descending", () => {
    const A = gram(X);
    const { values, vectors } = symmetricEigen(A, 6);
    const Am = math.matrix(toNested(square(A, 6)));
    const Vm = math.matrix(toNested(square(vectors, 6)));
    expectRelClose(flat(math.multiply(Am, Vm)), flat(math.multiply(Vm, math.diag(Array.from(values)))), 1e-12, 1e-12 * maxAbs(values), "AV");
    const ref = ((math.eigs(Am).values as math.Matrix).toArray() as number[]).sort((a, b) => b - a);
    expectRelClose(values, ref, 1e-10, 1e-12, "Λ");
  });
});
