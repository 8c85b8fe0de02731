/**
 * The HTTP composition: Fastify + Apollo Server on `/graphql`, plus `/healthz`, `/readyz`,
 * `/metrics`, and the web pages (dashboard at `/`, GraphiQL at `/graphiql`, see web.ts).
 * Building the app knows nothing of ports (STYLE §10): `main.ts` is the one entry point that
 * listens, and tests build the same app on an ephemeral port.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from "fastify";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import fastifyApollo, { fastifyApolloDrainPlugin } from "@as-integrations/fastify";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { Pool } from "pg";
import { isDatabaseUnavailable, ServiceUnavailableError } from "../data/availability.ts";
import { DEFAULT_UPLOAD_DIR, registerUpload, removeStaleSpools } from "./upload.ts";
import { registerErrorHandlers } from "./errors.ts";
import { registerSubscriptions } from "./subscriptions.ts";
import type { EventBus } from "../services/events.ts";
import type { DatasetLimits } from "../services/datasets/datasets.ts";
import { createServices, type Services } from "../services/index.ts";
import { resolvers } from "../graphql/resolvers.ts";
import { createErrorFormatter, maskedOriginal, serviceUnavailableStatusPlugin } from "../graphql/errors.ts";
import type { Context } from "../graphql/context.ts";
import { withFieldScopes, withScopes } from "../graphql/authorization.ts";
import { armor, costLimitPlugin, DEFAULT_LIMITS, type Limits } from "../graphql/limits.ts";
import { textCheckPlugin } from "../graphql/text.ts";
import { AuthFailureThrottle, authThrottledBody, RateLimiter } from "./rate-limit.ts";
import { UnauthenticatedError, type Principal } from "../services/access/auth.ts";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { buildSchema } from "graphql";
import { ApolloServerPluginMetrics, createMetrics, type Metrics } from "./metrics.ts";
import { createReadinessCheck } from "./readiness.ts";
import { registerWeb } from "./web.ts";
import { CODE_VERSION } from "../version.ts";
import { DEFAULT_MAX_TRAINING_SECONDS } from "../config.ts";
import type { JobQueue } from "../jobs/queue.ts";
import { TrainingWorker } from "../jobs/worker.ts";

export const SCHEMA_PATH = new URL("../../schema.graphql", import.meta.url);

export interface AppOptions {
  prisma: PrismaClient;
  /** the pg pool under `prisma` on Postgres (Database.pool): the prediction log and column reads use it directly */
  pool?: Pool;
  /** where model events go for subscriptions (Postgres LISTEN/NOTIFY across processes; default local) */
  events?: EventBus;
  /** the training queue (src/jobs/queue.ts); the app does not close it */
  queue: JobQueue;
  /** training jobs this process runs at once (WORKERS; 0 = queue only, another process trains) */
  workers?: number;
  /** the in-process worker's timings (JOB_STALE_SECONDS, SHUTDOWN_GRACE_SECONDS) */
  worker?: { staleSeconds?: number; graceSeconds?: number };
  /** MAX_UPLOAD_BYTES: largest CSV accepted by POST /datasets */
  maxUploadBytes?: number;
  /** UPLOAD_DIR: where POST /datasets spools uploads; stale spools there are removed on start */
  uploadDir?: string;
  /** MAX_PAGE_CELLS, MAX_UPLOAD_CELLS, MAX_UPLOAD_CATEGORIES: what one dataset page or upload may hold */
  datasetLimits?: Partial<DatasetLimits>;
  /** MAX_TRAINING_SECONDS: wall-clock budget of one training request (a fit, its CV, a search) */
  maxTrainingSeconds?: number;
  /** MODELQL_BOOTSTRAP_KEY: the first ADMIN key's value, instead of a random one printed once */
  bootstrapKey?: string;
  /** Largest accepted request body in bytes. */
  maxBodyBytes: number;
  logLevel?: string;
  development?: boolean;
  limits?: Partial<Limits>;
  /** requests per second per key (0 = no limit) and the bucket size */
  rateLimit?: { perSecond: number; burst: number };
  /** AUTH_FAILURES_PER_WINDOW failed authentications per client address per AUTH_FAILURE_WINDOW_SECONDS (0 = no limit) */
  authFailures?: { max: number; windowSeconds: number };
  /**
   * REQUEST_TIMEOUT_SECONDS: time to receive a whole request, headers and body (an upload too);
   * HEADERS_TIMEOUT_SECONDS: time to receive its headers. Slower clients get 408 and are closed.
   */
  timeouts?: { requestSeconds: number; headersSeconds: number };
  /** MAX_SUBSCRIPTIONS_PER_KEY: active subscriptions one API key may hold (per process) */
  maxSubscriptionsPerKey?: number;
  /**
   * Pre-fill the dashboard's and GraphiQL's key with the bootstrap ADMIN key (MODELQL_BOOTSTRAP_KEY,
   * or the one created on this first start). main.ts sets it only when NODE_ENV is not
   * "production": the pages are public, so in production they never carry a key.
   */
  prefillWebKey?: boolean;
  /** The built web bundle (default dist/web, written by `npm run build:web`). */
  webDir?: string;
}

