/**
 * Summary statistics of a column, as shown on dataset pages and stored with the dataset
 * (DatasetColumn.stats, JSON: every undefined quantity is `null`, never NaN).
 *
 * NUMBER follows pandas' `describe()`: `count` (non-missing), `mean`, `std` with ddof = 1
 * (sample standard deviation), `min`, quartiles with numpy's default linear interpolation
 * (`numpy.percentile(x, [25, 50, 75])`), `max`; plus a 20-bin histogram equal to
 * `numpy.histogram(x, bins=20)`. BOOLEAN and CATEGORY give counts.
 *
 * Moments (count, mean, M2, min, max) are computed per chunk by two passes and merged with Chan
 * et al.'s formula, so they can be computed chunk by chunk; quantiles and the histogram need all
 * values (a sort).
 */
import { MISSING_CODE, type Column } from "./columns.ts";
import { pairwiseSum } from "./summation.ts";

export interface Histogram {
  /** bins + 1 increasing edges; bin k is [edges[k], edges[k+1]), the last bin is closed */
  edges: number[];
  counts: number[];
}

/**
 * One flat shape for every column type (the GraphQL `ColumnStats` type): fields that do not
 * apply to the column's type, or that are undefined because every value is missing, are null.
 */
export interface ColumnStats {
  /** non-missing values */
  count: number;
  missing: number;
  /** NUMBER: mean; BOOLEAN: share of true values */
  mean: number | null;
  /** NUMBER: sample standard deviation (ddof = 1, as pandas describe); null when count < 2 */
  std: number | null;
  min: number | null;
  q25: number | null;
  median: number | null;
  q75: number | null;
  max: number | null;
  /** CATEGORY: categories that occur at least once */
  distinct: number | null;
  /** CATEGORY: most frequent values, count descending, ties in order of first appearance */
  topValues: ValueCount[] | null;
  /** BOOLEAN */
  trueCount: number | null;
  falseCount: number | null;
  /** NUMBER: equal-width histogram of the non-missing values */
  histogram: Histogram | null;
}

export interface ValueCount {
  value: string;
  count: number;
}

export interface StatsOptions {
  /** histogram bins for NUMBER columns (default 20) */
  bins?: number;
  /** how many top values for CATEGORY columns (default 10) */
  topK?: number;
}

const NONE = {
  mean: null, std: null, min: null, q25: null, median: null, q75: null, max: null,
  distinct: null, topValues: null, trueCount: null, falseCount: null, histogram: null,
} as const satisfies Omit<ColumnStats, "count" | "missing">;

/** Statistics of one column, dispatched on its type. */
export function columnStats(column: Column, options: StatsOptions = {}): ColumnStats {
  switch (column.type) {
    case "NUMBER":
      return numberStats(column.values, options.bins ?? 20);
    case "BOOLEAN":
      return booleanStats(column.values);
    case "CATEGORY":
      return categoryStats(column.values, column.categories, options.topK ?? 10);
  }
}

/**
 * Running moments of the non-missing values: count, mean, M2 = Σ(x − mean)², min, max.
 * Mergeable, so chunks can be summarised independently.
 */
export interface Moments {
  count: number;
  mean: number;
  m2: number;
  min: number;
  max: number;
}

export function emptyMoments(): Moments {
  return { count: 0, mean: 0, m2: 0, min: Infinity, max: -Infinity };
}

/**
 * Moments of values[start, end) (NaN skipped) by the corrected two-pass algorithm (Chan, Golub &
 * LeVeque 1983; scikit-learn's `_incremental_mean_and_var`): mean = Σx/n, then
 * M2 = Σ(x − mean)² − (Σ(x − mean))²/n, where the second term cancels the rounding of the mean.
 * Σx is summed in numpy's pairwise order, so the mean equals numpy.nanmean's.
 * One-pass Welford loses ~6 digits on data like 1e9 + N(0, 1e-3); two passes over a chunk
 * already in memory cost little.
 */
