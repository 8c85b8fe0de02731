/**
 * Input checks shared by the estimators (scikit-learn's `check_X_y` / `check_array`).
 * Every failure is an InvalidInputError whose details locate the problem: `field` is
 * "features" (X) or "target" (y), plus `row` and, for X, the `column` index.
 */
import { InvalidInputError } from "../errors.ts";
import type { Matrix } from "../matrix.ts";

/** X: n × p with n ≥ 1, p ≥ 1, every value finite. */
export function checkFeatures(X: Matrix, estimator: string): void {
  const { rows: n, cols: p, data } = X;
  if (!Number.isInteger(n) || !Number.isInteger(p) || data.length !== n * p) {
    throw new InvalidInputError(
      `${estimator}: X has ${data.length} values, which is not rows × cols = ${n} × ${p}.`,
      { field: "features" },
    );
  }
  if (n < 1 || p < 1) {
    throw new InvalidInputError(`${estimator}: X must have at least one row and one column; got ${n} × ${p}.`, {
      field: "features",
    });
  }
  for (let k = 0; k < data.length; k++) {
    // One comparison per value on the fast path; the location is worked out only on failure.
    if (!Number.isFinite(data[k])) {
      const row = Math.floor(k / p);
      const column = k % p;
      throw new InvalidInputError(
        `${estimator}: X contains ${data[k]} at row ${row}, column ${column}; impute or drop missing and infinite values first.`,
        { field: "features", row, column },
      );
    }
  }
}

/** y: one finite value per row of X. */
export function checkTarget(y: Float64Array, n: number, estimator: string): void {
  if (y.length !== n) {
    throw new InvalidInputError(`${estimator}: y has ${y.length} values but X has ${n} rows.`, { field: "target" });
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(y[i])) {
      throw new InvalidInputError(
        `${estimator}: y contains ${y[i]} at row ${i}; drop rows with a missing target first.`,
        { field: "target", row: i },
      );
    }
  }
}

/**
 * Binary classification target: y holds the class indices 0 and 1, both present.
 *
 * @param nClasses FitOptions.nClasses when the caller knows it; must be 2 if given
 */
export function checkBinaryTarget(y: Float64Array, estimator: string, nClasses?: number): void {
  if (nClasses !== undefined && nClasses !== 2) {
    throw new InvalidInputError(
      `${estimator} is a binary classifier but the target has ${nClasses} classes; choose a target with two classes.`,
      { field: "target", nClasses },
    );
  }
  let positives = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (v !== 0 && v !== 1) {
      throw new InvalidInputError(
        `${estimator}: y must hold class indices 0 or 1; got ${v} at row ${i}.`,
        { field: "target", row: i },
      );
    }
    positives += v;
  }
  if (positives === 0 || positives === y.length) {
    throw new InvalidInputError(
      `${estimator} needs samples of at least two classes in the data, but the target contains only class ${positives === 0 ? 0 : 1}.`,
      { field: "target" },
    );
  }
}

/** X at predict time: same checks as at fit, and the number of columns seen in fit. */
export function checkPredictFeatures(X: Matrix, nFeatures: number, estimator: string): void {
  if (X.cols !== nFeatures) {
    throw new InvalidInputError(
      `${estimator}: X has ${X.cols} features, but the model was fitted with ${nFeatures}.`,
      { field: "features", expected: nFeatures, got: X.cols },
    );
  }
  if (X.rows === 0) return;
  checkFeatures(X, estimator);
}
