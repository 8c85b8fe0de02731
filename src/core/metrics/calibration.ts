/**
 * Reliability (calibration) curve, scikit-learn 1.2's `calibration_curve(y, prob,
 * n_bins, strategy="uniform")`: predicted probabilities of the positive class binned into
 * n_bins equal-width bins on [0, 1]; for each non-empty bin, the fraction of positives and
 * the mean predicted probability. sklearn assigns bins with np.searchsorted over the inner
 * edges (right-closed bins, 1.0 in the last bin); the same rule is used here.
 */
export interface CalibrationPoint {
  meanPredicted: number;
  fractionPositive: number;
  count: number;
}

export function calibrationCurve(yTrue: ArrayLike<number>, probability: ArrayLike<number>, nBins = 10): CalibrationPoint[] {
  const sums = new Float64Array(nBins);
  const positives = new Float64Array(nBins);
  const counts = new Float64Array(nBins);
  for (let i = 0; i < probability.length; i++) {
    const p = probability[i];
    // searchsorted(edges[1:-1], p, side="left"): bin k holds (k/nBins, (k+1)/nBins].
    let bin = 0;
    while (bin < nBins - 1 && (bin + 1) / nBins < p) bin++;
    sums[bin] += p;
    positives[bin] += yTrue[i] === 1 ? 1 : 0;
    counts[bin] += 1;
  }
  const out: CalibrationPoint[] = [];
  for (let k = 0; k < nBins; k++) {
    if (counts[k] > 0) out.push({ meanPredicted: sums[k] / counts[k], fractionPositive: positives[k] / counts[k], count: counts[k] });
  }
  return out;
}