export function momentsOf(values: Float64Array, start = 0, end = values.length): Moments {
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = start; i < end; i++) {
    const x = values[i];
    if (x !== x) continue;
    count++;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (count === 0) return emptyMoments();
  const mean = pairwiseSum(values, start, end) / count;
  let correction = 0;
  let squares = 0;
  for (let i = start; i < end; i++) {
    const x = values[i];
    if (x !== x) continue;
    const d = x - mean;
    correction += d;
    squares += d * d;
  }
  return { count, mean, m2: squares - (correction * correction) / count, min, max };
}

/**
 * Combine the moments of two disjoint sets of values, e.g. two chunks (Chan, Golub & LeVeque
 * 1979, "Updating formulae and a pairwise algorithm for computing sample variances").
 */
export function mergeMoments(a: Moments, b: Moments): Moments {
  if (a.count === 0) return { ...b };
  if (b.count === 0) return { ...a };
  const count = a.count + b.count;
  const delta = b.mean - a.mean;
  return {
    count,
    mean: a.mean + (delta * b.count) / count,
    m2: a.m2 + b.m2 + (delta * delta * a.count * b.count) / count,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
  };
}

/** Sample variance (ddof) from moments; NaN when count ≤ ddof. */
export function momentsVariance(m: Moments, ddof: number): number {
  return m.count > ddof ? m.m2 / (m.count - ddof) : NaN;
}

/**
 * The q-quantile (q in [0, 1]) of ascending `sorted` values, numpy's default 'linear' method
 * (Hyndman & Fan type 7): h = (n − 1)·q, interpolate between sorted[⌊h⌋] and sorted[⌊h⌋ + 1].
 * The interpolation is numpy's `_lerp`, which works from the nearer end so that results match
 * numpy bit for bit. NaN for an empty array.
 */
export function quantileSorted(sorted: Float64Array, q: number): number {
  return quantileOfOrder(sorted.length, q, (rank) => sorted[rank]);
}

