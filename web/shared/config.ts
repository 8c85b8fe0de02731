/**
 * What the server tells a page (src/http/web.ts renders it inline as `window.__MODELQL__`):
 * where the API is, and outside production the bootstrap ADMIN key to pre-fill.
 */
export interface WebConfig {
  graphqlPath: string;
  /** The bootstrap ADMIN key: set only outside production (NODE_ENV !== "production"). */
  apiKey: string | null;
  development: boolean;
  /** graphql-ws endpoint for subscriptions; null until the server has one. */
  subscriptionUrl: string | null;
  version: string;
}

declare global {
  interface Window {
    __MODELQL__?: Partial<WebConfig>;
  }
}

export const config: WebConfig = {
  graphqlPath: "/graphql",
  apiKey: null,
  development: false,
  subscriptionUrl: null,
  version: "",
  ...window.__MODELQL__,
};

/** Where the dashboard keeps the key a user signed in with (this browser only). */
export const KEY_STORAGE = "modelql.apiKey";

/** The key a user signed in with on the dashboard, else the development key, else null. */
export function storedKey(): string | null {
  try {
    return localStorage.getItem(KEY_STORAGE) || config.apiKey;
  } catch {
    return config.apiKey;
  }
}
