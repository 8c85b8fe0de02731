/**
 * Metrics from scores (decision values or probabilities) rather than labels, as scikit-learn
 * 1.2's `roc_curve`, `precision_recall_curve` and `roc_auc_score`.
 *
 * Binary: yTrue holds 0/1 (positive = 1), scores one value per sample, higher = more positive.
 * Tied scores form one threshold (one curve point), so a tie counts half in the AUC.
 */
import { checkSameLength, classCount } from "./checks.ts";

/**
 * Cumulative false and true positives at each distinct score, scores descending
 * (scikit-learn's `_binary_clf_curve`): fps[i], tps[i] count samples with score ≥ thresholds[i].
 *
 * The positives' and the negatives' scores are sorted apart (typed-array sorts, no comparator)
 * and merged from the top: which sample of a tie comes first never shows in the counts, so no
 * index sort is needed (an index sort with a comparator took ~90 ms for 200k scores).
 */
function binaryClfCurve(yTrue: ArrayLike<number>, scores: Float64Array): { fps: Float64Array; tps: Float64Array; thresholds: Float64Array } {
  const n = checkSameLength("binary curve", yTrue, scores);
  let nPositive = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i])) throw new RangeError(`binary curve: score ${i} is NaN`);
    if (yTrue[i] !== 0 && yTrue[i] !== 1) throw new RangeError(`binary curve: yTrue must be 0 or 1, got ${yTrue[i]} at ${i}`);
    nPositive += yTrue[i];
  }
  const positive = new Float64Array(nPositive);
  const negative = new Float64Array(n - nPositive);
  for (let i = 0, a = 0, b = 0; i < n; i++) {
    if (yTrue[i] === 1) positive[a++] = scores[i];
    else negative[b++] = scores[i];
  }
  positive.sort();
  negative.sort();
  const fps = new Float64Array(n);
  const tps = new Float64Array(n);
  const thresholds = new Float64Array(n);
  // From the highest score down: each distinct score takes all its samples of both kinds.
  let a = positive.length - 1;
  let b = negative.length - 1;
  let m = 0;
  while (a >= 0 || b >= 0) {
    const score = a < 0 ? negative[b] : b < 0 ? positive[a] : Math.max(positive[a], negative[b]);
    while (a >= 0 && positive[a] === score) a--;
    while (b >= 0 && negative[b] === score) b--;
    tps[m] = positive.length - 1 - a;
    fps[m] = negative.length - 1 - b;
    thresholds[m] = score;
    m++;
  }
  return { fps: fps.slice(0, m), tps: tps.slice(0, m), thresholds: thresholds.slice(0, m) };
}

export interface RocCurve {
  /** false positive rate at each threshold, increasing from 0 */
  fpr: Float64Array;
  /** true positive rate, increasing from 0 */
  tpr: Float64Array;
  /** decreasing; thresholds[0] = max score + 1 (scikit-learn 1.2), the point (0, 0) */
  thresholds: Float64Array;
}

/**
 * ROC curve points. With dropIntermediate (default, as scikit-learn) points that are collinear
 * with their neighbours on a horizontal or vertical run are dropped (scikit-learn's rule: keep a
 * point where the second difference of fps or tps is non-zero). fpr (tpr) is NaN when yTrue has
 * no negative (positive), as scikit-learn's (which warns).
 */
export function rocCurve(yTrue: ArrayLike<number>, scores: Float64Array, options: { dropIntermediate?: boolean } = {}): RocCurve {
  let { fps, tps, thresholds } = binaryClfCurve(yTrue, scores);
  if ((options.dropIntermediate ?? true) && fps.length > 2) {
    const keep: number[] = [0];
    for (let i = 1; i < fps.length - 1; i++) {
      const fd = fps[i + 1] - 2 * fps[i] + fps[i - 1];
      const td = tps[i + 1] - 2 * tps[i] + tps[i - 1];
      if (fd !== 0 || td !== 0) keep.push(i);
    }
    keep.push(fps.length - 1);
    fps = Float64Array.from(keep, (i) => fps[i]);
    tps = Float64Array.from(keep, (i) => tps[i]);
    thresholds = Float64Array.from(keep, (i) => thresholds[i]);
  }
  const m = fps.length + 1;
  const fpr = new Float64Array(m);
  const tpr = new Float64Array(m);
  const out = new Float64Array(m);
  const negatives = fps[fps.length - 1];
  const positives = tps[tps.length - 1];
  out[0] = thresholds[0] + 1;
  fpr[0] = negatives > 0 ? 0 : NaN;
  tpr[0] = positives > 0 ? 0 : NaN;
  for (let i = 1; i < m; i++) {
    fpr[i] = negatives > 0 ? fps[i - 1] / negatives : NaN;
    tpr[i] = positives > 0 ? tps[i - 1] / positives : NaN;
    out[i] = thresholds[i - 1];
  }
  return { fpr, tpr, thresholds: out };
}

