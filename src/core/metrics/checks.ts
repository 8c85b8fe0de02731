/**
 * Shape checks shared by the metrics. A mismatch is a programming error in the caller (the
 * service builds both arrays), hence RangeError rather than a user-facing InvalidInputError.
 */

/** Throw unless both arrays have the same, non-zero length. Returns that length. */
export function checkSameLength(name: string, yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  if (yTrue.length !== yPred.length) throw new RangeError(`${name}: yTrue has ${yTrue.length} values, yPred ${yPred.length}`);
  if (yTrue.length === 0) throw new RangeError(`${name}: no samples`);
  return yTrue.length;
}

/**
 * Number of classes of label arrays holding class indices 0..k-1: `nClasses` when given (every
 * label checked against it), else 1 + the largest label.
 */
export function classCount(name: string, nClasses: number | undefined, ...labels: ArrayLike<number>[]): number {
  let max = -1;
  for (const y of labels) {
    for (let i = 0; i < y.length; i++) {
      const c = y[i];
      if (!Number.isInteger(c) || c < 0) throw new RangeError(`${name}: labels must be class indices 0, 1, …; got ${c} at ${i}`);
      if (c > max) max = c;
    }
  }
  if (nClasses === undefined) return max + 1;
  if (max >= nClasses) throw new RangeError(`${name}: label ${max} is not a class index below nClasses = ${nClasses}`);
  return nClasses;
}
