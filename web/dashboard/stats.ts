/**
 * Client-side statistics over a page of rows: histograms (when the schema has none) and the
 * correlation matrix of numeric columns. Small n (≤ SAMPLE_ROWS), so plain loops.
 */
import type { Histogram } from "./api.ts";

/** The finite numbers of `column` in `rows` (missing and non-numeric cells skipped). */
export function numbers(rows: Record<string, unknown>[], column: string): number[] {
  const out: number[] = [];
  for (const row of rows) {
    const v = row[column];
    if (typeof v === "number" && Number.isFinite(v)) out.push(v);
  }
  return out;
}

/** Equal-width histogram with `bins` bins over [min, max] (numpy's histogram: last bin closed). */
export function histogram(values: number[], bins = 20): Histogram | null {
  if (values.length === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === max) {
    min -= 0.5;
    max += 0.5;
  }
  const width = (max - min) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - min) / width))]++;
  return { edges: Array.from({ length: bins + 1 }, (_, i) => min + i * width), counts };
}

/**
 * Pearson correlation of every pair of `columns` over the rows where both are numbers
 * (pairwise deletion, as pandas' DataFrame.corr). null where fewer than 3 rows pair up or a
 * column is constant over them.
 */
export function correlationMatrix(rows: Record<string, unknown>[], columns: string[]): (number | null)[][] {
  const k = columns.length;
  const matrix: (number | null)[][] = Array.from({ length: k }, () => new Array<number | null>(k).fill(null));
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      const r = pearson(rows, columns[i], columns[j]);
      matrix[i][j] = r;
      matrix[j][i] = r;
    }
  }
  return matrix;
}

function pearson(rows: Record<string, unknown>[], a: string, b: string): number | null {
  let n = 0;
  let meanX = 0;
  let meanY = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  // Welford's update for the co-moments: stable for large offsets (prices, timestamps).
  for (const row of rows) {
    const x = row[a];
    const y = row[b];
    if (typeof x !== "number" || typeof y !== "number" || !Number.isFinite(x) || !Number.isFinite(y)) continue;
    n++;
    const dx = x - meanX;
    meanX += dx / n;
    const dy = y - meanY;
    meanY += dy / n;
    sxx += dx * (x - meanX);
    syy += dy * (y - meanY);
    sxy += dx * (y - meanY);
  }
  if (n < 3 || sxx <= 0 || syy <= 0) return null;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** A number for people: 4 significant digits, thousands grouped, exponent for tiny or huge values. */
export function fmt(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "−∞";
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e9)) return value.toExponential(2);
  return value.toLocaleString("en-US", { maximumSignificantDigits: digits });
}

export function fmtInt(value: number | null | undefined): string {
  return value === null || value === undefined ? "–" : value.toLocaleString("en-US");
}

export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  return d.toLocaleString("en-GB", { year: "numeric", month: "short", day: "2-digit", hour: "2-digit", minute: "2-digit" });
}

/** A p-value as statisticians print it. */
export function fmtP(p: number | null | undefined): string {
  if (p === null || p === undefined) return "–";
  return p < 1e-4 ? "<0.0001" : p.toFixed(4);
}

/** Metric names for people. */
export const METRIC_LABELS: Record<string, string> = {
  r2: "R²",
  adjustedR2: "Adjusted R²",
  rmse: "RMSE",
  mae: "MAE",
  mape: "MAPE",
  explainedVariance: "Explained variance",
  accuracy: "Accuracy",
  balancedAccuracy: "Balanced accuracy",
  f1: "F1",
  precision: "Precision",
  recall: "Recall",
  rocAuc: "ROC AUC",
  logLoss: "Log loss",
  mcc: "MCC",
};
