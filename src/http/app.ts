/**
 * The HTTP composition: Fastify + Apollo Server on `/graphql`, plus `/healthz`.
 * Building the app knows nothing of ports (STYLE §10): `main.ts` is the one entry point that
 * listens, and tests build the same app on an ephemeral port.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import Fastify, { type FastifyInstance } from "fastify";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import fastifyApollo, { fastifyApolloDrainPlugin } from "@as-integrations/fastify";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { createServices, type Services } from "../services/index.ts";
import { resolvers } from "../graphql/resolvers.ts";
import { createErrorFormatter } from "../graphql/errors.ts";
import type { Context } from "../graphql/context.ts";
import { withScopes } from "../graphql/authorization.ts";
import { armor, costLimitPlugin, DEFAULT_LIMITS, type Limits } from "../graphql/limits.ts";
import { RateLimiter } from "./rate-limit.ts";
import { UnauthenticatedError, type Principal } from "../services/auth.ts";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { buildSchema } from "graphql";

export const SCHEMA_PATH = new URL("../../schema.graphql", import.meta.url);

export interface AppOptions {
  prisma: PrismaClient;
  /** MODELQL_BOOTSTRAP_KEY: the first ADMIN key's value, instead of a random one printed once */
  bootstrapKey?: string;
  /** Largest accepted request body in bytes. */
  maxBodyBytes: number;
  logLevel?: string;
  development?: boolean;
  limits?: Partial<Limits>;
  /** requests per second per key (0 = no limit) and the bucket size */
  rateLimit?: { perSecond: number; burst: number };
}

export interface App {
  fastify: FastifyInstance;
  services: Services;
  /** the ADMIN key created on first start when no MODELQL_BOOTSTRAP_KEY was given (print it once) */
  createdBootstrapKey: string | null;
}

declare module "fastify" {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export async function buildApp(options: AppOptions): Promise<App> {
  const fastify = Fastify({
    logger: { level: options.logLevel ?? "info" },
    bodyLimit: options.maxBodyBytes,
    genReqId: (req) => (typeof req.headers["x-request-id"] === "string" ? req.headers["x-request-id"].slice(0, 64) : randomUUID()),
  });
  const services = createServices(options.prisma);
  const defaultWorkspace = await services.workspaces.ensureDefault();
  const createdBootstrapKey = await services.auth.bootstrap(defaultWorkspace, options.bootstrapKey);

  const typeDefs = readFileSync(SCHEMA_PATH, "utf8");
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const armored = armor(limits);
  const limiter = new RateLimiter(options.rateLimit?.perSecond ?? 0, options.rateLimit?.burst ?? 1);
  const apollo = new ApolloServer<Context>({
    schema: makeExecutableSchema({ typeDefs, resolvers: withScopes(resolvers, buildSchema(typeDefs)) as never }),
    introspection: limits.introspection,
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: armored.validationRules as never,
    formatError: createErrorFormatter((error) => fastify.log.error({ err: error }, "unexpected error in a resolver")),
    includeStacktraceInErrorResponses: false,
    plugins: [fastifyApolloDrainPlugin(fastify), ApolloServerPluginLandingPageDisabled(), ...(armored.plugins as unknown as ApolloServerPlugin<Context>[]), costLimitPlugin(limits.maxCost)],
  });
  await apollo.start();

  // Every GraphQL request carries an API key; without a valid one it ends here with a 401,
  // before Apollo parses anything.
  fastify.addHook("onRequest", async (request, reply) => {
    if (request.url.split("?")[0] !== "/graphql" || request.method === "OPTIONS") return;
    try {
      request.principal = await services.auth.authenticate(request.headers.authorization);
    } catch (error) {
      if (!(error instanceof UnauthenticatedError)) throw error;
      return reply.code(401).header("www-authenticate", "Bearer").type("application/json").send({ errors: [{ message: error.message, extensions: { code: error.code } }] });
    }
    const retryAfter = limiter.take(request.principal.keyId);
    if (retryAfter > 0) {
      return reply
        .code(429)
        .header("retry-after", String(retryAfter))
        .type("application/json")
        .send({ errors: [{ message: `Rate limit of ${options.rateLimit!.perSecond} requests/s for this key exceeded; retry after ${retryAfter} s.`, extensions: { code: "RATE_LIMITED", retryAfter } }] });
    }
  });

  await fastify.register(fastifyApollo(apollo), {
    path: "/graphql",
    context: async (request) => ({ services, workspaceId: request.principal!.workspaceId, principal: request.principal!, requestId: String(request.id) }),
  });

  fastify.get("/healthz", async (_request, reply) => {
    try {
      await options.prisma.$queryRaw`SELECT 1`;
      return { status: "ok" };
    } catch {
      return reply.code(503).send({ status: "unavailable", reason: "database unreachable" });
    }
  });

  return { fastify, services, createdBootstrapKey };
}
