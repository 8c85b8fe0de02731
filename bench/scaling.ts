/**
 * Cost as work grows: our fit time against rows (100k, 1M, 4M at 20 features) and against
 * features (10, 50, 200 at 1M rows), for OLS (one pass for the means, one for the Gram:
 * O(n·p²)) and logistic regression (L-BFGS, O(n·p) per function evaluation). The issue asks
 * for cost linear in rows; the verdict compares the growth from the middle to the largest
 * size with proportional growth (log-log slope ≤ 1.15; the smallest size is left out of the
 * slope because its data fits in cache). For logistic regression the slope is of the time
 * per iteration, since the number of iterations depends on the data, not on n.
 *
 * Quick mode: rows 10k/100k/400k, features at 100k rows.
 *
 *   npm run bench -- scaling [--quick]
 */
import { createEstimator, type Algorithm } from "../src/core/estimators/index.ts";
import type { Matrix } from "../src/core/matrix.ts";
import { generate } from "./lib/data.ts";
import type { BenchOptions, PartReport, Row } from "./lib/report.ts";
import { formatTable, seconds } from "./lib/table.ts";

const SLOPE_LIMIT = 1.15;

interface Point {
  rows: number;
  features: number;
  seconds: number;
  iterations: number | null;
}

function fitTime(algorithm: Algorithm, X: Matrix, y: Float64Array): { seconds: number; iterations: number | null } {
  let best = Infinity;
  let iterations: number | null = null;
  for (let k = 0; k < 3; k++) {
    const estimator = createEstimator(algorithm, algorithm === "LOGISTIC_REGRESSION" ? { C: 1 } : {});
    global.gc?.();
    const t0 = performance.now();
    estimator.fit(X, y, algorithm === "LOGISTIC_REGRESSION" ? { nClasses: 2 } : {});
    best = Math.min(best, (performance.now() - t0) / 1000);
    iterations = estimator.fitInfo().nIter ?? null;
    if (best > 2) break;
  }
  return { seconds: best, iterations };
}

const ALGOS: { algorithm: Algorithm; label: string }[] = [
  { algorithm: "LINEAR_REGRESSION", label: "OLS" },
  { algorithm: "LOGISTIC_REGRESSION", label: "logistic" },
];

const human = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);
const slope = (a: Point, b: Point, x: (p: Point) => number, t: (p: Point) => number) => Math.log(t(b) / t(a)) / Math.log(x(b) / x(a));
const perIteration = (p: Point) => p.seconds / Math.max(1, p.iterations ?? 1);

export async function run(opts: BenchOptions): Promise<PartReport> {
  const report: PartReport = { part: "scaling", rows: [], details: [], notes: [] };
  const rowSizes = opts.quick ? [10_000, 100_000, 400_000] : [100_000, 1_000_000, 4_000_000];
  const featureSizes = [10, 50, 200];
  const featureRows = opts.quick ? 100_000 : 1_000_000;

  // Warm the JIT on a small problem so that the first measured size is not the slow one.
  {
    const { X, yReg, yClf } = generate(20_000, 20, opts.seed);
    fitTime("LINEAR_REGRESSION", X, yReg);
    fitTime("LOGISTIC_REGRESSION", X, yClf);
  }

  const byRows = new Map<Algorithm, Point[]>(ALGOS.map((a) => [a.algorithm, []]));
  for (const n of rowSizes) {
    console.error(`scaling: ${human(n)} × 20 …`);
    const { X, yReg, yClf } = generate(n, 20, opts.seed);
    for (const { algorithm } of ALGOS) byRows.get(algorithm)!.push({ rows: n, features: 20, ...fitTime(algorithm, X, algorithm === "LINEAR_REGRESSION" ? yReg : yClf) });
  }
  const byFeatures = new Map<Algorithm, Point[]>(ALGOS.map((a) => [a.algorithm, []]));
  for (const p of featureSizes) {
    console.error(`scaling: ${human(featureRows)} × ${p} …`);
    const { X, yReg, yClf } = generate(featureRows, p, opts.seed);
    for (const { algorithm } of ALGOS) byFeatures.get(algorithm)!.push({ rows: featureRows, features: p, ...fitTime(algorithm, X, algorithm === "LINEAR_REGRESSION" ? yReg : yClf) });
  }

  const rows: Row[] = [];
  for (const { algorithm, label } of ALGOS) {
    const pts = byRows.get(algorithm)!;
    const cost = algorithm === "LOGISTIC_REGRESSION" ? perIteration : (p: Point) => p.seconds;
    const s = slope(pts[1], pts[2], (p) => p.rows, cost);
    rows.push({
      what: `${label} fit time vs rows ${rowSizes.map(human).join("/")} (×20)`,
      ours: pts.map((p) => `${seconds(p.seconds)}`).join(" / ") + " s",
      reference: "proportional to rows",
      ratio: `slope ${s.toFixed(2)}${algorithm === "LOGISTIC_REGRESSION" ? " per iter" : ""}`,
      target: `linear (slope <= ${SLOPE_LIMIT})`,
      met: s <= SLOPE_LIMIT,
    });
  }
  for (const { algorithm, label } of ALGOS) {
    const pts = byFeatures.get(algorithm)!;
    const cost = algorithm === "LOGISTIC_REGRESSION" ? perIteration : (p: Point) => p.seconds;
    const s = slope(pts[1], pts[2], (p) => p.features, cost);
    rows.push({
      what: `${label} fit time vs features ${featureSizes.join("/")} (${human(featureRows)} rows)`,
      ours: pts.map((p) => `${seconds(p.seconds)}`).join(" / ") + " s",
      reference: algorithm === "LINEAR_REGRESSION" ? "O(n·p²) Gram" : "O(n·p) per iteration",
      ratio: `slope ${s.toFixed(2)}${algorithm === "LOGISTIC_REGRESSION" ? " per iter" : ""}`,
      target: "report the curve",
      met: null,
    });
  }
  report.rows.push(...rows);

  const table = [...ALGOS.flatMap(({ algorithm, label }) => [...byRows.get(algorithm)!, ...byFeatures.get(algorithm)!].map((p) => [
    label,
    human(p.rows),
    p.features,
    seconds(p.seconds),
    p.iterations ?? "—",
    `${((p.seconds / (p.rows * p.features)) * 1e9).toFixed(2)}`,
    p.iterations ? `${((perIteration(p) / (p.rows * p.features)) * 1e9).toFixed(2)}` : "—",
  ]))];
  report.details.push(
    ...formatTable(["fit", { header: "rows", align: "right" }, { header: "features", align: "right" }, { header: "seconds", align: "right" }, { header: "iterations", align: "right" }, { header: "ns per value", align: "right" }, { header: "ns per value per iteration", align: "right" }], table).split("\n"),
    "fit only (best of 3 when under 2 s), data generated in memory; the slope is d log(time) / d log(size) between the two largest sizes",
  );
  return report;
}
