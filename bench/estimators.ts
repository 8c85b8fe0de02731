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
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ALGORITHMS, createEstimator, taskOf, validateHyperparameters, type Algorithm, type Estimator } from "../src/core/estimators/index.ts";
import type { Matrix } from "../src/core/matrix.ts";
import { accuracy, generate, peakRss, r2, rowSlice, writeF64 } from "./lib/data.ts";
import { fixed, formatTable, mib, seconds } from "./lib/table.ts";
import type { BenchOptions, PartReport, Row } from "./lib/report.ts";

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

interface Measured {
  opts: Options;
  nTrain: number;
  ours: Result[];
  sk: SklearnReport | null;
  note: string;
  dataBytes: number;
}

/** Generate, fit every algorithm on our side, then run the scikit-learn side on the same files. */
function measure(opts: Options): Measured {
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

    return { opts, nTrain, ours, sk, note, dataBytes: X.data.byteLength };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The report of `npx tsx bench/estimators.ts`: header lines, then `details` below. */
function print({ opts, nTrain, ours, sk, note, dataBytes }: Measured): void {
  const cpu = cpus();
  const when = new Date().toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  const out: string[] = [];
  out.push(`ModelQL estimators vs scikit-learn — ${when}`);
  out.push(`machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? "unknown CPU"}), node ${process.version}`);
  out.push(...details({ opts, nTrain, ours, sk, note, dataBytes }));
  console.log(out.join("\n"));
}

/** Everything but the title: versions, the comparison table, iterations and memory, notes. */
function details({ opts, nTrain, ours, sk, note, dataBytes }: Measured): string[] {
  const out: string[] = [];
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
  return out;
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

/** Issue targets beside the fit-time ratio: the score must match sklearn's this closely. */
const SCORE_TOLERANCE: Partial<Record<string, { tol: number; name: string }>> = {
  LINEAR_REGRESSION: { tol: 1e-9, name: "R²" },
  LOGISTIC_REGRESSION: { tol: 1e-3, name: "accuracy" },
  LINEAR_SVM: { tol: 1e-3, name: "accuracy" },
};
const LABEL: Record<string, string> = { LINEAR_REGRESSION: "OLS fit", LOGISTIC_REGRESSION: "logistic fit", LINEAR_SVM: "linear SVM fit" };
const SK_NAME: Record<string, string> = { LINEAR_REGRESSION: "LinearRegression", LOGISTIC_REGRESSION: "LogisticRegression(lbfgs)", LINEAR_SVM: "LinearSVC" };
const RSS_TARGET = 2.5;

/** `npm run bench -- estimators`: the issue's estimator rows (bench/run.ts). */
export async function run(bench: BenchOptions): Promise<PartReport> {
  const opts: Options = { rows: bench.quick ? 100_000 : 1_000_000, features: 20, seed: bench.seed, only: null, sklearn: bench.sklearn };
  const m = measure(opts);
  const size = `${opts.rows >= 1e6 ? `${opts.rows / 1e6}M` : `${opts.rows / 1e3}k`}×${opts.features}`;
  const skBy = new Map((m.sk?.results ?? []).map((r) => [r.algorithm, r]));
  const rows: Row[] = [];
  for (const r of m.ours) {
    const target = TARGET[r.algorithm];
    const score = SCORE_TOLERANCE[r.algorithm];
    if (target === undefined || !score) continue;
    const s = skBy.get(r.algorithm);
    const ratio = r.seconds !== null && s?.seconds ? r.seconds / s.seconds : null;
    const delta = r.score !== null && s?.score != null ? Math.abs(r.score - s.score) : null;
    rows.push({
      what: `${LABEL[r.algorithm]} ${size} (Δ${score.name} ${delta === null ? "—" : delta.toExponential(1)})`,
      ours: r.error ? `error: ${r.error}` : `${seconds(r.seconds)} s`,
      reference: s ? (s.error ? `error: ${s.error}` : `${seconds(s.seconds)} s (sklearn ${SK_NAME[r.algorithm]})`) : "— (sklearn missing)",
      ratio: fixed(ratio, 2),
      target: `<= ${target}x, Δ${score.name} <= ${score.tol}`,
      met: ratio === null || delta === null ? null : ratio <= target && delta <= score.tol,
    });
  }
  // Peak RSS: over the issue's three estimators, then over every registry algorithm at full size.
  const full = m.ours.filter((r) => r.peakRss !== null && r.trainRows === m.nTrain);
  for (const [label, set] of [
    ["OLS, logistic, linear SVM", full.filter((r) => TARGET[r.algorithm] !== undefined)],
    ["every algorithm", full],
  ] as const) {
    if (!set.length) continue;
    const worst = set.reduce((a, b) => (b.peakRss! > a.peakRss! ? b : a));
    const ratio = worst.peakRss! / m.dataBytes;
    rows.push({
      what: `peak RSS while training ${size}, ${label} (largest: ${worst.algorithm})`,
      ours: mib(worst.peakRss),
      reference: `${mib(m.dataBytes)} (raw X, ${(m.dataBytes / 1e6).toFixed(0)} MB)`,
      ratio: `${ratio.toFixed(2)}x`,
      target: `<= ${RSS_TARGET}x`,
      met: ratio <= RSS_TARGET,
    });
  }
  const lines = details(m);
  const cut = lines.indexOf("notes:");
  return { part: "estimators", rows, details: cut < 0 ? lines : lines.slice(0, cut - 1), notes: cut < 0 ? [] : lines.slice(cut + 1).map((l) => l.replace(/^\s*- /, "")) };
}

// `npx tsx bench/estimators.ts …` runs this file alone with its own report.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) print(measure(parseArgs(process.argv.slice(2))));