/** numpy's `_lerp`: a + (b − a)·γ, computed from the nearer end. */
function lerp(a: number, b: number, gamma: number): number {
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/**
 * The order statistics of `values` at chosen ranks (0-based): what a sort would put at those
 * positions, without sorting. Counting sort by value into ORDER_STATISTIC_BUCKETS equal-width
 * buckets between the least and the greatest value (the bucket of x never decreases as x
 * grows, so every value of a bucket is ≤ every value of the next), then sorting only the
 * buckets that hold a wanted rank: three passes over the values and a few small sorts. Data
 * bunched in few buckets costs at most about one sort. 800k values, ~1,000 ranks: ~15 ms where
 * a sort takes ~80 ms (README, Performance). `values` must be NaN-free; it is not modified.
 *
 * `countAtMost(x)` counts the values ≤ x from the same buckets: at once when x falls in a
 * sorted bucket or an empty one, as a quantile between two wanted ranks always does (no value
 * lies between two consecutive order statistics), else by one pass over the values.
 */
export class OrderStatistics {
  private readonly min: number;
  private readonly max: number;
  private readonly scale: number;
  private readonly buckets: number;
  /** first[b]: the rank of bucket b's least value; first[buckets] = n */
  private readonly first: Int32Array;
  /** where a sorted bucket's values sit in `pool` (−1: not kept) */
  private readonly offset: Int32Array;
  private readonly pool: Float64Array;

  constructor(
    private readonly values: Float64Array,
    wanted: Iterable<number>,
  ) {
    const n = values.length;
    const ranks = [...new Set(wanted)].sort((a, b) => a - b);
    if (ranks.length > 0 && (ranks[0] < 0 || ranks[ranks.length - 1] >= n || !ranks.every(Number.isInteger))) {
      throw new RangeError(`OrderStatistics: ranks must be integers in 0..${n - 1}`);
    }
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    this.min = min;
    this.max = max;
    this.buckets = Math.max(1, Math.min(ORDER_STATISTIC_BUCKETS, n));
    const scale = this.buckets / (max - min);
    // One value, or a range too wide for a double (max − min overflows): one bucket, a plain sort.
    this.scale = scale > 0 && Number.isFinite(scale) ? scale : 0;
    const first = (this.first = new Int32Array(this.buckets + 1));
    for (let i = 0; i < n; i++) first[this.bucketOf(values[i]) + 1]++;
    for (let b = 0; b < this.buckets; b++) first[b + 1] += first[b];
    const offset = (this.offset = new Int32Array(this.buckets).fill(-1));
    let pooled = 0;
    for (let k = 0, b = 0; k < ranks.length; k++) {
      while (first[b + 1] <= ranks[k]) b++;
      if (offset[b] < 0) {
        offset[b] = pooled;
        pooled += first[b + 1] - first[b];
      }
    }
    const pool = (this.pool = new Float64Array(pooled));
    const cursor = offset.slice();
    for (let i = 0; i < n; i++) {
      const b = this.bucketOf(values[i]);
      if (cursor[b] >= 0) pool[cursor[b]++] = values[i];
    }
    for (let b = 0; b < this.buckets; b++) if (offset[b] >= 0) pool.subarray(offset[b], offset[b] + first[b + 1] - first[b]).sort();
  }

  /** The rank-th smallest value; `rank` must be one of the constructor's. */
  at(rank: number): number {
    const b = this.bucketOfRank(rank);
    if (this.offset[b] < 0) throw new RangeError(`OrderStatistics: rank ${rank} was not asked for`);
    return this.pool[this.offset[b] + rank - this.first[b]];
  }

  /** How many values are ≤ x. */
  countAtMost(x: number): number {
    return this.count(x, true);
  }

  /** How many values are < x. */
  countBelow(x: number): number {
    return this.count(x, false);
  }

  private count(x: number, inclusive: boolean): number {
    const n = this.values.length;
    if (!(x >= this.min)) return 0; // also NaN, and no values at all
    if (inclusive ? x >= this.max : x > this.max) return n;
    const b = this.bucketOf(x);
    const start = this.first[b];
    const size = this.first[b + 1] - start;
    if (size === 0) return start;
    if (this.offset[b] >= 0) {
      // Upper (inclusive) or lower bound of x in the bucket's sorted values.
      let lo = this.offset[b];
      let hi = lo + size;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (inclusive ? this.pool[mid] <= x : this.pool[mid] < x) lo = mid + 1;
        else hi = mid;
      }
      return start + lo - this.offset[b];
    }
    let count = 0;
    for (let i = 0; i < n; i++) if (inclusive ? this.values[i] <= x : this.values[i] < x) count++;
    return count;
  }

  private bucketOf(x: number): number {
    return this.scale === 0 ? 0 : Math.min(this.buckets - 1, Math.max(0, Math.floor((x - this.min) * this.scale)));
  }

  private bucketOfRank(rank: number): number {
    // The last bucket whose first rank is ≤ rank (a binary search over the prefix sums).
    let lo = 0;
    let hi = this.buckets - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.first[mid] <= rank) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** Buckets of {@link OrderStatistics}: 256 KiB of counts, a dozen values a bucket at 800k values. */
const ORDER_STATISTIC_BUCKETS = 1 << 16;

/** The ranks {@link quantileSorted} reads for each q: ⌊(n − 1)·q⌋ and the one after it. */
export function quantileRanks(n: number, qs: readonly number[]): number[] {
  if (n === 0) return [];
  return qs.flatMap((q) => {
    const lo = Math.min(n - 1, Math.max(0, Math.floor((n - 1) * q)));
    return lo < n - 1 ? [lo, lo + 1] : [lo];
  });
}

/**
 * The q-quantile of n values from their order statistics: `at(rank)` is the rank-th smallest.
 * Reads only the {@link quantileRanks} of q.
 */
export function quantileOfOrder(n: number, q: number, at: (rank: number) => number): number {
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  if (lo >= n - 1) return at(n - 1);
  if (lo < 0) return at(0);
  return lerp(at(lo), at(lo + 1), h - lo);
}

/**
 * The same quantiles as {@link quantileSorted}, without sorting: the order statistics each one
 * reads ({@link OrderStatistics}). `values` must be NaN-free. 1M values: three quartiles in
 * ~20 ms instead of a ~105 ms sort.
 */
export function quantilesOf(values: Float64Array, qs: readonly number[]): number[] {
  if (values.length === 0) return qs.map(() => NaN);
  const order = new OrderStatistics(values, quantileRanks(values.length, qs));
  return qs.map((q) => quantileOfOrder(values.length, q, (rank) => order.at(rank)));
}

/**
 * Equal-width histogram of the non-missing values between min and max, computed like
 * `numpy.histogram(x, bins)`: edges = linspace(min, max, bins + 1) (min ± 0.5 when min = max),
 * bin = ⌊(x − min)·bins/(max − min)⌋ corrected by one against the actual edges.
 */
export function histogram(values: Float64Array, bins: number, min: number, max: number): Histogram {
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const edges = new Array<number>(bins + 1);
  const step = (last - first) / bins;
  for (let k = 0; k < bins; k++) edges[k] = k * step + first;
  edges[bins] = last;
  const counts = new Array<number>(bins).fill(0);
  const norm = bins / (last - first);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!(x >= first && x <= last)) continue; // also skips NaN
    let k = Math.trunc((x - first) * norm);
    if (k === bins) k--;
    if (x < edges[k]) k--;
    else if (k !== bins - 1 && x >= edges[k + 1]) k++;
    counts[k]++;
  }
  return { edges, counts };
}

