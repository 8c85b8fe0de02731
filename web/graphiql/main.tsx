/**
 * GraphiQL at /graphiql, built from the `graphiql` package into our own bundle (no CDN).
 * It learns the schema by introspection through the same fetcher as every query, with the
 * key from the server's development config or the dashboard's sign-in.
 *
 * `?query=…` (and `&variables=…`) opens that operation in a tab of its own: links from the
 * dashboard and the browser tests use it.
 */
import "graphiql/setup-workers/vite";
import "graphiql/style.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { GraphiQL } from "graphiql";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { config, storedKey } from "../shared/config.ts";
import { webSocketUrl } from "../shared/graphql.ts";
import { EXAMPLES, OVERVIEW } from "../shared/examples.ts";

const key = storedKey();
const authorization: Record<string, string> = key ? { Authorization: `Bearer ${key}` } : {};
const headers = JSON.stringify(key ? authorization : { Authorization: "Bearer <your API key>" }, null, 2);

const fetcher = createGraphiQLFetcher({
  url: new URL(config.graphqlPath, location.href).toString(),
  headers: authorization,
  enableIncrementalDelivery: false,
  // Subscriptions: once the server serves graphql-ws, its config names the endpoint and the
  // toolkit opens the socket (graphql-ws is bundled as a lazy chunk for it).
  ...(config.subscriptionUrl ? { subscriptionUrl: webSocketUrl(config.subscriptionUrl), wsConnectionParams: { authorization: authorization.Authorization } } : {}),
});

const params = new URLSearchParams(location.search);
const linked = params.get("query");

createRoot(document.getElementById("graphiql")!).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      defaultQuery={OVERVIEW}
      defaultHeaders={headers}
      defaultTabs={EXAMPLES.map((example) => ({ ...example, headers }))}
      {...(linked ? { initialQuery: linked, initialVariables: params.get("variables") ?? undefined, initialHeaders: headers } : {})}
      defaultEditorToolsVisibility={config.development ? "headers" : undefined}
    >
      <GraphiQL.Logo>
        <a href="/" className="modelql-logo" title="ModelQL dashboard">
          ModelQL
        </a>
      </GraphiQL.Logo>
    </GraphiQL>
  </StrictMode>,
);
