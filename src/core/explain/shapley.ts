/**
 * Model-agnostic Shapley values of one prediction (interventional, over a background sample):
 * the game is v(S) = (1/B) Σ_b f(x_S, z_b,S̄), the model's mean output when the groups in S
 * take x's values and the others those of background row z_b, and group g gets
 *
 *   φ_g = Σ_{S ⊆ N∖{g}} |S|!(G − |S| − 1)!/G! · (v(S ∪ {g}) − v(S))
 *       = E_π [v(Pre_π(g) ∪ {g}) − v(Pre_π(g))]   (π uniform over the G! orderings),
 *
 * so that v(∅) + Σ_g φ_g = v(N) = f(x) (efficiency), with v(∅) = E_b f(z_b) the base value.
 *
 * `samplingShapleyValues` estimates the second form by Monte Carlo over orderings (Štrumbelj &
 * Kononenko, "Explaining prediction models and individual predictions with feature
 * contributions", Knowl. Inf. Syst. 41, 2014, Alg. 1), with one change that makes efficiency
 * hold for every sample, not only in expectation: an ordering is not paired with one random
 * background row but walked through with all of them. Starting from the background rows
 * (v(∅)), the groups switch to x's values one at a time in the order π, and each group is
 * credited the mean change of f; the credits of one ordering telescope to f(x) − v(∅) (up to
 * rounding, ~1e-16 relative).
 * Each ordering is one batched model call on the (G − 1)·B intermediate rows. Antithetic
 * sampling pairs each ordering with its reverse (Mitchell, Cooper, Frank & Holmes, "Sampling
 * permutations for Shapley value estimation", JMLR 23, 2022). Where a pair of groups interacts,
 * one ordering credits the interaction to whichever comes second and its reverse to the other,
 * so the pair's average splits it in halves as φ does: the estimate is exact, with zero
 * variance, for models that are sums of terms in at most two groups (an additive model is
 * exact from any single ordering), and has reduced variance near them.
 *
 * `exactShapleyValues` enumerates the 2^G coalitions (the first form), for few groups.
 *
 * Shapes: x has p values, background is B × p, f maps an m × p matrix to m outputs (one
 * output per row: a regression value, a class probability or a logit). The matrices passed to
 * f are reused between calls: f must not keep or modify them.
 */
import { InvalidInputError } from "../errors.ts";
import { mean } from "../linalg/kernels.ts";
import { matrix, type Matrix } from "../matrix.ts";
import { createRandom, permutation } from "../random.ts";
import { resolveGroups } from "./groups.ts";

/** A model's batch prediction: m × p rows in, m outputs out. */
export type BatchPredictor = (X: Matrix) => ArrayLike<number>;

export interface ShapleyOptions {
  /** column groups explained together (each column in exactly one); default each column alone */
  groups?: readonly (readonly number[])[];
}

export interface SamplingShapleyOptions extends ShapleyOptions {
  /** orderings to sample (rounded up to even when antithetic); default 100 */
  nSamples?: number;
  /** seed of the orderings (src/core/random.ts); default 0 */
  seed?: number;
  /** pair each ordering with its reverse; default false */
  antithetic?: boolean;
}

export interface ShapleyValues {
  /** f(x) */
  prediction: number;
  /** mean of f over the background rows, v(∅) */
  baseValue: number;
  /** one per group (per column without groups); baseValue + Σ contributions = prediction */
  contributions: Float64Array;
}

export interface SampledShapleyValues extends ShapleyValues {
  /**
   * standard error of each contribution: the sample standard deviation of the per-ordering
   * (per-pair when antithetic) credits over √m, m their number; NaN when m < 2
   */
  standardError: Float64Array;
  /** orderings evaluated */
  nPermutations: number;
}

/** Most groups exactShapleyValues enumerates (2^G coalitions). */
export const EXACT_MAX_GROUPS = 16;
/** Rows per model call when enumerating coalitions. */
const EXACT_BATCH_ROWS = 1 << 16;

/**
 * Rows samplingShapleyValues passes to the model for G groups, B background rows and
 * nSamples orderings: (G − 1)·B per ordering walked, plus x and the background. The work of
 * one explanation is this times the model's cost per row (e.g. support vectors × features).
 */
