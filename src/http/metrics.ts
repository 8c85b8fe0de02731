/**
 * Prometheus metrics for `GET /metrics` (text exposition format, prom-client).
 *
 * - `modelql_graphql_requests_total` / `modelql_graphql_request_duration_seconds`: per GraphQL
 *   operation name and type, counted by an Apollo plugin (`ApolloServerPluginMetrics`).
 * - `modelql_http_requests_total`: every HTTP request by route and status (401s and 429s
 *   never reach Apollo).
 * - `modelql_predictions_served_total`: predictions returned per workspace id and model
 *   (version) id. Ids, not names: `/metrics` needs no key, and a model's name is a tenant's
 *   text (it may say what the business is), and the same name in two workspaces would add up
 *   in one series. An operator sums by `workspace` for a tenant's load and looks an id up with
 *   that workspace's key (`model(id)`); one series per served version, as names and versions
 *   gave. The plugin counts the results of `predict` and `comparePredictions`; anything else
 *   that serves predictions can call `recordPredictionsServed`.
 * - `modelql_training_jobs`: model versions by status, read from the Model table at scrape time.
 * - process and Node.js default metrics.
 *
 * Each app owns its registry (not prom-client's global one), so several apps can live in one
 * process, as in the tests.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { ApolloServerPlugin } from "@apollo/server";
import { Kind } from "graphql";
import type { JobQueue } from "../jobs/queue.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";

/** Every status a model version can have (schema.graphql `ModelStatus`): each is exported, 0 when absent. */
const MODEL_STATUSES = ["QUEUED", "TRAINING", "READY", "FAILED", "CANCELLED"] as const;

/** Operation names are chosen by clients: past this many distinct ones, new names count as "other". */
const MAX_OPERATION_NAMES = 200;

export interface Metrics {
  registry: Registry;
  graphqlRequests: Counter<"operation_name" | "operation_type" | "outcome">;
  graphqlDuration: Histogram<"operation_name" | "operation_type">;
  httpRequests: Counter<"method" | "route" | "status">;
  predictionsServed: Counter<"workspace" | "model_id">;
  /** The exposition text and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
  /** A bounded label for a client-chosen operation name. */
  operationLabel(name: string | null | undefined): string;
}

