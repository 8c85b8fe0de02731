/**
 * The dashboard's GraphQL client: a POST to the same `/graphql` every client uses, with the
 * signed-in key. Errors keep the server's `extensions.code` so the UI can tell a bad key
 * (UNAUTHENTICATED) from a missing scope or a bad request.
 */
import { createClient } from "graphql-ws";
import { config } from "./config.ts";

export class GraphQLRequestError extends Error {
  override name = "GraphQLRequestError";
  constructor(
    message: string,
    readonly code: string | null,
    readonly status: number,
  ) {
    super(message);
  }
}

interface GraphQLBody<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; field?: string } }[];
}

export async function graphql<T>(query: string, variables: Record<string, unknown> | undefined, key: string, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(config.graphqlPath, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
      signal,
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new GraphQLRequestError("The server cannot be reached.", "NETWORK", 0);
  }
  let body: GraphQLBody<T>;
  try {
    body = (await response.json()) as GraphQLBody<T>;
  } catch {
    throw new GraphQLRequestError(`The server answered HTTP ${response.status} without a GraphQL response.`, null, response.status);
  }
  // Nested fields beyond the key's scope (a READ key and Model.coefficients, which needs
  // EXPORT) come back null beside the rest: show the rest.
  if (body.data && body.errors?.every((e) => e.extensions?.code === "FORBIDDEN" && e.extensions.field)) return body.data;
  const first = body.errors?.[0];
  if (first) throw new GraphQLRequestError(first.message, first.extensions?.code ?? null, response.status);
  if (!body.data) throw new GraphQLRequestError("The server returned no data.", null, response.status);
  return body.data;
}

/** ws(s)://this page's host + the configured path, where graphql-ws listens. */
export function webSocketUrl(path: string): string {
  const url = new URL(path, location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

/**
 * Follow a subscription over graphql-ws with the signed-in key; returns the unsubscribe.
 * Without a subscription endpoint it does nothing (the page falls back to what it queried).
 */
export function subscribe<T>(query: string, variables: Record<string, unknown>, key: string, onData: (data: T) => void, onEnd: (error?: unknown) => void = () => {}): () => void {
  if (!config.subscriptionUrl) return () => {};
  const client = createClient({ url: webSocketUrl(config.subscriptionUrl), connectionParams: { authorization: `Bearer ${key}` }, retryAttempts: 3 });
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.data) onData(result.data as T);
      },
      error: (error) => onEnd(error),
      complete: () => onEnd(),
    },
  );
  return () => {
    unsubscribe();
    void client.dispose();
  };
}
