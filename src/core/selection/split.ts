/**
 * Seeded row splits: train/test and k folds, optionally stratified by class.
 *
 * Indices come back in ascending order (each set is a sorted Int32Array), so that gathering rows
 * reads memory forward; estimators that care about order shuffle with their own seed. The same
 * (n, options) always gives the same split: randomness comes from core/random.ts only.
 */
import { InvalidInputError } from "../errors.ts";
import { createRandom, permutation, type Random } from "../random.ts";

export interface Split {
  train: Int32Array;
  test: Int32Array;
}

export interface TrainTestSplitOptions {
  /** share of rows held out for testing, in [0, 1); 0 → every row trains, test is empty */
  testFraction: number;
  seed: number;
  /**
   * class of each row (class indices, category codes, or any numeric label): the test set then
   * keeps each class's share of rows, as scikit-learn's `stratify=y`
   */
  stratify?: Float64Array | Int32Array;
  /** fewest training rows accepted (default 1) */
  minTrain?: number;
}

/**
 * Split row indices 0..n-1 into train and test.
 *
 * n_test = ⌈testFraction·n⌉ as in scikit-learn's `train_test_split` (computed with a 1e-9 slack,
 * so that 0.3·10 gives 3 rather than the 4 that 3.0000000000000004 would round up to).
 * Stratified: each class c of size n_c gets ⌊n_c·n_test/n⌋ test rows plus, by largest remainder,
 * one of the leftover rows (never its last training row); members are drawn uniformly within
 * each class.
 *
 * @throws InvalidInputError (`field`: testFraction, stratify) when testFraction is outside [0, 1),
 *   the train set would have fewer than `minTrain` rows, or (stratified, with a test set) a class
 *   has a single row or there are fewer train/test rows than classes.
 */
export function trainTestSplit(n: number, options: TrainTestSplitOptions): Split {
  const { testFraction, seed, stratify, minTrain = 1 } = options;
  checkCount(n);
  checkSeed(seed);
  if (!(testFraction >= 0 && testFraction < 1)) {
    throw new InvalidInputError(`testFraction must be in [0, 1), got ${testFraction}; use 0 to train on every row.`, { field: "testFraction" });
  }
  const nTest = Math.ceil(testFraction * n - 1e-9);
  const nTrain = n - nTest;
  if (nTrain < minTrain) {
    throw new InvalidInputError(
      `A test fraction of ${testFraction} on ${n} rows leaves ${nTrain} training row${nTrain === 1 ? "" : "s"}; at least ${minTrain} ${minTrain === 1 ? "is" : "are"} needed. Lower testFraction or add rows.`,
      { field: "testFraction", rows: n, train: nTrain, minTrain },
    );
  }
  const random = createRandom(seed);
  const isTest = new Uint8Array(n);
  if (stratify === undefined || nTest === 0) {
    if (stratify !== undefined) checkLength(stratify, n);
    const order = permutation(n, random);
    for (let k = 0; k < nTest; k++) isTest[order[k]] = 1;
  } else {
    checkLength(stratify, n);
    const groups = classGroups(stratify);
    checkStratifiable(groups, nTrain, nTest);
    const quota = allocateTest(groups.map((g) => g.length), nTest);
    groups.forEach((members, c) => {
      shuffleInPlace(members, random);
      for (let k = 0; k < quota[c]; k++) isTest[members[k]] = 1;
    });
  }
  return partition(isTest, nTest);
}

export interface KFoldOptions {
  seed: number;
  /** class of each row: each fold then holds ⌊n_c/k⌋ or ⌈n_c/k⌉ rows of every class c */
  stratify?: Float64Array | Int32Array;
}

/**
 * k folds for cross-validation: fold f tests on its rows and trains on the others. Every row is
 * in exactly one test set; fold sizes differ by at most one.
 *
 * Rows are shuffled (within each class when stratified), laid end to end class after class, and
 * dealt to folds in turn: the i-th row of that order goes to fold i mod k.
 *
 * @throws InvalidInputError (`field`: k) unless 2 ≤ k ≤ n, or when stratified and every class has
 *   fewer than k rows (scikit-learn's StratifiedKFold rule; a class smaller than k is absent from
 *   some folds).
 */
