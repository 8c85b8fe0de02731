/**
 * Who may call what: every root field needs one scope. The table is checked against the
 * schema at start-up, so a field added to schema.graphql without a scope stops the server
 * instead of being open by accident.
 */
import type { GraphQLSchema } from "graphql";
import type { Scope } from "../services/auth.ts";
import type { Context } from "./context.ts";

export const REQUIRED_SCOPE: Record<"Query" | "Mutation" | "Subscription", Record<string, Scope>> = {
  Subscription: {
    modelEvents: "READ",
    trainingProgress: "READ",
  },
  Query: {
    dataset: "READ",
    datasets: "READ",
    model: "READ",
    models: "READ",
    modelByReference: "READ",
    aliases: "READ",
    replay: "PREDICT",
    predictions: "READ",
    predictionStats: "READ",
    drift: "READ",
    algorithms: "READ",
    search: "READ",
    apiKeys: "ADMIN",
  },
  Mutation: {
    createDataset: "WRITE",
    deleteDataset: "WRITE",
    trainModel: "TRAIN",
    cancelTraining: "TRAIN",
    deleteModel: "TRAIN",
    searchHyperparameters: "TRAIN",
    trainLeaderboard: "TRAIN",
    selectFeatures: "TRAIN",
    promote: "TRAIN",
    setAliasRule: "TRAIN",
    comparePredictions: "PREDICT",
    rollback: "TRAIN",
    importModel: "TRAIN",
    predict: "PREDICT",
    recordOutcome: "PREDICT",
    exportModel: "EXPORT",
    createWorkspace: "ADMIN",
    createApiKey: "ADMIN",
    revokeApiKey: "ADMIN",
  },
};

type Resolver = (parent: unknown, args: unknown, context: Context, info: unknown) => unknown;

/** Wrap each root resolver with its scope check; throw when the schema has a field the table lacks. */
export function withScopes<T extends { Query?: object; Mutation?: object; Subscription?: object }>(resolvers: T, schema: GraphQLSchema): T {
  const out: Record<string, unknown> = { ...resolvers };
  for (const type of ["Query", "Mutation", "Subscription"] as const) {
    const fields = Object.keys(schema.getType(type) ? (schema.getType(type) as any).getFields() : {});
    const missing = fields.filter((f) => !(f in REQUIRED_SCOPE[type]));
    if (missing.length) throw new Error(`schema.graphql: ${type}.${missing.join(`, ${type}.`)} has no scope in src/graphql/authorization.ts`);
    const wrapped: Record<string, Resolver> = {};
    for (const [field, resolve] of Object.entries((resolvers[type] ?? {}) as Record<string, Resolver | { subscribe: Resolver; resolve?: Resolver }>)) {
      const scope = REQUIRED_SCOPE[type][field];
      const guard = (inner: Resolver): Resolver => (parent, args, context, info) => {
        context.services.auth.require(context.principal, scope);
        return inner(parent, args, context, info);
      };
      // A subscription field is { subscribe, resolve }: the check guards subscribe.
      (wrapped as Record<string, unknown>)[field] = typeof resolve === "function" ? guard(resolve) : { ...resolve, subscribe: guard(resolve.subscribe) };
    }
    out[type] = wrapped;
  }
  return out as T;
}
