/**
 * The benchmarks' data, generated once per seed and shared by both sides of every
 * comparison: our side reads the typed arrays (or a CSV made from them), the reference side
 * (Python, psql) reads the same values from the files written here.
 *
 * Data (n × p): x_ij ~ N(0, 1);
 *   regression      y = Xw + 3 + ε, w_j ~ N(0, 1), ε ~ N(0, 2²)
 *   classification  y ~ Bernoulli(σ(Xv + 0.5)), v_j ~ N(0, 1)·2/√p   (a noisy logistic model)
 * drawn from the core's seeded generator (src/core/random.ts), so a seed names the data.
 */
import { createWriteStream, readFileSync, writeFileSync } from "node:fs";
import { matrix, type Matrix } from "../../src/core/matrix.ts";
import { createRandom, type Random } from "../../src/core/random.ts";

/** Standard normal by Box–Muller over the core's seeded generator (two values per call pair). */
function normalSource(random: Random): () => number {
  let spare = NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const s = spare;
      spare = NaN;
      return s;
    }
    const u = 1 - random.float(); // (0, 1]: log is finite
    const r = Math.sqrt(-2 * Math.log(u));
    const t = 2 * Math.PI * random.float();
    spare = r * Math.sin(t);
    return r * Math.cos(t);
  };
}

export interface Synthetic {
  /** n × p row-major */
  X: Matrix;
  /** regression target, length n */
  yReg: Float64Array;
  /** classification target 0/1, length n */
  yClf: Float64Array;
}

export function generate(n: number, p: number, seed: number): Synthetic {
  const normal = normalSource(createRandom(seed));
  const X = matrix(n, p);
  const w = Float64Array.from({ length: p }, normal);
  const v = Float64Array.from({ length: p }, () => (normal() * 2) / Math.sqrt(p));
  const yReg = new Float64Array(n);
  const yClf = new Float64Array(n);
  const uniform = createRandom(seed + 1);
  const { data } = X;
  for (let i = 0, at = 0; i < n; i++, at += p) {
    let a = 3;
    let b = 0.5;
    for (let j = 0; j < p; j++) {
      const x = normal();
      data[at + j] = x;
      a += w[j] * x;
      b += v[j] * x;
    }
    yReg[i] = a + 2 * normal();
    yClf[i] = uniform.float() < 1 / (1 + Math.exp(-b)) ? 1 : 0;
  }
  return { X, yReg, yClf };
}

/** Rows [from, to) as a Matrix view (no copy). */
export function rowSlice(X: Matrix, from: number, to: number): Matrix {
  return { data: X.data.subarray(from * X.cols, to * X.cols), rows: to - from, cols: X.cols };
}

/** A Float64Array as a little-endian float64 file (numpy.fromfile(path, "<f8")). */
export function writeF64(path: string, a: Float64Array): void {
  // Node runs little-endian on every platform it supports; the check keeps the format honest.
  if (new Uint8Array(Float64Array.of(1).buffer)[7] !== 0x3f) throw new Error("big-endian host: the .f64 files would not be little-endian");
  writeFileSync(path, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

/** Column names of the CSV form: x0 … x{p−1}, then y. */
export function csvColumns(p: number): string[] {
  return [...Array.from({ length: p }, (_, j) => `x${j}`), "y"];
}

/**
 * X with y as its last column, as CSV (header row, `digits` decimals: 6 by default, as a
 * measuring instrument would write them), streamed to `path` in 64k-row pieces.
 */
export async function writeCsv(path: string, X: Matrix, y: Float64Array, digits = 6): Promise<number> {
  const { rows: n, cols: p, data } = X;
  const out = createWriteStream(path);
  let bytes = 0;
  const write = (s: string) =>
    new Promise<void>((resolve, reject) => {
      bytes += Buffer.byteLength(s);
      out.write(s, (e) => (e ? reject(e) : resolve()));
    });
  await write(csvColumns(p).join(",") + "\n");
  const PIECE = 65_536;
  for (let start = 0; start < n; start += PIECE) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(n, start + PIECE); i++) {
      const cells: string[] = [];
      for (let j = 0; j < p; j++) cells.push(data[i * p + j].toFixed(digits));
      cells.push(y[i].toFixed(digits));
      lines.push(cells.join(","));
    }
    await write(lines.join("\n") + "\n");
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return bytes;
}

/**
 * Peak resident set size since the last reset. Linux: VmHWM, reset by writing 5 to
 * /proc/self/clear_refs (Linux ≥ 4.0), so each measured step gets its own peak. Elsewhere:
 * the process-lifetime maximum (getrusage), which only grows.
 */
export const peakRss = {
  resettable: (() => {
    try {
      writeFileSync("/proc/self/clear_refs", "5");
      return /VmHWM/.test(readFileSync("/proc/self/status", "utf8"));
    } catch {
      return false;
    }
  })(),
  reset(): void {
    if (this.resettable) writeFileSync("/proc/self/clear_refs", "5");
  },
  read(): number {
    if (this.resettable) {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
      if (m) return Number(m[1]) * 1024;
    }
    return process.resourceUsage().maxRSS * 1024;
  },
};

export function r2(y: Float64Array, yHat: Float64Array): number {
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i];
  mean /= y.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < y.length; i++) {
    ssRes += (y[i] - yHat[i]) ** 2;
    ssTot += (y[i] - mean) ** 2;
  }
  return 1 - ssRes / ssTot;
}

export function accuracy(y: Float64Array, yHat: Float64Array): number {
  let hit = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === yHat[i]) hit++;
  return hit / y.length;
}
