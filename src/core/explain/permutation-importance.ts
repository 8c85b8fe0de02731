/**
 * Permutation importance (Breiman, "Random forests", Mach. Learn. 45, 2001, §10; as
 * scikit-learn 1.2's `sklearn.inspection.permutation_importance`): the drop of a score when
 * one feature's column is shuffled across rows, which breaks its link with the target while
 * keeping its marginal distribution,
 *
 *   importance_{g,r} = s(X) − s(X with the columns of group g permuted by π_r),   r = 1 … nRepeats,
 *
 * reported as the mean and standard deviation over the repeats (numpy's `np.std`, ddof = 0,
 * as scikit-learn). The columns of a group share one row permutation, so a one-hot block stays
 * a valid one-hot row. As in scikit-learn, every group sees the same nRepeats permutations
 * (it reseeds per column with one seed), which makes the differences between features less
 * noisy than independent shuffles would.
 *
 * The score comes from a black-box `scorer(X)`, higher is better (an R², an accuracy, a
 * negated loss), closing over the model and the target. A feature the model does not use
 * leaves the scorer's input to it unchanged and gets importance exactly 0.
 */
import { InvalidInputError } from "../errors.ts";
import { matrix, type Matrix } from "../matrix.ts";
import { createRandom, permutation } from "../random.ts";
import { resolveGroups } from "./groups.ts";

/** The score of a model on rows X (same rows, same order as the target it closes over); higher is better. */
export type Scorer = (X: Matrix) => number;

export interface PermutationImportanceOptions {
  /** shuffles per feature; default 5 (scikit-learn's n_repeats) */
  nRepeats?: number;
  /** seed of the shuffles (src/core/random.ts); default 0 */
  seed?: number;
  /** column groups permuted together; default each column alone (groups may overlap or leave columns out) */
  groups?: readonly (readonly number[])[];
}

export interface PermutationImportance {
  /** scorer(X) on the unshuffled rows */
  baselineScore: number;
  /** mean score drop per group (per column without groups) */
  importancesMean: Float64Array;
  /** standard deviation (ddof 0) of the drops per group */
  importancesStd: Float64Array;
  /** the drops, groups × nRepeats (scikit-learn's `importances`) */
  importances: Matrix;
}

/**
 * Cost: 1 + G·nRepeats scorer calls on an n × p copy of X (the one allocation of that size;
 * each shuffle writes and restores only the group's columns).
 *
 * @param scorer higher is better; called with a working copy that it must not keep or modify
 * @param X      n × p rows the model is scored on (typically held-out data)
 * @example
 * const scorer = (Xs: Matrix) => r2Score(yTest, model.predict(Xs));
 * const { importancesMean } = permutationImportance(scorer, Xtest, { nRepeats: 10, seed: 0 });
 */
export function permutationImportance(scorer: Scorer, X: Matrix, options: PermutationImportanceOptions = {}): PermutationImportance {
  const { rows: n, cols: p, data } = X;
  const nRepeats = options.nRepeats ?? 5;
  if (!Number.isInteger(nRepeats) || nRepeats < 1) {
    throw new InvalidInputError(`nRepeats must be a positive integer (shuffles per feature), got ${nRepeats}.`, { field: "nRepeats" });
  }
  if (n < 2) throw new InvalidInputError(`Permutation importance shuffles rows; it needs at least two, got ${n}.`, { field: "rows" });
  const groups = resolveGroups(options.groups, p, false);
  const seed = options.seed ?? 0;
  const G = groups.length;

  const baselineScore = score(scorer, X);
  const work = matrix(n, p, Float64Array.from(data));
  const w = work.data;
  const importances = matrix(G, nRepeats);
  for (let g = 0; g < G; g++) {
    const columns = groups[g];
    // The same sequence of permutations for every group (module comment).
    const random = createRandom(seed);
    for (let r = 0; r < nRepeats; r++) {
      const order = permutation(n, random);
      for (let i = 0, at = 0; i < n; i++, at += p) {
        const from = order[i] * p;
        for (const j of columns) w[at + j] = data[from + j];
      }
      importances.data[g * nRepeats + r] = baselineScore - score(scorer, work);
    }
    for (let i = 0, at = 0; i < n; i++, at += p) for (const j of columns) w[at + j] = data[at + j];
  }

  const importancesMean = new Float64Array(G);
  const importancesStd = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    const drops = importances.data.subarray(g * nRepeats, (g + 1) * nRepeats);
    let sum = 0;
    for (const v of drops) sum += v;
    const m = sum / nRepeats;
    let ss = 0;
    for (const v of drops) ss += (v - m) * (v - m);
    importancesMean[g] = m;
    importancesStd[g] = Math.sqrt(ss / nRepeats);
  }
  return { baselineScore, importancesMean, importancesStd, importances };
}

function score(scorer: Scorer, X: Matrix): number {
  const s = scorer(X);
  if (typeof s !== "number" || !Number.isFinite(s)) {
    throw new InvalidInputError(`The scorer returned ${s}; permutation importance needs a finite score (higher is better).`, { field: "scorer" });
  }
  return s;
}