export function samplingShapleyRows(G: number, B: number, nSamples: number, antithetic: boolean): number {
  const walks = antithetic ? 2 * Math.ceil(nSamples / 2) : nSamples;
  return walks * Math.max(0, G - 1) * B + 1 + B;
}

/**
 * Monte Carlo Shapley values by sampled orderings (module comment). Cost: nSamples model calls
 * on (G − 1)·B rows each, plus one on x and one on the background.
 *
 * @param f          batch predictor
 * @param x          the row to explain, length p
 * @param background B × p reference rows (e.g. ~100 training rows; cost grows linearly in B)
 * @example
 * const phi = samplingShapleyValues((X) => model.predict(X), row, takeRows(Xtrain, sample), { nSamples: 200, seed: 7 });
 * phi.baseValue + phi.contributions.reduce((a, b) => a + b) // ≈ phi.prediction (to rounding)
 */
export function samplingShapleyValues(f: BatchPredictor, x: ArrayLike<number>, background: Matrix, options: SamplingShapleyOptions = {}): SampledShapleyValues {
  const nSamples = options.nSamples ?? 100;
  if (!Number.isInteger(nSamples) || nSamples < 1) {
    throw new InvalidInputError(`nSamples must be a positive integer (orderings to sample), got ${nSamples}.`, { field: "nSamples" });
  }
  const { groups, prediction, baseValue, fBackground } = setUp(f, x, background, options.groups);
  const antithetic = options.antithetic ?? false;
  const units = antithetic ? Math.ceil(nSamples / 2) : nSamples;
  const random = createRandom(options.seed ?? 0);
  const G = groups.length;
  const { rows: B, cols: p } = background;
  const steps = G - 1;
  // One reusable batch: block b (B rows) holds the background with groups π₀ … π_b set to x.
  const batch = matrix(steps * B, p);
  const xs = Float64Array.from(x);

  /** Credits of ordering `order` into `out` (length G). */
  const walk = (order: Int32Array, out: Float64Array): void => {
    const buffer = batch.data;
    const blockSize = B * p;
    for (let b = 0; b < steps; b++) {
      const offset = b * blockSize;
      if (b === 0) buffer.set(background.data, 0);
      else buffer.copyWithin(offset, offset - blockSize, offset);
      const columns = groups[order[b]];
      for (let r = 0, at = offset; r < B; r++, at += p) for (const j of columns) buffer[at + j] = xs[j];
    }
    const F = steps > 0 ? predict(f, batch) : new Float64Array(0);
    for (let b = 0; b < G; b++) {
      let sum = 0;
      for (let r = 0; r < B; r++) {
        const current = b < steps ? F[b * B + r] : prediction;
        const previous = b === 0 ? fBackground[r] : F[(b - 1) * B + r];
        sum += current - previous;
      }
      out[order[b]] = sum / B;
    }
  };

  // Welford's running mean and sum of squared deviations of the per-unit credits.
  const average = new Float64Array(G);
  const m2 = new Float64Array(G);
  const credit = new Float64Array(G);
  const reverse = new Float64Array(G);
  const reversed = new Int32Array(G);
  for (let u = 0; u < units; u++) {
    const order = permutation(G, random);
    walk(order, credit);
    if (antithetic) {
      for (let i = 0; i < G; i++) reversed[i] = order[G - 1 - i];
      walk(reversed, reverse);
      for (let g = 0; g < G; g++) credit[g] = 0.5 * (credit[g] + reverse[g]);
    }
    for (let g = 0; g < G; g++) {
      const delta = credit[g] - average[g];
      average[g] += delta / (u + 1);
      m2[g] += delta * (credit[g] - average[g]);
    }
  }
  const standardError = Float64Array.from(m2, (v) => (units > 1 ? Math.sqrt(v / (units - 1) / units) : NaN));
  return { prediction, baseValue, contributions: average, standardError, nPermutations: antithetic ? 2 * units : units };
}

