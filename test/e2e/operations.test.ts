/**
 * What operators see: /readyz (database and migrations), /metrics (Prometheus text), the web
 * pages' 503 when the bundle is missing, and one JSON log line per request carrying the
 * request id and the GraphQL operation's name, from a server started as `npm start` starts it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkspace, openTestDatabase } from "../support/database.ts";
import { adminKey, postGraphQL } from "../support/http.ts";
import { startServerProcess, type ServerProcess } from "../support/process.ts";
import { buildApp, type App } from "../../src/http/app.ts";
import { committedMigrations, createReadinessCheck } from "../../src/http/readiness.ts";
import type { Database } from "../../src/data/database.ts";
import type { JobQueue } from "../../src/jobs/queue.ts";
import { openTestQueue } from "../support/queue.ts";

let database: Database;
let queue: JobQueue;
let app: App;
let url: string;
let key: string;

beforeAll(async () => {
  database = await openTestDatabase();
  queue = await openTestQueue();
  app = await buildApp({ prisma: database.prisma, pool: database.pool, queue, maxBodyBytes: 1 << 20, logLevel: "silent", webDir: "/nonexistent/modelql-web" });
  await app.fastify.listen({ port: 0, host: "127.0.0.1" });
  url = `http://127.0.0.1:${(app.fastify.server.address() as { port: number }).port}`;
  key = await adminKey(app);
});

afterAll(async () => {
  await app?.fastify.close();
  await queue?.close();
  await database?.close();
});

const metricsText = async () => (await fetch(`${url}/metrics`)).text();

describe("/readyz", () => {
  it("answers 200 without a key when the database answers and every migration is applied", async () => {
    const response = await fetch(`${url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ready" });
  });

  it("is not ready while a migration this build ships is not applied", async () => {
    const check = createReadinessCheck(database.prisma, [...committedMigrations(), "29991231000000_from_the_future"]);
    expect(await check()).toEqual({ ready: false, reason: "migrations pending", pending: ["29991231000000_from_the_future"] });
  });
});

describe("/metrics", () => {
  it("serves Prometheus text without a key: process metrics, training jobs by status", async () => {
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toContain("# TYPE process_cpu_user_seconds_total counter");
    expect(text).toContain("# TYPE nodejs_heap_size_used_bytes gauge");
    for (const status of ["QUEUED", "TRAINING", "READY", "FAILED", "CANCELLED"]) expect(text).toMatch(new RegExp(`^modelql_training_jobs\\{status="${status}"\\} \\d+$`, "m"));
    expect(text).toMatch(/^modelql_database_up 1$/m);
    // This server's queue (its own pg-boss schema) is empty.
    expect(text).toMatch(/^modelql_queue_depth 0$/m);
  });

  it("counts and times GraphQL requests per operation name and type, and failures apart", async () => {
    await postGraphQL(`${url}/graphql`, "query MetricsProbe { algorithms { algorithm } }", undefined, key);
    await postGraphQL(`${url}/graphql`, "query MetricsProbe { algorithms { algorithm } }", undefined, key);
    await postGraphQL(`${url}/graphql`, "query Broken { noSuchField }", undefined, key);
    await postGraphQL(`${url}/graphql`, "query Unparsable {", undefined, key);
    const text = await metricsText();
    expect(text).toContain('modelql_graphql_requests_total{operation_name="MetricsProbe",operation_type="query",outcome="success"} 2');
    expect(text).toContain('modelql_graphql_request_duration_seconds_count{operation_name="MetricsProbe",operation_type="query"} 2');
    expect(text).toContain('modelql_graphql_requests_total{operation_name="Broken",operation_type="query",outcome="error"} 1');
    expect(text).toContain('modelql_graphql_requests_total{operation_name="anonymous",operation_type="unknown",outcome="error"} 1');
    expect(text).toMatch(/^modelql_http_requests_total\{method="POST",route="\/graphql",status="200"\} \d+$/m);
  });

  it("counts requests refused before GraphQL (no key: 401)", async () => {
    await postGraphQL(`${url}/graphql`, "{ algorithms { algorithm } }");
    expect(await metricsText()).toMatch(/^modelql_http_requests_total\{method="POST",route="\/graphql",status="401"\} [1-9]\d*$/m);
  });

  it("counts the predictions served per workspace and model id, never showing a tenant's model name (issue 22)", async () => {
    // Two workspaces, each with a model of the same name: two series, told apart, no name.
    const name = `metrics-secret-${Date.now()}`;
    const served: { workspace: string; model: string; count: number }[] = [];
    for (const count of [3, 2]) {
      const workspace = await createWorkspace(database);
      const tenant = await adminKey(app, workspace);
      const gql = (query: string, variables?: Record<string, unknown>) => postGraphQL(`${url}/graphql`, query, variables, tenant);
      const csv = "x,y\n1,2.1\n2,3.9\n3,6.2\n4,8.1\n5,9.8\n6,12.2\n";
      const dataset = await gql(`mutation($csv: String!) { createDataset(input: { name: "metrics", csv: $csv }) { id } }`, { csv });
      const trained = await gql(`mutation($input: TrainModelInput!) { trainModel(wait: true, input: $input) { id status } }`, {
        input: { datasetId: dataset.data.createDataset.id, name, algorithm: "LINEAR_REGRESSION", target: "y", testFraction: 0 },
      });
      expect(trained.data.trainModel.status).toBe("READY");
      const inputs = Array.from({ length: count }, (_, i) => ({ x: 7 + i }));
      const predicted = await gql(`mutation($model: String!, $inputs: [JSON!]!) { predict(model: $model, inputs: $inputs) { output } }`, { model: name, inputs });
      expect(predicted.errors).toBeUndefined();
      served.push({ workspace, model: trained.data.trainModel.id, count });
    }
    const text = await metricsText();
    for (const { workspace, model, count } of served) expect(text).toContain(`modelql_predictions_served_total{workspace="${workspace}",model_id="${model}"} ${count}`);
    expect(text).not.toContain(name);
  });
});

describe("web pages without a bundle", () => {
  it("answer 503 with a page that says how to build them", async () => {
    for (const path of ["/", "/graphiql"]) {
      const response = await fetch(`${url}${path}`);
      expect(response.status).toBe(503);
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      expect(await response.text()).toContain("npm run build:web");
    }
  });
});

describe("logs of a server started as npm start starts it", () => {
  const KEY = "mql_operations_bootstrap_key_0123456789";
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startServerProcess({ MODELQL_BOOTSTRAP_KEY: KEY, LOG_LEVEL: "info" });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("writes one JSON line per request with the request id and the GraphQL operation's name and type", async () => {
    const response = await fetch(`${server.base}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${KEY}`, "x-request-id": "ops-log-check-1" },
      body: JSON.stringify({ query: "query LogProbe { algorithms { algorithm } }" }),
    });
    expect(response.status).toBe(200);
    let line: Record<string, unknown> | undefined;
    for (let i = 0; i < 50 && !line; i++) {
      await new Promise((r) => setTimeout(r, 50));
      line = server
        .output()
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.reqId === "ops-log-check-1");
    }
    expect(line).toMatchObject({ reqId: "ops-log-check-1", operationName: "LogProbe", operationType: "query", msg: "request completed", res: { statusCode: 200 } });
    expect(typeof line!.responseTime).toBe("number");
  });

  it("prints the dashboard, GraphiQL, readiness and metrics URLs", () => {
    for (const path of ["/", "/graphiql", "/readyz", "/metrics"]) expect(server.output()).toContain(`${server.base}${path}`);
  });
});
