/**
 * Errors outside GraphQL's own answers get the same shape as GraphQL errors and as the REST
 * routes' (upload.ts): `{ errors: [{ message, extensions: { code, …details } }] }`, with a
 * stable `code`, whether Fastify raises them (no route, a body over the limit, JSON that does
 * not parse, a content type no route takes) or a route throws. Fastify's own 4xx messages are
 * kept (they describe the request, never the server); anything else is masked as
 * INTERNAL_SERVER_ERROR and logged, as the GraphQL edge does (src/graphql/errors.ts).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isDatabaseUnavailable, ServiceUnavailableError } from "../data/availability.ts";

/** Codes of the errors Fastify raises itself that a client caused. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_CTP_BODY_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  FST_ERR_CTP_INVALID_JSON_BODY: "BAD_REQUEST",
  FST_ERR_CTP_EMPTY_JSON_BODY: "BAD_REQUEST",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "BAD_REQUEST",
};

/** The code of any other client error, by its HTTP status. */
const STATUS_CODES: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHENTICATED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  408: "REQUEST_TIMEOUT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "RATE_LIMITED",
};

/** An error answer in the project's shape. */
export function sendError(reply: FastifyReply, status: number, code: string, message: string, details: Record<string, unknown> = {}) {
  return reply
    .code(status)
    .type("application/json")
    .send({ errors: [{ message, extensions: { code, ...details } }] });
}

/** The media type of a Content-Type header, lower-cased, without its parameters. */
export function mediaType(header: string | undefined): string | undefined {
  const type = header?.split(";")[0].trim().toLowerCase();
  return type ? type : undefined;
}

/** The path of a request, without its query, short enough to quote back. */
const pathOf = (request: FastifyRequest) => request.url.split("?")[0].slice(0, 200);

export function registerErrorHandlers(fastify: FastifyInstance, options: { maxBodyBytes: number }): void {
  fastify.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, "NOT_FOUND", `Nothing is served at ${request.method} ${pathOf(request)}. The API is POST /graphql; the dashboard is at / and GraphiQL at /graphiql.`),
  );

  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      const code = FASTIFY_CODES[error.code] ?? STATUS_CODES[status] ?? "BAD_REQUEST";
      if (code === "UNSUPPORTED_MEDIA_TYPE") {
        const type = mediaType(request.headers["content-type"]);
        // The body was not read: do not leave the client sending into a keep-alive socket.
        reply.header("connection", "close");
        return sendError(reply, status, code, `${type ? `Content-Type ${type.slice(0, 100)} is not accepted` : "The request has a body but no Content-Type"}: send application/json to /graphql (text/csv to POST /datasets).`);
      }
      if (code === "PAYLOAD_TOO_LARGE") {
        reply.header("connection", "close");
        return sendError(reply, status, code, `The request body is larger than ${options.maxBodyBytes} bytes (MAX_BODY_BYTES). Upload large CSV files with POST /datasets.`, { limit: "MAX_BODY_BYTES" });
      }
      return sendError(reply, status, code, error.message);
    }
    if (isDatabaseUnavailable(error)) {
      const unavailable = new ServiceUnavailableError();
      return sendError(reply.header("retry-after", "2"), 503, unavailable.code, unavailable.message);
    }
    request.log.error({ err: error }, "unexpected error in a route");
    return sendError(reply, 500, "INTERNAL_SERVER_ERROR", "Internal server error");
  });
}