export interface App {
  fastify: FastifyInstance;
  services: Services;
  /** the ADMIN key created on first start when no MODELQL_BOOTSTRAP_KEY was given (print it once) */
  createdBootstrapKey: string | null;
  /** what `/metrics` exposes */
  metrics: Metrics;
}

declare module "fastify" {
  interface FastifyRequest {
    principal?: Principal;
    /** the GraphQL operation it carried, for its log lines (ApolloServerPluginOperationLog) */
    operation?: { operationName: string | null; operationType?: string };
  }
}

/**
 * The request a GraphQL operation's context was made for, kept on the context under a symbol
 * (Apollo shallow-copies the context per operation, symbols included), so that the operation's
 * log lines go through the request's logger (`reqId`) and carry its `operationName` and
 * `operationType` (ApolloServerPluginOperationLog). An AsyncLocalStorage did this before; the promise hooks
 * it turns on cost single-row serving a third of its throughput (3,341 → 4,846 requests/s,
 * `npm run bench -- serving`).
 */
const REQUEST = Symbol("request");
type ScopedContext = Context & { [REQUEST]?: FastifyRequest };

/** Defaults of AppOptions.timeouts, authFailures and maxSubscriptionsPerKey (README, "Limits"). */
export const DEFAULT_TIMEOUTS = { requestSeconds: 300, headersSeconds: 30 };
export const DEFAULT_AUTH_FAILURES = { max: 20, windowSeconds: 60 };
export const DEFAULT_MAX_SUBSCRIPTIONS_PER_KEY = 100;

