/**
 * Domain errors of the math core and the services.
 *
 * The core never imports GraphQL: each error carries a stable `code` from this one
 * registry, and the API edge (src/graphql/errors.ts) maps it to a GraphQLError with the
 * same `extensions.code`. Anything that is not a DomainError is treated as a bug and masked.
 */
export type ErrorCode =
  | "BAD_USER_INPUT"
  | "NOT_FOUND"
  | "NOT_FITTED"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "RATE_LIMITED"
  | "SERVICE_UNAVAILABLE"
  | "CANCELLED";

export class DomainError extends Error {
  readonly code: ErrorCode;
  /** Machine-readable details that are safe to show to the caller (field names, row index…). */
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/**
 * The caller's input cannot be used as given (scikit-learn's ValueError). The message says
 * what is wrong and, where possible, what to do instead; `field` names the offending
 * argument, column or hyperparameter.
 */
export class InvalidInputError extends DomainError {
  constructor(message: string, details: { field?: string; [key: string]: unknown } = {}) {
    super("BAD_USER_INPUT", message, details);
  }
}

/** `predict` (or anything needing learned state) was called before `fit`. */
export class NotFittedError extends DomainError {
  constructor(estimator: string) {
    super("NOT_FITTED", `This ${estimator} instance is not fitted yet: call fit(X, y) first.`);
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, id: string) {
    super("NOT_FOUND", `${what} ${JSON.stringify(id)} was not found.`, { id });
  }
}
