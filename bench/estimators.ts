/**
 * Estimator benchmark: fit time and held-out score of every registry algorithm beside
 * scikit-learn's equivalent, on the same seeded synthetic data.
 *
 *   npx tsx bench/estimators.ts [--rows N] [--features P] [--quick] [--seed S] [--only A,B] [--no-sklearn]
 *
 * Data (n × p, default 1,000,000 × 20; --quick 100,000): x_ij ~ N(0, 1);
 *   regression      y = Xw + 3 + ε, w_j ~ N(0, 1), ε ~ N(0, 2²)
 *   classification  y ~ Bernoulli(σ(Xv + 0.5)), v_j ~ N(0, 1)·2/√p   (a noisy logistic model)
 * The first 80% of rows train, the last 20% test (rows are i.i.d., so a contiguous split is
 * a random one, and numpy reads the identical split). Kernel SVMs (O(n²)) fit on the first
 * SVM_ROWS training rows and score on the first SVM_ROWS test rows.
 *
 * X (row-major) and y are written as little-endian float64 files to a temp dir, with a
 * jobs.json naming each algorithm's resolved hyperparameters; bench/sklearn_fit.py reads
 * them and fits the scikit-learn estimator with the same values.
 *
 * Timing: `estimator.fit(X, y)` only (the registry's estimators, as fitModel calls them,
 * after preprocessing), with performance.now(); best of 3 when a fit takes under 2 s,
 * otherwise one run. sklearn is timed the same way around `.fit`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { ALGORITHMS, createEstimator, taskOf, validateHyperparameters, type Algorithm, type Estimator } from "../src/core/estimators/index.ts";
import { matrix, type Matrix } from "../src/core/matrix.ts";
import { createRandom, type Random } from "../src/core/random.ts";
import { fixed, formatTable, mib, seconds } from "./lib/table.ts";

const PYTHON = "/usr/bin/python3";
const SVM_ROWS = 5000;
const REPEAT_BELOW_S = 2;

/** Hyperparameters that mirror the scikit-learn estimators we compare with (the rest default). */
const PARAMS: Partial<Record<string, Record<string, unknown>>> = {
  RIDGE: { alpha: 1 },
  LOGISTIC_REGRESSION: { C: 1 },
  LINEAR_SVM: { C: 1 },
};

/** Target ratio ours/sklearn, where one is set. */
const TARGET: Partial<Record<string, number>> = { LINEAR_REGRESSION: 0.5, LOGISTIC_REGRESSION: 1, LINEAR_SVM: 1 };

/** Algorithms fitted on a subsample because their cost grows faster than n. */
const SUBSAMPLED: ReadonlySet<string> = new Set(["SVM"]);

interface Options {
  rows: number;
  features: number;
  seed: number;
  only: string[] | null;
  sklearn: boolean;
}