export interface PrecisionRecallCurve {
  /** precision at each threshold, then a final 1 */
  precision: Float64Array;
  /** recall, decreasing, then a final 0 (all 1 when yTrue has no positive, as scikit-learn) */
  recall: Float64Array;
  /** every distinct score, increasing */
  thresholds: Float64Array;
}

/** Precision–recall pairs at every distinct score (scikit-learn 1.2's `precision_recall_curve`). */
export function precisionRecallCurve(yTrue: ArrayLike<number>, scores: Float64Array): PrecisionRecallCurve {
  const { fps, tps, thresholds } = binaryClfCurve(yTrue, scores);
  const m = fps.length;
  const positives = tps[m - 1];
  const precision = new Float64Array(m + 1);
  const recall = new Float64Array(m + 1);
  const increasing = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const src = m - 1 - i;
    const predicted = tps[src] + fps[src];
    precision[i] = predicted === 0 ? 0 : tps[src] / predicted;
    recall[i] = positives === 0 ? 1 : tps[src] / positives;
    increasing[i] = thresholds[src];
  }
  precision[m] = 1;
  recall[m] = 0;
  return { precision, recall, thresholds: increasing };
}

/** Trapezoidal area under y(x), as numpy.trapz: Σ (x[i+1] − x[i])·(y[i+1] + y[i])/2. */
function trapezoid(x: Float64Array, y: Float64Array): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return area;
}

/**
 * Binary ROC AUC: area under rocCurve (ties count half). null when yTrue holds a single class
 * (scikit-learn raises: the AUC is undefined).
 */
export function rocAucScore(yTrue: ArrayLike<number>, scores: Float64Array): number | null {
  return areaUnderRoc(rocCurve(yTrue, scores));
}

/** Area under a (full, unthinned) rocCurve; null when it is undefined (a single class). */
export function areaUnderRoc({ fpr, tpr }: RocCurve): number | null {
  if (Number.isNaN(fpr[1]) || Number.isNaN(tpr[1])) return null;
  return trapezoid(fpr, tpr);
}

/**
 * Multiclass ROC AUC, one-vs-rest, macro average (scikit-learn's `roc_auc_score(y, proba,
 * multi_class='ovr')`): the mean over classes c of the binary AUC of "class c" vs the rest, scored
 * by column c. null when some class does not occur in yTrue (its AUC is undefined).
 * @param proba n × k row-major class probabilities (or any per-class scores)
 */
export function rocAucOvr(yTrue: Float64Array, proba: Float64Array, nClasses: number): number | null {
  const n = yTrue.length;
  if (n === 0 || proba.length !== n * nClasses) throw new RangeError(`rocAucOvr: ${proba.length} scores for ${n} samples × ${nClasses} classes`);
  classCount("rocAucOvr", nClasses, yTrue);
  const isClass = new Float64Array(n);
  const column = new Float64Array(n);
  let sum = 0;
  for (let c = 0; c < nClasses; c++) {
    for (let i = 0; i < n; i++) {
      isClass[i] = yTrue[i] === c ? 1 : 0;
      column[i] = proba[i * nClasses + c];
    }
    const auc = rocAucScore(isClass, column);
    if (auc === null) return null;
    sum += auc;
  }
  return sum / nClasses;
}

/**
 * The scores ROC and precision–recall rank by, one rule for the AUC and the curves so that they
 * agree. Binary: decision values, which rank without the ties that saturated probabilities can
 * create (any monotone map of them gives the same curve). Multiclass: probabilities, as
 * scikit-learn's one-vs-rest (`roc_curve(y == c, predict_proba[:, c])`, `roc_auc_score(y, proba,
 * multi_class='ovr')`): a softmax is not monotone in one class's raw decision value across rows,
 * so ranking rows by logits can put a class's curve under the diagonal while its probability
 * ranks them well. Decision values only for models without probabilities (SVM).
 */
export function rankingScores(nClasses: number, decision?: Float64Array, proba?: Float64Array): Float64Array | undefined {
  return nClasses > 2 ? (proba ?? decision) : (decision ?? proba);
}