/**
 * Exact Shapley values by enumerating the 2^G coalitions (module comment, first form): model
 * calls on 2^G·B rows in all, batched by up to 65536 rows. For G ≤ EXACT_MAX_GROUPS.
 *
 * @example exactShapleyValues((X) => model.predict(X), row, background, { groups: [[0], [1, 2, 3], [4]] })
 */
export function exactShapleyValues(f: BatchPredictor, x: ArrayLike<number>, background: Matrix, options: ShapleyOptions = {}): ShapleyValues {
  const { groups, prediction, baseValue } = setUp(f, x, background, options.groups);
  const G = groups.length;
  if (G > EXACT_MAX_GROUPS) {
    throw new InvalidInputError(`Exact Shapley values enumerate 2^G coalitions; ${G} groups is more than ${EXACT_MAX_GROUPS}. Use samplingShapleyValues or fewer groups.`, {
      field: "groups",
    });
  }
  const { rows: B, cols: p } = background;
  const full = (1 << G) - 1;
  // v(S) for every coalition S (bit g set: group g takes x's values); v(∅) and v(N) as above.
  const value = new Float64Array(full + 1);
  value[0] = baseValue;
  value[full] = prediction;
  const perBatch = Math.max(1, Math.floor(EXACT_BATCH_ROWS / B));
  const batch = matrix(Math.min(perBatch, Math.max(full - 1, 1)) * B, p);
  for (let first = 1; first < full; first += perBatch) {
    const last = Math.min(first + perBatch, full);
    const view = matrix((last - first) * B, p, batch.data.subarray(0, (last - first) * B * p));
    for (let S = first; S < last; S++) {
      const offset = (S - first) * B * p;
      view.data.set(background.data, offset);
      for (let g = 0; g < G; g++) {
        if (!(S & (1 << g))) continue;
        for (let r = 0, at = offset; r < B; r++, at += p) for (const j of groups[g]) view.data[at + j] = x[j];
      }
    }
    const F = predict(f, view);
    for (let S = first; S < last; S++) {
      let sum = 0;
      for (let r = 0; r < B; r++) sum += F[(S - first) * B + r];
      value[S] = sum / B;
    }
  }
  // weight(s) = s!(G − s − 1)!/G! = 1/(G·C(G − 1, s))
  const weight = new Float64Array(G);
  let binomial = 1;
  for (let s = 0; s < G; s++) {
    weight[s] = 1 / (G * binomial);
    binomial = (binomial * (G - 1 - s)) / (s + 1);
  }
  const contributions = new Float64Array(G);
  for (let S = 0; S < full; S++) {
    const size = popcount(S);
    for (let g = 0; g < G; g++) {
      const bit = 1 << g;
      if (!(S & bit)) contributions[g] += weight[size] * (value[S | bit] - value[S]);
    }
  }
  return { prediction, baseValue, contributions };
}

function setUp(f: BatchPredictor, x: ArrayLike<number>, background: Matrix, groupsOption: ShapleyOptions["groups"]) {
  const { rows: B, cols: p } = background;
  if (x.length !== p) throw new RangeError(`Shapley values: x has ${x.length} values but the background has ${p} columns`);
  if (B === 0) throw new InvalidInputError("The background sample needs at least one row (e.g. ~100 training rows).", { field: "background" });
  const groups = resolveGroups(groupsOption, p, true);
  const prediction = predict(f, matrix(1, p, Float64Array.from(x)))[0];
  const fBackground = predict(f, background);
  return { groups, prediction, baseValue: mean(fBackground), fBackground };
}

/** f(X) as a Float64Array, checked: one finite output per row. */
function predict(f: BatchPredictor, X: Matrix): Float64Array {
  const out = f(X);
  if (out.length !== X.rows) throw new RangeError(`Shapley values: the model returned ${out.length} outputs for ${X.rows} rows`);
  const values = out instanceof Float64Array ? out : Float64Array.from(out);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new InvalidInputError(`The model returned a non-finite output (${values[i]}) for a synthetic row; Shapley values need finite outputs everywhere.`, {
        field: "model",
      });
    }
  }
  return values;
}

function popcount(v: number): number {
  let c = 0;
  for (let u = v; u !== 0; u &= u - 1) c++;
  return c;
}
