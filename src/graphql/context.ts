/**
 * Per-request context (Apollo's context thunk, STYLE §9). Resolvers reach the database only
 * through `services`; they never import the Prisma client.
 */
import type { Services } from "../services/index.ts";
import type { Principal } from "../services/access/auth.ts";

export interface Context {
  services: Services;
  /** The caller's workspace (the API key's): every read and write is scoped to it. */
  workspaceId: string;
  /** The authenticated API key and its scopes. */
  principal: Principal;
  requestId: string;
  /** Explanations the operation can resolve, counted with its cost (src/graphql/limits.ts); absent outside that count. */
  explanations?: number;
}
