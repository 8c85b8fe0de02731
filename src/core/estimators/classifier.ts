/** Shared checks for the binary linear classifiers. */
import { InvalidInputError } from "../errors.ts";
import type { FitOptions } from "./types.ts";
import { DomainError } from "../errors.ts";

/** y must hold class indices 0 and 1, both present (binary models). */
export function checkBinaryTarget(kind: string, y: Float64Array, options: FitOptions): void {
  const nClasses = options.nClasses ?? 2;
  if (nClasses !== 2) {
    throw new InvalidInputError(`${kind} supports two classes; the target has ${nClasses}.`, { field: "target" });
  }
  let ones = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new InvalidInputError(`${kind}: class indices must be 0 or 1, got ${y[i]} at row ${i}.`, { field: "target", row: i });
    ones += y[i];
  }
  if (ones === 0 || ones === y.length) {
    throw new InvalidInputError(`${kind} needs samples of at least two classes in the training data; it has only one.`, { field: "target" });
  }
}

/** Thrown by iterative solvers when `FitOptions.isCancelled` says so. */
export class FitCancelledError extends DomainError {
  constructor(kind: string, iteration: number) {
    super("CANCELLED", `${kind} fitting was cancelled at iteration ${iteration}.`);
  }
}
