/**
 * The NIST StRD linear least-squares datasets (test/fixtures/nist/*.dat): a parser for the
 * published .dat layout, the design each certified model fits, and McCullough's log relative
 * error ("digits") against the certified values.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const NIST_CASES = ["Norris", "Pontius", "NoInt1", "NoInt2", "Filip", "Longley", "Wampler1", "Wampler2", "Wampler3", "Wampler4", "Wampler5"] as const;
export type NistCase = (typeof NIST_CASES)[number];

/** A certified value as printed (its text fixes how many digits it certifies) and as a number. */
export interface Certified {
  text: string;
  value: number;
}

export interface NistDataset {
  name: NistCase;
  /** certified estimates B0.. (B1.. for the no-intercept cases) and their standard deviations */
  estimates: Certified[];
  stdDevs: Certified[];
  residualSD: Certified;
  rSquared: Certified;
  intercept: boolean;
  /** column names of the design, and its rows (exact decimal strings as the file has them, or exact powers) */
  columns: string[];
  /** rows × columns of decimal strings, each the exact value of that design entry */
  design: string[][];
  y: string[];
}

const certified = (text: string): Certified => ({ text, value: Number(text) });

/** Polynomial degree of each single-predictor case whose model is a polynomial in x. */
const DEGREE: Partial<Record<NistCase, number>> = { Pontius: 2, Filip: 10, Wampler1: 5, Wampler2: 5, Wampler3: 5, Wampler4: 5, Wampler5: 5 };

export function loadNist(name: NistCase): NistDataset {
  const lines = readFileSync(join(import.meta.dirname, "..", "fixtures", "nist", `${name}.dat`), "utf8").split(/\r?\n/);
  const start = lines.findIndex((l) => l.includes("Certified Regression Statistics"));
  const estimates: Certified[] = [];
  const stdDevs: Certified[] = [];
  let residualSD: Certified | undefined;
  let rSquared: Certified | undefined;
  for (let i = start + 1; i < lines.length; i++) {
    const t = lines[i].trim().split(/\s+/);
    if (/^B\d+$/.test(t[0])) {
      estimates.push(certified(t[1]));
      stdDevs.push(certified(t[2]));
    } else if (t[0] === "Standard" && t[1] === "Deviation" && t.length === 3) {
      residualSD = certified(t[2]);
    } else if (t[0] === "R-Squared") {
      rSquared = certified(t[1]);
      break;
    }
  }
  const dataAt = lines.findLastIndex((l) => l.startsWith("Data:"));
  const rows = lines.slice(dataAt + 1).map((l) => l.trim()).filter((l) => l.length > 0).map((l) => l.split(/\s+/));
  if (!residualSD || !rSquared || estimates.length === 0 || rows.length === 0) throw new Error(`${name}.dat: certified values or data not found`);
  const intercept = !name.startsWith("NoInt");
  const y = rows.map((r) => r[0]);
  const degree = DEGREE[name];
  let columns: string[];
  let design: string[][];
  if (degree !== undefined) {
    columns = Array.from({ length: degree }, (_, k) => (k === 0 ? "x" : `x${k + 1}`));
    design = rows.map((r) => Array.from({ length: degree }, (_, k) => decimalPower(r[1], k + 1)));
  } else {
    columns = rows[0].length === 2 ? ["x"] : Array.from({ length: rows[0].length - 1 }, (_, k) => `x${k + 1}`);
    design = rows.map((r) => r.slice(1));
  }
  if (estimates.length !== columns.length + (intercept ? 1 : 0)) throw new Error(`${name}.dat: ${estimates.length} certified estimates for ${columns.length} columns`);
  return { name, estimates, stdDevs, residualSD: residualSD, rSquared: rSquared, intercept, columns, design, y };
}

/**
 * The exact decimal expansion of x^k for a decimal string x (BigInt arithmetic), so that
 * Number() of it is the correctly rounded power: the certified values are for the exact
 * powers, and x**k in doubles would perturb the design by up to k ulps before the solver
 * is even called.
 */
export function decimalPower(x: string, k: number): string {
  const negative = x.startsWith("-");
  const body = x.replace(/^[-+]/, "");
  const [whole, fraction = ""] = body.split(".");
  const scale = fraction.length * k;
  const digits = (BigInt((whole || "0") + fraction) ** BigInt(k)).toString().padStart(scale + 1, "0");
  const text = scale > 0 ? `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}` : digits;
  return (negative && k % 2 === 1 ? "-" : "") + text;
}

/** Significant digits a certified value states (leading zeros and the exponent do not count). */
export function statedDigits(text: string): number {
  const mantissa = text.replace(/^[-+]/, "").split(/[eE]/)[0].replace(".", "");
  const stripped = mantissa.replace(/^0+/, "");
  return stripped.length === 0 ? mantissa.length : stripped.length;
}

/**
 * Log relative error −log10(|est − cert| / |cert|) (McCullough 1998), the log absolute error
 * when the certified value is 0, capped at the digits the certified value states; 0 when not
 * finite or worse than one digit.
 */
export function digits(estimate: number | null | undefined, cert: Certified): number {
  const cap = statedDigits(cert.text);
  if (estimate === null || estimate === undefined || !Number.isFinite(estimate)) return 0;
  const error = cert.value === 0 ? Math.abs(estimate) : Math.abs(estimate - cert.value) / Math.abs(cert.value);
  if (error === 0) return cap;
  return Math.max(0, Math.min(cap, -Math.log10(error)));
}

/** Minimum over a list (the case's worst coefficient, as the reviews report). */
export const worst = (values: number[]): number => values.reduce((m, v) => Math.min(m, v), Infinity);