/** Statistics of a NUMBER column (NaN = missing). */
export function numberStats(values: Float64Array, bins = 20): ColumnStats {
  const m = momentsOf(values);
  const missing = values.length - m.count;
  if (m.count === 0) return { ...NONE, count: 0, missing };
  const present = new Float64Array(m.count);
  for (let i = 0, k = 0; i < values.length; i++) if (values[i] === values[i]) present[k++] = values[i];
  const [q25, median, q75] = quantilesOf(present, [0.25, 0.5, 0.75]);
  return {
    ...NONE,
    count: m.count,
    missing,
    mean: m.mean,
    std: m.count > 1 ? Math.sqrt(momentsVariance(m, 1)) : null,
    min: m.min,
    q25,
    median,
    q75,
    max: m.max,
    histogram: histogram(values, bins, m.min, m.max),
  };
}

/** Statistics of a BOOLEAN column (0/1, NaN = missing). */
export function booleanStats(values: Float64Array): ColumnStats {
  let trueCount = 0;
  let falseCount = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === 1) trueCount++;
    else if (values[i] === 0) falseCount++;
  }
  const count = trueCount + falseCount;
  return { ...NONE, count, missing: values.length - count, trueCount, falseCount, mean: count === 0 ? null : trueCount / count };
}

/** Occurrences of each code (missing codes skipped): the mergeable part of category stats. */
export function categoryCounts(codes: Int32Array, nCategories: number): Float64Array {
  const counts = new Float64Array(nCategories);
  for (let i = 0; i < codes.length; i++) if (codes[i] !== MISSING_CODE) counts[codes[i]]++;
  return counts;
}

/** Statistics of a CATEGORY column (codes into `categories`, -1 = missing). */
export function categoryStats(codes: Int32Array, categories: readonly string[], topK = 10): ColumnStats {
  const counts = categoryCounts(codes, categories.length);
  let count = 0;
  let distinct = 0;
  for (let k = 0; k < counts.length; k++) {
    count += counts[k];
    if (counts[k] > 0) distinct++;
  }
  // Codes are in order of first appearance, so a stable sort on count keeps ties in that order.
  const order = Array.from({ length: counts.length }, (_, k) => k)
    .filter((k) => counts[k] > 0)
    .sort((a, b) => counts[b] - counts[a]);
  const topValues = order.slice(0, topK).map((k) => ({ value: categories[k], count: counts[k] }));
  return { ...NONE, count, missing: codes.length - count, distinct, topValues };
}
