/**
 * Plain-text tables for the benchmarks: columns padded to their widest cell, numbers
 * right-aligned, text left-aligned. No colours, so the output pastes into reports as is.
 */

export type Cell = string | number | null | undefined;

export interface Column {
  header: string;
  /** "right" for numbers (the default when every cell is numeric-looking) */
  align?: "left" | "right";
}

const NUMERIC = /^[-+]?(\d|\.\d)|^—$|^n\/a$/;

/** Render rows under headers, separated by " | ", with a rule under the header. */
export function formatTable(columns: (Column | string)[], rows: Cell[][]): string {
  const cols = columns.map((c) => (typeof c === "string" ? { header: c } : c));
  const text = rows.map((r) => cols.map((_, j) => cellText(r[j])));
  const width = cols.map((c, j) => Math.max(c.header.length, ...text.map((r) => r[j].length)));
  const align = cols.map((c, j) => c.align ?? (text.length > 0 && text.every((r) => NUMERIC.test(r[j])) ? "right" : "left"));
  const line = (cells: string[]) =>
    cells.map((s, j) => (align[j] === "right" ? s.padStart(width[j]) : s.padEnd(width[j]))).join(" | ").trimEnd();
  return [line(cols.map((c) => c.header)), width.map((w) => "-".repeat(w)).join("-+-"), ...text.map(line)].join("\n");
}

function cellText(v: Cell): string {
  if (v === null || v === undefined) return "—";
  return typeof v === "number" ? String(v) : v;
}

/** Fixed decimals, or "—" for a missing or non-finite value. */
export function fixed(v: number | null | undefined, digits: number): string {
  return v === null || v === undefined || !Number.isFinite(v) ? "—" : v.toFixed(digits);
}

/** Seconds with 3 significant-ish digits: 0.0123, 0.123, 1.23, 12.3. */
export function seconds(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  if (v >= 10) return v.toFixed(1);
  if (v >= 1) return v.toFixed(2);
  if (v >= 0.1) return v.toFixed(3);
  return v.toFixed(4);
}

/** Bytes as MiB. */
export function mib(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined || !Number.isFinite(bytes) ? "—" : `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}
