/**
 * GraphQL subscriptions over WebSocket (the graphql-ws protocol) on the same port and path as
 * queries, `/graphql`. A connection authenticates once, at connection_init, with the same API
 * key as HTTP (connection parameter `authorization: "Bearer <key>"`, or the upgrade request's
 * Authorization header); without a valid key it is closed with 4403 Forbidden. Each
 * subscription then runs with that key's workspace and is checked against the same scope table
 * and document limits as queries. The key is checked again before each event is sent and every
 * RECHECK_MS while idle: once it is revoked or expired, the connection is closed with 4403 and
 * nothing more is sent (the check is the auth service's cached one: at once for a revocation
 * made through this server, within its 5 s cache for one made through another).
 *
 * One API key may hold at most `maxPerKey` active subscriptions (MAX_SUBSCRIPTIONS_PER_KEY, per
 * process): each holds a listener and a socket's buffers, and 3000 were accepted from one key.
 * The excess is refused with BAD_USER_INPUT naming the limit. Failed authentications count
 * against the address like over HTTP (AuthFailureThrottle); a throttled address is refused.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { execute, GraphQLError, parse, specifiedRules, subscribe, validate, type GraphQLFormattedError, type GraphQLSchema, type ValidationRule } from "graphql";
import { WebSocketServer } from "ws";
import { useServer } from "graphql-ws/use/ws";
import type { Services } from "../services/index.ts";
import { UnauthenticatedError, type Principal } from "../services/access/auth.ts";
import type { Context } from "../graphql/context.ts";
import type { AuthFailureThrottle } from "./rate-limit.ts";

/** How often an idle connection's key is checked again. */
const RECHECK_MS = 5_000;
const REVOKED = 4403;

export function registerSubscriptions(
  fastify: FastifyInstance,
  services: Services,
  schema: GraphQLSchema,
  validationRules: readonly ValidationRule[],
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError,
  limits: { authFailures: AuthFailureThrottle; maxPerKey: number },
): void {
  const wss = new WebSocketServer({ noServer: true });
  /** The open connections of each key; their `subscriptions` (graphql-ws's own table) are what is counted. */
  const connections = new Map<string, Set<{ subscriptions: Record<string, unknown> }>>();
  fastify.server.on("upgrade", (request, socket, head) => {
    if (new URL(request.url ?? "/", "http://localhost").pathname !== "/graphql") {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit("connection", ws, request));
  });
  type Extra = { principal?: Principal; authorization?: string; socket: { readyState: number; OPEN: number; close(code: number, reason: string): void; once(event: "close", listener: () => void): void } };
  /** Whether the connection's key still holds; closes the connection with 4403 when it does not. */
  const stillValid = async (extra: Extra): Promise<boolean> => {
    if (extra.socket.readyState !== extra.socket.OPEN) return false;
    try {
      await services.auth.authenticate(extra.authorization);
      return true;
    } catch (error) {
      // The database being away says nothing about the key: keep streaming.
      if (!(error instanceof UnauthenticatedError)) return true;
      extra.socket.close(REVOKED, "Forbidden: the API key is revoked or expired");
      return false;
    }
  };
  const server = useServer<Record<string, unknown> | undefined, { principal?: Principal; authorization?: string }>(
    {
      schema,
      // graphql-ws may load the other build of graphql-js (CommonJS vs ESM), whose functions
      // refuse a schema made by this one ("another module or realm"): hand it ours.
      parse,
      execute,
      subscribe,
      // graphql-js's rules plus the same document limits as queries (depth, aliases…).
      validate: (schemaToCheck, document, rules, options, typeInfo) =>
        validate(schemaToCheck, document, [...(rules ?? specifiedRules), ...validationRules], options, typeInfo),
      onConnect: async (ctx) => {
        const fromParams = ctx.connectionParams?.authorization;
        const header = typeof fromParams === "string" ? fromParams : ctx.extra.request.headers.authorization;
        const address = ctx.extra.request.socket.remoteAddress ?? "";
        if (limits.authFailures.retryAfter(address) > 0) return false;
        try {
          ctx.extra.principal = await services.auth.authenticate(header);
        } catch {
          limits.authFailures.fail(address);
          return false;
        }
        ctx.extra.authorization = header;
        const extra = ctx.extra as unknown as Extra;
        const timer = setInterval(() => void stillValid(extra).then((valid) => valid || clearInterval(timer)), RECHECK_MS);
        timer.unref();
        extra.socket.once("close", () => clearInterval(timer));
        const keyId = ctx.extra.principal.keyId;
        if (!connections.has(keyId)) connections.set(keyId, new Set());
        connections.get(keyId)!.add(ctx);
        return true;
      },
      onSubscribe: (ctx) => {
        const own = connections.get(ctx.extra.principal!.keyId);
        let active = 0;
        // graphql-ws has already entered this subscription in its table: it counts.
        for (const connection of own ?? []) active += Object.keys(connection.subscriptions).length;
        if (active <= limits.maxPerKey) return undefined;
        return [
          new GraphQLError(`This API key already has ${limits.maxPerKey} active subscriptions, the most allowed (MAX_SUBSCRIPTIONS_PER_KEY): complete one before starting another.`, {
            extensions: { code: "BAD_USER_INPUT", limit: "MAX_SUBSCRIPTIONS_PER_KEY" },
          }),
        ];
      },
      onClose: (ctx) => {
        const keyId = ctx.extra.principal?.keyId;
        if (keyId === undefined) return;
        const own = connections.get(keyId);
        own?.delete(ctx);
        if (own?.size === 0) connections.delete(keyId);
      },
      // Errors leave through the same formatter as HTTP's: domain codes kept, the rest masked.
      // A revoked key's connection is closed here, before the event is sent (a send on a
      // closing socket is dropped).
      onNext: async (ctx, _id, _payload, _args, result) => {
        if (!(await stillValid(ctx.extra as unknown as Extra))) return undefined;
        return result.errors ? { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) } : undefined;
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)),
      context: (ctx): Context => {
        const principal = ctx.extra.principal!;
        return { services, workspaceId: principal.workspaceId, principal, requestId: randomUUID() };
      },
    },
    wss,
  );
  // preClose, before the HTTP server closes: server.close() waits for every socket, upgraded
  // ones included, so an open subscription would hold a shutdown forever. graphql-ws ends
  // each with 1001 (going away); clients reconnect to another node.
  fastify.addHook("preClose", async () => {
    await server.dispose();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
}
