/**
 * Errors specific to fitting estimators.
 */
import { DomainError } from "../errors.ts";

/**
 * `FitOptions.isCancelled()` returned true: an iterative solver stopped between two
 * iterations and the estimator keeps no partial state (a later `predict` still throws
 * NotFittedError, or keeps serving the previous fit).
 */
export class FitCancelledError extends DomainError {
  constructor(estimator: string, iteration: number) {
    super("CANCELLED", `Fitting ${estimator} was cancelled at iteration ${iteration}.`, { iteration });
  }
}