export function createMetrics(prisma: PrismaClient, queue?: Pick<JobQueue, "depth">): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const graphqlRequests = new Counter({
    name: "modelql_graphql_requests_total",
    help: "GraphQL requests by operation name and type (query, mutation, subscription; unknown when the document did not parse) and outcome (success, error).",
    labelNames: ["operation_name", "operation_type", "outcome"] as const,
    registers: [registry],
  });
  const graphqlDuration = new Histogram({
    name: "modelql_graphql_request_duration_seconds",
    help: "Time from receiving a GraphQL request to sending its response, by operation name and type.",
    labelNames: ["operation_name", "operation_type"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const httpRequests = new Counter({
    name: "modelql_http_requests_total",
    help: "HTTP requests by method, route pattern and status code.",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const predictionsServed = new Counter({
    name: "modelql_predictions_served_total",
    help: "Predictions returned to clients, by workspace id and model (version) id (shadow predictions are logged but not counted here).",
    labelNames: ["workspace", "model_id"] as const,
    registers: [registry],
  });
  new Gauge({
    name: "modelql_queue_depth",
    help: "Training jobs waiting in the queue (queued, or waiting for a retry), at this scrape.",
    registers: [registry],
    async collect() {
      if (!queue) return;
      try {
        this.set(await queue.depth());
      } catch {
        // the database is away; modelql_database_up says so
      }
    },
  });
  new Gauge({
    name: "modelql_database_up",
    help: "1 when the database answered SELECT 1 at this scrape, else 0.",
    registers: [registry],
    async collect() {
      try {
        await prisma.$queryRaw`SELECT 1`;
        this.set(1);
      } catch {
        this.set(0);
      }
    },
  });
  new Gauge({
    name: "modelql_training_jobs",
    help: "Model versions (training jobs) by status, read from the database at scrape time.",
    labelNames: ["status"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const groups = await prisma.model.groupBy({ by: ["status"], _count: { _all: true } });
        const counts = new Map(groups.map((g) => [g.status as string, g._count._all]));
        for (const status of MODEL_STATUSES) this.set({ status }, counts.get(status) ?? 0);
      } catch {
        // An unreachable database must not break the scrape: modelql_database_up says so.
      }
    },
  });

  const operationNames = new Set<string>();

  return {
    registry,
    graphqlRequests,
    graphqlDuration,
    httpRequests,
    predictionsServed,
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    operationLabel(name) {
      if (!name) return "anonymous";
      const clean = name.slice(0, 100);
      if (operationNames.has(clean)) return clean;
      if (operationNames.size >= MAX_OPERATION_NAMES) return "other";
      operationNames.add(clean);
      return clean;
    },
  };
}

/** The hook for code that serves predictions outside `predict` / `comparePredictions`. */
export function recordPredictionsServed(metrics: Metrics, labels: { workspaceId: string; modelId: string }, count: number): void {
  if (count > 0) metrics.predictionsServed.inc({ workspace: labels.workspaceId, model_id: labels.modelId }, count);
}

/** Root fields whose results are served predictions, and how to find their model ids. */
const PREDICTION_FIELDS: Record<string, (result: unknown) => string[]> = {
  predict: (result) => (Array.isArray(result) ? result.map(modelIdOf) : []),
  comparePredictions: (result) => {
    const r = result as { champion?: unknown[]; challenger?: unknown[] } | null;
    return [...(r?.champion ?? []), ...(r?.challenger ?? [])].map(modelIdOf);
  },
};

function modelIdOf(prediction: unknown): string {
  return String((prediction as { modelId?: unknown })?.modelId ?? "unknown");
}

/**
 * Counts each GraphQL request with its operation name and type, times it, and counts the
 * predictions `predict` and `comparePredictions` return (by the caller's workspace and the
 * model id). Unlabelled failures (parse or validation errors) count under
 * `operation_type="unknown"`.
 */
export function ApolloServerPluginMetrics<TContext extends object>(metrics: Metrics): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      const served: string[] = [];
      return {
        async executionDidStart() {
          return {
            willResolveField({ info }) {
              if (info.parentType.name !== "Mutation" || info.path.prev !== undefined) return;
              const modelIds = PREDICTION_FIELDS[info.fieldName];
              if (!modelIds) return;
              return (error, result) => {
                if (!error) served.push(...modelIds(result));
              };
            },
          };
        },
        async willSendResponse({ operation, operationName, request, document, errors, response }) {
          // A document that parsed but failed validation has no resolved operation: its single
          // operation definition still names it.
          const operations = document?.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION) ?? [];
          const only = operations.length === 1 ? operations[0] : undefined;
          const name = metrics.operationLabel(operationName ?? request.operationName ?? only?.name?.value);
          const type = operation?.operation ?? only?.operation ?? "unknown";
          const body = response.body.kind === "single" ? response.body.singleResult : undefined;
          const failed = (errors?.length ?? 0) > 0 || (body?.errors?.length ?? 0) > 0;
          metrics.graphqlRequests.inc({ operation_name: name, operation_type: type, outcome: failed ? "error" : "success" });
          metrics.graphqlDuration.observe({ operation_name: name, operation_type: type }, Number(process.hrtime.bigint() - started) / 1e9);
          if (served.length === 0) return;
          const perModel = new Map<string, number>();
          for (const id of served) perModel.set(id, (perModel.get(id) ?? 0) + 1);
          // Every prediction of a request is of the caller's workspace.
          const workspaceId = (contextValue as { workspaceId?: string }).workspaceId ?? "unknown";
          for (const [modelId, count] of perModel) recordPredictionsServed(metrics, { workspaceId, modelId }, count);
        },
      };
    },
  };
}
