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
import { isDatabaseUnavailable, ServiceUnavailableError } from "../data/availability.ts";
import type { ApolloServerPlugin } from "@apollo/server";

/** Domain codes that signal a bug if they ever reach the edge. */
const INTERNAL_CODES = new Set(["NOT_FITTED"]);

/**
 * The error formatter. `log` receives the original of every error it masks (a bug); pass none
 * where the caller logs those itself with more context (the HTTP path logs them per request,
 * in didEncounterErrors, with {@link maskedOriginal}).
 */
export function createErrorFormatter(log: (error: unknown) => void = () => {}) {
  return function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
    const original = meaningOf(error);
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

/** The error a formatted error stands for: the resolver's own, and the database being away as SERVICE_UNAVAILABLE. */
function meaningOf(error: unknown): unknown {
  const original = unwrapResolverError(error);
  // The database being away is not a bug: say so, with a code clients can retry on.
  return !(original instanceof DomainError) && isDatabaseUnavailable(original) ? new ServiceUnavailableError() : original;
}

/** The original of an error the formatter masks as INTERNAL_SERVER_ERROR, or undefined when it is not masked. */
export function maskedOriginal(error: { extensions?: Record<string, unknown> } & object): unknown {
  const original = meaningOf(error);
  if (original instanceof DomainError) return INTERNAL_CODES.has(original.code) ? original : undefined;
  const code = error.extensions?.code;
  return typeof code === "string" && code !== "INTERNAL_SERVER_ERROR" ? undefined : original;
}

/**
 * A response whose errors are all SERVICE_UNAVAILABLE and that carries no data is sent with
 * HTTP 503, so load balancers and clients see an outage as one, not as a 200.
 */
export function serviceUnavailableStatusPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== "single") return;
          const { data, errors } = response.body.singleResult;
          const empty = data === null || data === undefined || Object.values(data).every((v) => v === null);
          if (errors?.length && empty && errors.every((e) => e.extensions?.code === "SERVICE_UNAVAILABLE")) {
            response.http.status = 503;
            response.http.headers.set("retry-after", "2");
          }
        },
      };
    },
  };
}
