/**
 * The HTTP composition: Fastify + Apollo Server on `/graphql`, plus `/healthz`.
 * Building the app knows nothing of ports (STYLE §10): `main.ts` is the one entry point that
 * listens, and tests build the same app on an ephemeral port.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import Fastify, { type FastifyInstance } from "fastify";
import { ApolloServer } from "@apollo/server";
import fastifyApollo, { fastifyApolloDrainPlugin } from "@as-integrations/fastify";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { createServices, type Services } from "../services/index.ts";
import { resolvers } from "../graphql/resolvers.ts";
import { createErrorFormatter } from "../graphql/errors.ts";
import type { Context } from "../graphql/context.ts";

export const SCHEMA_PATH = new URL("../../schema.graphql", import.meta.url);

export interface AppOptions {
  prisma: PrismaClient;
  /** Largest accepted request body in bytes. */
  maxBodyBytes: number;
  logLevel?: string;
  development?: boolean;
}

export interface App {
  fastify: FastifyInstance;
  services: Services;
}

export async function buildApp(options: AppOptions): Promise<App> {
  const fastify = Fastify({
    logger: { level: options.logLevel ?? "info" },
    bodyLimit: options.maxBodyBytes,
    genReqId: (req) => (typeof req.headers["x-request-id"] === "string" ? req.headers["x-request-id"].slice(0, 64) : randomUUID()),
  });
  const services = createServices(options.prisma);
  const workspaceId = await services.workspaces.ensureDefault();

  const apollo = new ApolloServer<Context>({
    typeDefs: readFileSync(SCHEMA_PATH, "utf8"),
    resolvers,
    formatError: createErrorFormatter((error) => fastify.log.error({ err: error }, "unexpected error in a resolver")),
    includeStacktraceInErrorResponses: false,
    plugins: [fastifyApolloDrainPlugin(fastify), ApolloServerPluginLandingPageDisabled()],
  });
  await apollo.start();

  await fastify.register(fastifyApollo(apollo), {
    path: "/graphql",
    context: async (request) => ({ services, workspaceId, requestId: String(request.id) }),
  });

  fastify.get("/healthz", async (_request, reply) => {
    try {
      await options.prisma.$queryRaw`SELECT 1`;
      return { status: "ok" };
    } catch {
      return reply.code(503).send({ status: "unavailable", reason: "database unreachable" });
    }
  });

  return { fastify, services };
}
