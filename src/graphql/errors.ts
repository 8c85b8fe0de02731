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
 * Errors Apollo raises itself about a request the client got wrong: they carry an HTTP 4xx
 * status but no code, which Apollo's normalisation then fills in as INTERNAL_SERVER_ERROR
 * (and this formatter would mask and log as a bug). An automatic persisted query whose
 * `sha256Hash` is not its query's (requestPipeline.js: "provided sha does not match query") or
 * whose version is not 1. Each gets a stable code and a message that says what to send; any
 * other such error keeps its message, as BAD_REQUEST.
 */
const APOLLO_REQUEST_ERRORS: Record<string, { code: string; message: string }> = {
  "provided sha does not match query": {
    code: "PERSISTED_QUERY_HASH_MISMATCH",
    message: "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query sent with it: send the hex SHA-256 of the query's exact text.",
  },
  "Unsupported persisted query version": {
    code: "PERSISTED_QUERY_VERSION_NOT_SUPPORTED",
    message: "extensions.persistedQuery.version must be 1.",
  },
};

/** The client error an error Apollo raised about the request stands for, or undefined when it is not one. */
function requestError(error: unknown): { code: string; message: string } | undefined {
  const e = error as { message?: unknown; path?: unknown; extensions?: { code?: unknown; http?: { status?: unknown } } } | null;
  const status = e?.extensions?.http?.status;
  if (typeof status !== "number" || status < 400 || status >= 500 || e?.extensions?.code !== undefined || e?.path !== undefined) return undefined;
  const message = String(e?.message);
  return APOLLO_REQUEST_ERRORS[message] ?? { code: "BAD_REQUEST", message };
}

/**
 * The error formatter. `log` receives the original of every error it masks (a bug); pass none
 * where the caller logs those itself with more context (the HTTP path logs them per request,
 * in didEncounterErrors, with {@link maskedOriginal}).
 */
export function createErrorFormatter(log: (error: unknown) => void = () => {}) {
  return function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
    const request = requestError(error);
    if (request) return { message: request.message, extensions: { code: request.code } };
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
  if (requestError(error)) return undefined;
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
