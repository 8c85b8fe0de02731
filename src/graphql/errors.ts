/**
 * The one place where errors become GraphQL errors (STYLE §7).
 *
 * - A DomainError from the core or a service keeps its message and stable code, plus its
 *   safe details (field, row…) as extensions.
 * - Errors graphql-js or Apollo raise themselves (parse, validation, variable coercion) keep
 *   their own codes.
 * - Anything else is a bug: it is logged with the request id and masked as
 *   INTERNAL_SERVER_ERROR, so no stack trace, SQL or path ever reaches a client.
 */
import type { GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import { DomainError } from "../core/errors.ts";

/** Domain codes that signal a bug if they ever reach the edge. */
const INTERNAL_CODES = new Set(["NOT_FITTED"]);

export function createErrorFormatter(log: (error: unknown) => void) {
  return function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError && !INTERNAL_CODES.has(original.code)) {
      return {
        message: original.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { ...original.details, code: original.code },
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === "string" && code !== "INTERNAL_SERVER_ERROR" && !(original instanceof DomainError)) {
      const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    log(original);
    return {
      message: "Internal server error",
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: "INTERNAL_SERVER_ERROR" },
    };
  };
}