export function kFold(n: number, k: number, options: KFoldOptions): Split[] {
  const { seed, stratify } = options;
  checkCount(n);
  checkSeed(seed);
  if (!Number.isInteger(k) || k < 2 || k > n) {
    throw new InvalidInputError(`k must be an integer between 2 and the number of rows (${n}), got ${k}.`, { field: "k" });
  }
  const random = createRandom(seed);
  let order: Int32Array;
  if (stratify === undefined) {
    order = permutation(n, random);
  } else {
    checkLength(stratify, n);
    const groups = classGroups(stratify);
    if (groups.every((members) => members.length < k)) {
      throw new InvalidInputError(`k = ${k} folds is more than the rows of every class (largest: ${Math.max(...groups.map((g) => g.length))}); lower k.`, { field: "k" });
    }
    order = new Int32Array(n);
    let offset = 0;
    for (const members of groups) {
      shuffleInPlace(members, random);
      order.set(members, offset);
      offset += members.length;
    }
  }
  const foldOf = new Int32Array(n);
  const sizes = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    foldOf[order[i]] = i % k;
    sizes[i % k]++;
  }
  const splits: Split[] = [];
  const isTest = new Uint8Array(n);
  for (let f = 0; f < k; f++) {
    for (let i = 0; i < n; i++) isTest[i] = foldOf[i] === f ? 1 : 0;
    splits.push(partition(isTest, sizes[f]));
  }
  return splits;
}

/** Ascending train (flag 0) and test (flag 1) indices. */
function partition(isTest: Uint8Array, nTest: number): Split {
  const train = new Int32Array(isTest.length - nTest);
  const test = new Int32Array(nTest);
  for (let i = 0, a = 0, b = 0; i < isTest.length; i++) {
    if (isTest[i] === 1) test[b++] = i;
    else train[a++] = i;
  }
  return { train, test };
}

/** Row indices of each class, classes in order of first appearance. */
function classGroups(labels: Float64Array | Int32Array): Int32Array[] {
  const classOf = new Map<number, number>();
  const sizes: number[] = [];
  const label = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const value = labels[i];
    if (value !== value || (labels instanceof Int32Array && value < 0)) {
      throw new InvalidInputError(`stratify has a missing class at row ${i}; drop or impute rows with a missing target first.`, { field: "stratify", row: i });
    }
    let c = classOf.get(value);
    if (c === undefined) {
      c = sizes.push(0) - 1;
      classOf.set(value, c);
    }
    sizes[c]++;
    label[i] = c;
  }
  const groups = sizes.map((size) => new Int32Array(size));
  const fill = new Int32Array(sizes.length);
  for (let i = 0; i < labels.length; i++) groups[label[i]][fill[label[i]]++] = i;
  return groups;
}

function checkStratifiable(groups: Int32Array[], nTrain: number, nTest: number): void {
  const smallest = Math.min(...groups.map((g) => g.length));
  if (smallest < 2) {
    throw new InvalidInputError("A class has a single row, too few to appear in both the train and the test set; merge rare classes or split without stratify.", { field: "stratify" });
  }
  if (nTest < groups.length || nTrain < groups.length) {
    throw new InvalidInputError(
      `A stratified split needs at least one row of each of the ${groups.length} classes in both sets, but it has ${nTrain} train and ${nTest} test rows; change testFraction.`,
      { field: "testFraction", classes: groups.length, train: nTrain, test: nTest },
    );
  }
}

/**
 * Test rows per class: proportional quotas, leftovers by largest remainder (Hamilton's method),
 * ties to the larger class, never taking a class's last training row.
 */
function allocateTest(sizes: number[], nTest: number): Int32Array {
  const n = sizes.reduce((a, b) => a + b, 0);
  const quota = new Int32Array(sizes.length);
  const remainder = new Float64Array(sizes.length);
  let left = nTest;
  sizes.forEach((size, c) => {
    const exact = (size * nTest) / n;
    quota[c] = Math.min(Math.floor(exact), size - 1);
    remainder[c] = exact - quota[c];
    left -= quota[c];
  });
  const order = sizes.map((_, c) => c).sort((a, b) => remainder[b] - remainder[a] || sizes[b] - sizes[a] || a - b);
  for (let pass = 0; left > 0; pass++) {
    const c = order[pass % order.length];
    if (quota[c] < sizes[c] - 1) {
      quota[c]++;
      left--;
    }
  }
  return quota;
}

function shuffleInPlace(a: Int32Array, random: Random): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

function checkCount(n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new InvalidInputError(`The number of rows must be a non-negative integer, got ${n}.`, { field: "n" });
}

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed)) throw new InvalidInputError(`seed must be an integer, got ${seed}.`, { field: "seed" });
}

function checkLength(labels: Float64Array | Int32Array, n: number): void {
  if (labels.length !== n) throw new InvalidInputError(`stratify has ${labels.length} labels for ${n} rows.`, { field: "stratify" });
}
