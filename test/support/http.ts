/**
 * Real HTTP for end-to-end tests: the app listening on an ephemeral port, and a tiny
 * GraphQL client over fetch that returns the whole response (status, data, errors).
 */
import { buildApp, type App } from "../../src/http/app.ts";
import type { Database } from "../../src/data/database.ts";

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: Record<string, any>; path?: (string | number)[] }[];
}

export interface TestServer {
  app: App;
  url: string;
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

export async function startTestServer(database: Database, options: { maxBodyBytes?: number } = {}): Promise<TestServer> {
  const app = await buildApp({ prisma: database.prisma, maxBodyBytes: options.maxBodyBytes ?? 64 * 1024 * 1024, logLevel: "silent" });
  await app.fastify.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.fastify.server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    url,
    gql: (query, variables) => postGraphQL(`${url}/graphql`, query, variables),
    close: () => app.fastify.close(),
  };
}

export async function postGraphQL<T = any>(endpoint: string, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<T>, "status">;
  return { status: response.status, ...body };
}