export async function buildApp(options: AppOptions): Promise<App> {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const requestTimeout = timeouts.requestSeconds * 1000;
  const fastify = Fastify({
    // Fastify turns Node's request timeout off by default: a body sent a byte at a time held its
    // socket for good. Node checks the deadlines every connectionsCheckingInterval.
    requestTimeout,
    http: { headersTimeout: Math.min(requestTimeout, timeouts.headersSeconds * 1000), connectionsCheckingInterval: Math.min(30_000, Math.max(250, requestTimeout / 4)) },
    logger: { level: options.logLevel ?? "info" },
    bodyLimit: options.maxBodyBytes,
    genReqId: (req) => (typeof req.headers["x-request-id"] === "string" ? req.headers["x-request-id"].slice(0, 64) : randomUUID()),
    // One line per request, written when it completes (below), so that it can carry the
    // GraphQL operation's name, which is known only once the body is parsed. (Through a
    // LogController: the top-level disableRequestLogging option is deprecated, FSTDEP023.)
    logController: new LogController({ disableRequestLogging: true }),
  });
  // Before any route or plugin, so that every one of them inherits the handlers.
  registerErrorHandlers(fastify, { maxBodyBytes: options.maxBodyBytes });
  const metrics = createMetrics(options.prisma, options.queue);
  fastify.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    reply.log.info({ ...request.operation, req: { method: request.method, url: request.url, route }, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime }, "request completed");
  });
  const services = createServices(options.prisma, { maxTrainingSeconds: options.maxTrainingSeconds, events: options.events, queue: options.queue, pool: options.pool, datasetLimits: options.datasetLimits });
  const defaultWorkspace = await services.workspaces.ensureDefault();
  const createdBootstrapKey = await services.auth.bootstrap(defaultWorkspace, options.bootstrapKey);

  const typeDefs = readFileSync(SCHEMA_PATH, "utf8");
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const armored = armor(limits);
  const limiter = new RateLimiter(options.rateLimit?.perSecond ?? 0, options.rateLimit?.burst ?? 1);
  const authFailures = new AuthFailureThrottle(options.authFailures?.max ?? DEFAULT_AUTH_FAILURES.max, options.authFailures?.windowSeconds ?? DEFAULT_AUTH_FAILURES.windowSeconds);
  // Over HTTP, masked errors are logged per request by ApolloServerPluginOperationLog; over
  // WebSocket (subscriptions) there is no request, and the server's logger takes them.
  const formatError = createErrorFormatter();
  const formatSubscriptionError = createErrorFormatter((error) => fastify.log.error({ err: error }, "unexpected error in a resolver"));
  const schema = withFieldScopes(makeExecutableSchema({ typeDefs, resolvers: withScopes(resolvers, buildSchema(typeDefs)) as never }));
  const apollo = new ApolloServer<Context>({
    schema,
    // CSRF prevention stays on, and an Authorization header counts as what forces a preflight.
    // Apollo refuses a GET (or a simple-content-type POST) unless a header a cross-origin page
    // cannot send without a CORS preflight is present: its defaults are `apollo-require-preflight`
    // and `x-apollo-operation-name`. `Authorization` is such a header too (not CORS-safelisted),
    // and it is our only credential: the key is a bearer token, which a browser never attaches
    // on its own (no cookies, no HTTP auth), and no CORS policy here lets another origin send it.
    // So a GET query from urql (which sends GETs with no content-type) or curl works with just
    // the key, while a forged cross-site request, carrying no key, still gets 401 before Apollo.
    // Mutations over GET stay refused (405) by Apollo whatever the headers.
    csrfPrevention: { requestHeaders: ["x-apollo-operation-name", "apollo-require-preflight", "authorization"] },
    introspection: limits.introspection,
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: armored.validationRules as never,
    formatError,
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGTERM (drain HTTP and subscriptions, stop the worker, close the database):
    // Apollo's own handler, installed whenever NODE_ENV is not "test", would race it with a
    // second close of the server.
    stopOnTerminationSignals: false,
    plugins: [
      fastifyApolloDrainPlugin(fastify),
      ApolloServerPluginLandingPageDisabled(),
      ...(armored.plugins as unknown as ApolloServerPlugin<Context>[]),
      costLimitPlugin(limits.maxCost),
      textCheckPlugin(),
      serviceUnavailableStatusPlugin(),
      ApolloServerPluginOperationLog(),
      ApolloServerPluginMetrics<Context>(metrics),
    ],
  });
  await apollo.start();

  // Every GraphQL request carries an API key; without a valid one it ends here with a 401,
  // before Apollo parses anything.
  fastify.addHook("onRequest", async (request, reply) => {
    if (request.url.split("?")[0] !== "/graphql" || request.method === "OPTIONS") return;
    const throttled = authFailures.retryAfter(request.ip);
    if (throttled > 0) return reply.code(429).header("retry-after", String(throttled)).type("application/json").send(authThrottledBody(authFailures, throttled));
    try {
      request.principal = await services.auth.authenticate(request.headers.authorization);
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        const unavailable = new ServiceUnavailableError();
        return reply.code(503).header("retry-after", "2").type("application/json").send({ errors: [{ message: unavailable.message, extensions: { code: unavailable.code } }] });
      }
      if (!(error instanceof UnauthenticatedError)) throw error;
      authFailures.fail(request.ip);
      return reply.code(401).header("www-authenticate", "Bearer").type("application/json").send({ errors: [{ message: error.message, extensions: { code: error.code } }] });
    }
    const retryAfter = limiter.take(request.principal.keyId);
    if (retryAfter > 0) {
      return reply
        .code(429)
        .header("retry-after", String(retryAfter))
        .type("application/json")
        .send({ errors: [{ message: `Rate limit of ${options.rateLimit!.perSecond} requests/s for this key exceeded; retry after ${retryAfter} s.`, extensions: { code: "RATE_LIMITED", retryAfter } }] });
    }
  });

  await fastify.register(fastifyApollo(apollo), {
    path: "/graphql",
    context: async (request) => {
      const context: ScopedContext = { services, workspaceId: request.principal!.workspaceId, principal: request.principal!, requestId: String(request.id), [REQUEST]: request };
      return context;
    },
  });
  const uploadDir = options.uploadDir ?? DEFAULT_UPLOAD_DIR;
  // A spool directory that cannot be read (a broken TMPDIR) must not stop the server: uploads
  // then answer 503 on their own.
  const stale = await removeStaleSpools(uploadDir).catch((error: unknown) => {
    fastify.log.warn({ err: error, uploadDir }, "could not look for stale upload spool files");
    return [];
  });
  if (stale.length > 0) fastify.log.warn({ uploadDir, removed: stale }, "removed upload spool files left by processes that ended without cleaning up");
  registerUpload(fastify, services, options.maxUploadBytes, authFailures, uploadDir);
  registerSubscriptions(fastify, services, schema, armored.validationRules as never, formatSubscriptionError, {
    authFailures,
    maxPerKey: options.maxSubscriptionsPerKey ?? DEFAULT_MAX_SUBSCRIPTIONS_PER_KEY,
  });
  // The in-process worker (and, with WORKERS=0, only its reaper of lost jobs).
  const worker = new TrainingWorker(services.jobs, services.searches, options.queue, services.events, {
    concurrency: options.workers ?? 1,
    staleSeconds: options.worker?.staleSeconds ?? 15,
    graceSeconds: options.worker?.graceSeconds ?? 10,
    maxTrainingSeconds: options.maxTrainingSeconds ?? DEFAULT_MAX_TRAINING_SECONDS,
    log: fastify.log,
  });
  await worker.start();
  // Stop training first (its last writes publish events), then the bus.
  fastify.addHook("onClose", async () => {
    await worker.stop();
    await services.events.close();
  });

  fastify.get("/healthz", async (_request, reply) => {
    try {
      await options.prisma.$queryRaw`SELECT 1`;
      return { status: "ok" };
    } catch {
      return reply.code(503).send({ status: "unavailable", reason: "database unreachable" });
    }
  });

  // Like /healthz, /readyz, /metrics and the web pages are outside the API key check above
  // (the pages ask the user for a key and send it to /graphql). Expose /metrics to your
  // scraper's network only.
  const readiness = createReadinessCheck(options.prisma);
  fastify.get("/readyz", async (_request, reply) => {
    const result = await readiness();
    if (result.ready) return { status: "ready" };
    return reply.code(503).send({ status: "unavailable", reason: result.reason, ...(result.pending ? { pending: result.pending } : {}) });
  });
  fastify.get("/metrics", async (_request, reply) => {
    const { contentType, body } = await metrics.render();
    return reply.type(contentType).header("cache-control", "no-store").send(body);
  });

  await registerWeb(fastify, {
    webDir: options.webDir,
    config: {
      graphqlPath: "/graphql",
      apiKey: options.prefillWebKey ? (options.bootstrapKey ?? createdBootstrapKey) : null,
      development: options.prefillWebKey ?? false,
      // graphql-ws on the same path; the page turns it into ws(s)://its own host/graphql.
      subscriptionUrl: "/graphql",
      version: CODE_VERSION,
    },
  });

  return { fastify, services, createdBootstrapKey, metrics };
}

/**
 * Names the request's log lines after its GraphQL operation (the operation resolved, or the
 * body's `operationName` when it never resolves), and logs the errors the formatter masks with
 * the request's logger. The names go into each line's fields rather than a child logger: pino's
 * child() cost 3% of single-row serving.
 */
function ApolloServerPluginOperationLog(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request, contextValue }) {
      const http = (contextValue as ScopedContext)[REQUEST];
      const name = (operationName: string | null | undefined, operationType?: string) => {
        if (http && !http.operation) http.operation = { operationName: operationName ?? null, ...(operationType ? { operationType } : {}) };
      };
      return {
        async didResolveOperation({ operationName, operation }) {
          name(operationName, operation?.operation);
        },
        async didEncounterErrors({ errors }) {
          name(request.operationName);
          for (const error of errors) {
            const original = maskedOriginal(error);
            if (original !== undefined) (http?.log ?? console).error({ ...http?.operation, err: original }, "unexpected error in a resolver");
          }
        },
        async willSendResponse() {
          name(request.operationName);
        },
      };
    },
  };
}
