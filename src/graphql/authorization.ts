/**
 * Who may call what, in two tables checked against the schema at start-up, so that a field
 * added to schema.graphql without a scope stops the server instead of being open by accident.
 *
 * - REQUIRED_SCOPE: every root field needs one scope.
 * - FIELD_SCOPE: what a nested field reveals beyond the root field that reached it. A root
 *   field's scope says what the caller may do, not what it may read through the objects it
 *   gets back: `predict` (PREDICT) returns predictions whose `model` leads to its coefficients
 *   and to its dataset's rows. So each object type reachable from a root is classified:
 *   - a *subject* type (Model, Dataset, Prediction…) lists every field under the scope it
 *     needs: `ANY` (whoever reached the object: its identity, its status, what a served
 *     prediction is), `READ` (data: rows, columns' statistics, metrics, curves, the training
 *     recipe, logged inputs) or `EXPORT` (the model's learned state, its knowledge, as
 *     documented for EXPORT: coefficients, intercepts, the fitted pipeline, fit statistics);
 *   - a *part* type (Metrics, RocPoint, Histogram, connections…) is only ever reached through
 *     a field of a subject type or a root field, whose scope already covers all of it; a new
 *     field there reveals nothing its gate did not (a field leading to a subject type is
 *     gated by that type's own table).
 *   A type reachable from a root that is in neither list, or a subject type's field that is
 *   not listed, fails start-up.
 *
 * The nested checks wrap only the fields with a scope (their resolver, or graphql-js's default
 * one), so a prediction's own fields (`output`, `label`…) cost nothing on the serving path; a
 * checked field costs a Set lookup.
 */
import { defaultFieldResolver, getNamedType, isObjectType, type GraphQLField, type GraphQLFieldResolver, type GraphQLResolveInfo, type GraphQLSchema } from "graphql";
import type { Scope } from "../services/access/auth.ts";
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
    // Instance-wide: a workspace's ADMIN manages its own workspace only (its keys).
    createWorkspace: "OPERATOR",
    createApiKey: "ADMIN",
    revokeApiKey: "ADMIN",
  },
};

type Rule = "ANY" | "READ" | "EXPORT";

/** Subject types: every field under the scope it needs. */
export const FIELD_SCOPE: Record<string, Partial<Record<Rule, readonly string[]>>> = {
  Model: {
    // Identity, what a prediction is, and where its training is (a TRAIN key follows its job).
    ANY: ["id", "name", "version", "aliases", "algorithm", "task", "target", "features", "classes", "status", "error", "attempts", "startedAt", "finishedAt", "progress", "createdAt", "trainedAt"],
    READ: ["hyperparameters", "testFraction", "seed", "codeVersion", "metrics", "cvMetrics", "liveMetrics", "curves", "derivedFeatures", "signature", "featureImportance", "trainingRows", "testRows", "warnings", "dataset"],
    EXPORT: ["coefficients", "intercept", "intercepts", "inference", "pipeline"],
  },
  Dataset: {
    ANY: ["id", "name", "rowCount", "createdAt", "columns"],
    READ: ["rows"],
  },
  // A WRITE key sees the types inferred for what it uploaded; the values' statistics are data.
  Column: {
    ANY: ["name", "type"],
    READ: ["stats"],
  },
  Prediction: {
    ANY: ["id", "model", "output", "label", "probabilities", "latencyMs", "actual", "outcomeAt", "explanation", "interval", "outOfRange", "createdAt"],
    // A logged input is data (recordOutcome hands any logged prediction to a PREDICT key); see ECHO.
    READ: ["input"],
  },
  Contribution: {
    ANY: ["feature", "contribution", "standardError"],
    READ: ["value"],
  },
  SearchResult: {
    ANY: ["id", "status", "error", "attempts", "progress", "metric", "greaterIsBetter", "folds", "trials", "best", "model", "createdAt", "finishedAt"],
  },
  LeaderboardEntry: { ANY: ["rank", "score", "model"] },
  ModelEvent: { ANY: ["type", "modelId", "model", "alias", "at"] },
  ApiKey: { ANY: ["id", "name", "prefix", "scopes", "expiresAt", "revokedAt", "lastUsedAt", "createdAt"] },
  Workspace: { ANY: ["id", "name", "createdAt"] },
  CreatedApiKey: { ANY: ["key", "apiKey"] },
};

/** Part types: reached only through a gated field or a root field, whose scope covers them. */
export const PART_TYPES: readonly string[] = [
  "PageInfo", "DatasetConnection", "DatasetEdge", "DatasetRowConnection", "DatasetRowEdge", "ModelConnection", "ModelEdge", "PredictionConnection", "PredictionEdge",
  "ColumnStats", "ValueCount", "Histogram",
  "ModelProgress", "TrainingProgress", "DerivedFeature", "SignatureField", "FittedPipeline", "Coefficient", "ModelInference", "FeatureImportance",
  "Metrics", "AveragedScores", "CvMetrics", "MetricSummary", "Curves", "ClassCurves", "RocPoint", "PrecisionRecallPoint", "CalibrationPoint", "ResidualPoint",
  "ClassProbability", "Explanation", "PredictionInterval", "Comparison", "Replay",
  "Alias", "AliasMove", "PredictionStats", "TimeBucket", "LabelCount", "FeatureDrift",
  "AlgorithmInfo", "HyperparameterInfo", "FeatureSelection", "SelectionStep", "Trial", "Leaderboard",
];

