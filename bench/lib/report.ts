/**
 * What each benchmark part hands to bench/run.ts: rows of the one summary table (a figure of
 * ours beside its reference, the ratio and the target), plus detail lines.
 */

export interface BenchOptions {
  quick: boolean;
  seed: number;
  /** seconds of load per HTTP measurement */
  seconds: number;
  sklearn: boolean;
}

export interface Row {
  /** the row this figure answers, e.g. "OLS fit 1M×20" */
  what: string;
  /** our figure with its unit, e.g. "0.171 s" */
  ours: string;
  /** the reference's figure and what it is, e.g. "0.848 s (sklearn LinearRegression)" */
  reference: string;
  /** ours / reference in the sense of the target (e.g. time ratio, or speed-up) */
  ratio: string;
  target: string;
  /** true met, false missed, null no target or not measurable here */
  met: boolean | null;
}

export interface PartReport {
  part: string;
  rows: Row[];
  /** lines printed under the table, in a section named after the part */
  details: string[];
  /** skipped rows, errors, anything a reader must know */
  notes: string[];
}

/** A row that could not be measured (tool missing, error), with the reason in `ours`. */
export function skippedRow(what: string, target: string, why: string): Row {
  return { what, ours: `skipped: ${why}`, reference: "—", ratio: "—", target, met: null };
}

export function verdict(met: boolean | null): string {
  return met === null ? "—" : met ? "met" : "MISS";
}

export const fmtRate = (perSecond: number, unit: string) => `${Math.round(perSecond).toLocaleString("en-US")} ${unit}/s`;
export const fmtMs = (ms: number) => `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