interface Result {
  algorithm: string;
  task: "regression" | "classification";
  trainRows: number;
  seconds: number | null;
  runs: number;
  score: number | null;
  nIter: number | null;
  peakRss: number | null;
  warnings: string[];
  error?: string;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { rows: 1_000_000, features: 20, seed: 42, only: null, sklearn: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const int = (v: string) => {
      const n = Number(v.replace(/_/g, ""));
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${arg} takes a positive integer, got ${JSON.stringify(v)}`);
      return n;
    };
    if (arg === "--rows") opts.rows = int(value());
    else if (arg === "--features") opts.features = int(value());
    else if (arg === "--seed") opts.seed = int(value());
    else if (arg === "--quick") opts.rows = 100_000;
    else if (arg === "--only") opts.only = value().split(",").map((s) => s.trim().toUpperCase());
    else if (arg === "--no-sklearn") opts.sklearn = false;
    else if (arg === "--help" || arg === "-h") {
      console.log("npx tsx bench/estimators.ts [--rows N] [--features P] [--quick] [--seed S] [--only ALG,ALG] [--no-sklearn]");
      process.exit(0);
    } else throw new Error(`unknown argument ${JSON.stringify(arg)} (try --help)`);
  }
  return opts;
}

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

function generate(n: number, p: number, seed: number) {
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
function rowSlice(X: Matrix, from: number, to: number): Matrix {
  return { data: X.data.subarray(from * X.cols, to * X.cols), rows: to - from, cols: X.cols };
}

function writeF64(path: string, a: Float64Array): void {
  // Node runs little-endian on every platform it supports; the check keeps the format honest.
  if (new Uint8Array(Float64Array.of(1).buffer)[7] !== 0x3f) throw new Error("big-endian host: the .f64 files would not be little-endian");
  writeFileSync(path, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

/**
 * Peak resident set size since the last reset. Linux: VmHWM, reset by writing 5 to
 * /proc/self/clear_refs (Linux ≥ 4.0), so each fit gets its own peak. Elsewhere: the
 * process-lifetime maximum (getrusage), which only grows.
 */
const peakRss = {
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

function r2(y: Float64Array, yHat: Float64Array): number {
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

function accuracy(y: Float64Array, yHat: Float64Array): number {
  let hit = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === yHat[i]) hit++;
  return hit / y.length;
}

function benchOne(algorithm: Algorithm, params: Record<string, unknown>, Xtr: Matrix, ytr: Float64Array, Xte: Matrix, yte: Float64Array): Result {
  const task = taskOf(algorithm);
  const base = { algorithm, task, trainRows: Xtr.rows };
  try {
    let best = Infinity;
    let runs = 0;
    let fitted: Estimator | undefined;
    let peak = 0;
    do {
      const estimator = createEstimator(algorithm, params);
      global.gc?.();
      peakRss.reset();
      const t0 = performance.now();
      estimator.fit(Xtr, ytr, task === "classification" ? { nClasses: 2 } : {});
      const s = (performance.now() - t0) / 1000;
      peak = Math.max(peak, peakRss.read());
      runs++;
      if (s < best) best = s;
      fitted = estimator;
    } while (best < REPEAT_BELOW_S && runs < 3);
    const yHat = fitted!.predict(Xte);
    const info = fitted!.fitInfo();
    return {
      ...base,
      seconds: best,
      runs,
      score: task === "regression" ? r2(yte, yHat) : accuracy(yte, yHat),
      nIter: info.nIter ?? null,
      peakRss: peak,
      warnings: info.warnings,
    };
  } catch (e) {
    return { ...base, seconds: null, runs: 0, score: null, nIter: null, peakRss: null, warnings: [], error: e instanceof Error ? e.message : String(e) };
  }
}

interface SklearnReport {
  python: string;
  sklearn: string;
  numpy: string;
  blas: unknown[];
  blas_env: Record<string, string>;
  results: { algorithm: string; estimator: string; seconds: number | null; runs: number; score: number | null; n_iter: number | null; peak_rss: number | null; warnings: string[]; error?: string }[];
}

function runSklearn(dir: string): { report: SklearnReport } | { missing: string } {
  const probe = spawnSync(PYTHON, ["-c", "import sklearn, numpy"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    const why = probe.error ? `${PYTHON} not found` : `${PYTHON} cannot import scikit-learn/numpy (${probe.stderr.trim().split("\n").pop()})`;
    return { missing: `${why}. Install Debian's build with: apt-get install -y python3-sklearn (then rerun; showing our side only).` };
  }
  const script = fileURLToPath(new URL("./sklearn_fit.py", import.meta.url));
  // The environment is passed through unchanged (OPENBLAS_* included); the report says which BLAS ran.
  const run = spawnSync(PYTHON, [script, dir], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 64 * 2 ** 20 });
  if (run.status !== 0) return { missing: `bench/sklearn_fit.py exited with status ${run.status} (see its stderr above); showing our side only.` };
  return { report: JSON.parse(run.stdout) as SklearnReport };
}