/**
 * READ fields that echo what the caller itself sent in this request when reached under these
 * root fields: `predict { input }` is the caller's own input, not logged data.
 */
export const ECHO: Record<string, readonly string[]> = {
  "Prediction.input": ["predict", "comparePredictions"],
  "Contribution.value": ["predict", "comparePredictions"],
};

const ROOTS = ["Query", "Mutation", "Subscription"] as const;

/** The nested fields that need a scope, as "Type.field" → scope; throws when the schema has a field or type the tables lack. */
export function fieldScopes(schema: GraphQLSchema): Map<string, Scope> {
  const problems: string[] = [];
  const part = new Set(PART_TYPES);
  const scopes = new Map<string, Scope>();
  for (const [type, rules] of Object.entries(FIELD_SCOPE)) {
    const object = schema.getType(type);
    if (!isObjectType(object)) {
      problems.push(`${type} is in FIELD_SCOPE but is no object type of the schema`);
      continue;
    }
    const listed = new Map<string, Rule>();
    for (const [rule, fields] of Object.entries(rules) as [Rule, readonly string[]][]) {
      for (const field of fields) {
        if (listed.has(field)) problems.push(`${type}.${field} is listed twice`);
        listed.set(field, rule);
      }
    }
    const fields = Object.keys(object.getFields());
    for (const field of fields) if (!listed.has(field)) problems.push(`${type}.${field} has no scope`);
    for (const [field, rule] of listed) {
      if (!fields.includes(field)) problems.push(`${type}.${field} is in FIELD_SCOPE but not in the schema`);
      else if (rule !== "ANY") scopes.set(`${type}.${field}`, rule);
    }
  }
  for (const type of part) if (!isObjectType(schema.getType(type))) problems.push(`${type} is in PART_TYPES but is no object type of the schema`);
  // Every object type a root reaches must be classified.
  const seen = new Set<string>(ROOTS);
  const queue: string[] = [...ROOTS];
  while (queue.length) {
    const object = schema.getType(queue.pop()!);
    if (!isObjectType(object)) continue;
    for (const field of Object.values(object.getFields())) {
      const target = getNamedType(field.type);
      if (!isObjectType(target) || seen.has(target.name)) continue;
      seen.add(target.name);
      queue.push(target.name);
      if (!(target.name in FIELD_SCOPE) && !part.has(target.name)) problems.push(`type ${target.name} (reached through ${object.name}.${field.name}) is in neither FIELD_SCOPE nor PART_TYPES`);
    }
  }
  if (problems.length) throw new Error(`schema.graphql and src/graphql/authorization.ts disagree: ${problems.join("; ")}`);
  return scopes;
}

type Resolver = (parent: unknown, args: unknown, context: Context, info: unknown) => unknown;

/** Wrap each root resolver with its scope check; throw when the schema has a field the table lacks. */
export function withScopes<T extends { Query?: object; Mutation?: object; Subscription?: object }>(resolvers: T, schema: GraphQLSchema): T {
  const out: Record<string, unknown> = { ...resolvers };
  for (const type of ROOTS) {
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

/**
 * Guard the nested fields of FIELD_SCOPE in an executable schema (in place, and returned):
 * each gated field's resolver, or the default one, runs only when the caller's key has the
 * field's scope; else FORBIDDEN naming the field and the scope.
 */
export function withFieldScopes(schema: GraphQLSchema): GraphQLSchema {
  for (const [coordinate, scope] of fieldScopes(schema)) {
    const [type, name] = coordinate.split(".");
    const field = (schema.getType(type) as { getFields(): Record<string, GraphQLField<unknown, Context>> }).getFields()[name];
    const inner: GraphQLFieldResolver<unknown, Context> = field.resolve ?? defaultFieldResolver;
    const echoRoots = ECHO[coordinate];
    field.resolve = (parent, args, context, info) => {
      const { auth } = context.services;
      if (!auth.allows(context.principal, scope) && !(echoRoots && echoRoots.includes(rootFieldOf(info) ?? ""))) {
        auth.require(context.principal, scope, coordinate);
      }
      return inner(parent, args, context, info);
    };
  }
  return schema;
}

/** The root field a resolver runs under (its name, not its alias); null when a fragment hides it. */
function rootFieldOf(info: GraphQLResolveInfo): string | null {
  let path = info.path;
  while (path.prev) path = path.prev;
  for (const selection of info.operation.selectionSet.selections) {
    if (selection.kind === "Field" && (selection.alias ?? selection.name).value === path.key) return selection.name.value;
  }
  return null;
}
