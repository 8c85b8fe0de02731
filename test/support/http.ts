/**
 * Real HTTP for end-to-end tests: the app listening on an ephemeral port, and a tiny
 * GraphQL client over fetch that returns the whole response (status, data, errors).
 */
import { buildApp, type App, type AppOptions } from "../../src/http/app.ts";
import type { Database } from "../../src/data/database.ts";
import type { EventBus } from "../../src/services/events.ts";
import { openTestQueue } from "./queue.ts";
import type { JobQueue } from "../../src/jobs/queue.ts";

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: Record<string, any>; path?: (string | number)[] }[];
}

export interface TestServer {
  app: App;
  url: string;
  /** an OPERATOR key of the default workspace (like the bootstrap key), sent by `gql` */
  key: string;
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

export async function startTestServer(
  database: Database,
  options: { maxBodyBytes?: number; limits?: AppOptions["limits"]; rateLimit?: AppOptions["rateLimit"]; maxTrainingSeconds?: number; maxUploadBytes?: number; datasetLimits?: AppOptions["datasetLimits"]; authFailures?: AppOptions["authFailures"]; timeouts?: AppOptions["timeouts"]; maxSubscriptionsPerKey?: number; uploadDir?: string; events?: EventBus; queue?: JobQueue; worker?: AppOptions["worker"] } = {},
): Promise<TestServer> {
  const queue = options.queue ?? (await openTestQueue());
  const app = await buildApp({ prisma: database.prisma, pool: database.pool, queue, worker: options.worker, maxBodyBytes: options.maxBodyBytes ?? 64 * 1024 * 1024, logLevel: "silent", limits: options.limits, rateLimit: options.rateLimit, maxTrainingSeconds: options.maxTrainingSeconds, maxUploadBytes: options.maxUploadBytes, datasetLimits: options.datasetLimits, authFailures: options.authFailures, timeouts: options.timeouts, maxSubscriptionsPerKey: options.maxSubscriptionsPerKey, uploadDir: options.uploadDir, events: options.events });
  await app.fastify.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.fastify.server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  const key = await adminKey(app, undefined, "OPERATOR");
  return {
    app,
    url,
    key,
    gql: (query, variables) => postGraphQL(`${url}/graphql`, query, variables, key),
    close: async () => {
      await app.fastify.close();
      await queue.close();
    },
  };
}

/** A fresh ADMIN key (or OPERATOR, the instance-wide role) in the default workspace (or the given one). */
export async function adminKey(app: App, workspaceId?: string, scope: "ADMIN" | "OPERATOR" = "ADMIN"): Promise<string> {
  const workspace = workspaceId ?? (await app.services.workspaces.ensureDefault());
  const principal = { workspaceId: workspace, keyId: "test", scopes: new Set([scope]) };
  return (await app.services.auth.createApiKey(principal, { name: "test", scopes: [scope] })).key;
}

export async function postGraphQL<T = any>(endpoint: string, query: string, variables?: Record<string, unknown>, key?: string): Promise<GraphQLResponse<T>> {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<T>, "status">;
  return { status: response.status, ...body };
}