function main(): void {
  const opts = parseArgs(process.argv.slice(2));
  const { rows: n, features: p } = opts;
  const nTrain = Math.round(n * 0.8);
  const algorithms = ALGORITHMS.filter((a) => !opts.only || opts.only.includes(a));
  if (algorithms.length === 0) throw new Error(`--only matches none of ${ALGORITHMS.join(", ")}`);

  console.error(`generating ${n.toLocaleString("en-US")} × ${p} (seed ${opts.seed}) …`);
  let t0 = performance.now();
  const { X, yReg, yClf } = generate(n, p, opts.seed);
  console.error(`  ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const dir = mkdtempSync(join(tmpdir(), "modelql-bench-"));
  try {
    t0 = performance.now();
    writeF64(join(dir, "X.f64"), X.data);
    writeF64(join(dir, "y_regression.f64"), yReg);
    writeF64(join(dir, "y_classification.f64"), yClf);
    const jobs = algorithms.map((algorithm) => ({
      algorithm,
      task: taskOf(algorithm),
      params: validateHyperparameters(algorithm, PARAMS[algorithm] ?? {}),
      subsample: SUBSAMPLED.has(algorithm) ? Math.min(SVM_ROWS, nTrain, n - nTrain) : null,
    }));
    writeFileSync(join(dir, "jobs.json"), JSON.stringify({ rows: n, features: p, train_rows: nTrain, repeat_below_s: REPEAT_BELOW_S, jobs }, null, 2));
    console.error(`wrote ${dir} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const Xtr = rowSlice(X, 0, nTrain);
    const Xte = rowSlice(X, nTrain, n);
    const ours: Result[] = [];
    for (const job of jobs) {
      const y = job.task === "regression" ? yReg : yClf;
      const m = job.subsample;
      console.error(`ours     ${job.algorithm}${m ? ` (subsample ${m})` : ""} …`);
      const r = m
        ? benchOne(job.algorithm, job.params, rowSlice(X, 0, m), y.subarray(0, m), rowSlice(X, nTrain, nTrain + m), y.subarray(nTrain, nTrain + m))
        : benchOne(job.algorithm, job.params, Xtr, y.subarray(0, nTrain), Xte, y.subarray(nTrain));
      console.error(`  ${r.error ? `error: ${r.error}` : `${seconds(r.seconds)} s × ${r.runs}, score ${fixed(r.score, 5)}`}`);
      ours.push(r);
    }

    let sk: SklearnReport | null = null;
    let note = "";
    if (opts.sklearn) {
      console.error("sklearn  (bench/sklearn_fit.py) …");
      const out = runSklearn(dir);
      if ("report" in out) sk = out.report;
      else note = out.missing;
    } else note = "sklearn side skipped (--no-sklearn).";

    print(opts, nTrain, ours, sk, note, X.data.byteLength);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function print(opts: Options, nTrain: number, ours: Result[], sk: SklearnReport | null, note: string, dataBytes: number): void {
  const cpu = cpus();
  const when = new Date().toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  const out: string[] = [];
  out.push(`ModelQL estimators vs scikit-learn — ${when}`);
  out.push(`machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? "unknown CPU"}), node ${process.version}`);
  if (sk) {
    out.push(`sklearn: ${sk.sklearn}, numpy ${sk.numpy}, python ${sk.python}`);
    out.push(`numpy BLAS: ${describeBlas(sk.blas)}`);
    const env = Object.entries(sk.blas_env).map(([k, v]) => `${k}=${v}`);
    out.push(`BLAS env: ${env.length ? env.join(" ") : "(none set)"}`);
  }
  out.push(`data: ${opts.rows.toLocaleString("en-US")} × ${opts.features} float64 (${mib(dataBytes)}), seed ${opts.seed}; train ${nTrain.toLocaleString("en-US")} rows, test ${(opts.rows - nTrain).toLocaleString("en-US")}`);
  out.push(`time: fit only, best of 3 under ${REPEAT_BELOW_S} s else 1 run; score: R² (regression) / accuracy (classification) on the held-out rows`);
  out.push("");

  const skBy = new Map((sk?.results ?? []).map((r) => [r.algorithm, r]));
  const rows = ours.map((r) => {
    const s = skBy.get(r.algorithm);
    const ratio = r.seconds !== null && s?.seconds ? r.seconds / s.seconds : null;
    const target = TARGET[r.algorithm];
    const verdict = target === undefined ? "—" : ratio === null ? `<= ${target}` : `<= ${target} ${ratio <= target ? "ok" : "MISS"}`;
    const name = r.trainRows < nTrain ? `${r.algorithm} (${r.trainRows} rows)` : r.algorithm;
    return [
      name,
      r.error ? "error" : seconds(r.seconds),
      s ? (s.error ? "error" : seconds(s.seconds)) : "—",
      fixed(ratio, 2),
      verdict,
      fixed(r.score, 5),
      s ? fixed(s.score, 5) : "—",
      r.score !== null && s?.score != null ? Math.abs(r.score - s.score).toExponential(1) : "—",
    ];
  });
  out.push(
    formatTable(
      ["algorithm", { header: "ours (s)", align: "right" }, { header: "sklearn (s)", align: "right" }, { header: "ratio ours/sklearn", align: "right" }, "target ratio", { header: "our score", align: "right" }, { header: "sklearn score", align: "right" }, { header: "|Δscore|", align: "right" }],
      rows,
    ),
  );
  out.push("");

  const details = ours.map((r) => {
    const s = skBy.get(r.algorithm);
    return [
      r.algorithm,
      s?.estimator ?? "—",
      `${r.runs} / ${s?.runs ?? "—"}`,
      `${r.nIter ?? "—"} / ${s?.n_iter ?? "—"}`,
      mib(r.peakRss),
      mib(s?.peak_rss),
    ];
  });
  out.push(
    formatTable(
      ["algorithm", "sklearn estimator", { header: "runs ours/sk", align: "right" }, { header: "iterations ours/sk", align: "right" }, { header: "peak RSS ours", align: "right" }, { header: "peak RSS sklearn", align: "right" }],
      details,
    ),
  );
  out.push(`raw data X: ${opts.rows.toLocaleString("en-US")} × ${opts.features} × 8 B = ${mib(dataBytes)} (train part ${mib((dataBytes * nTrain) / opts.rows)}); peak RSS is the whole process during the fit${peakRss.resettable ? " (VmHWM, reset before each fit)" : " (lifetime maximum)"}, X included.`);

  const notes: string[] = [];
  for (const r of ours) {
    if (r.error) notes.push(`ours ${r.algorithm}: ${r.error}`);
    for (const w of r.warnings) notes.push(`ours ${r.algorithm}: ${w}`);
    const s = skBy.get(r.algorithm);
    if (s?.error) notes.push(`sklearn ${r.algorithm}: ${s.error}`);
    for (const w of s?.warnings ?? []) notes.push(`sklearn ${r.algorithm}: ${w}`);
  }
  if (note) notes.push(note);
  if (notes.length) out.push("", "notes:", ...notes.map((s) => `  - ${s}`));
  console.log(out.join("\n"));
}

function describeBlas(info: unknown[]): string {
  if (!info.length) return "unknown (threadpoolctl not importable)";
  return info
    .map((raw) => {
      const i = raw as Record<string, unknown>;
      if (typeof i.config === "string") return i.config;
      return `${i.internal_api ?? i.user_api} ${i.version ?? ""} (${i.architecture ?? "?"} kernels, ${i.threading_layer ?? "?"}, ${i.num_threads} threads) ${i.filepath ?? ""}`.replace(/\s+/g, " ");
    })
    .join("; ");
}

main();
