/**
 * Subscriptions over WebSocket (graphql-ws) at /graphql: events fan out across servers through
 * Postgres LISTEN/NOTIFY, and a subscription obeys the same keys, scopes and workspaces as a
 * query.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { openTestDatabase } from "../support/database.ts";
import { startTestServer, type TestServer } from "../support/http.ts";
import { PostgresEventBus } from "../../src/services/events.ts";
import type { Database } from "../../src/data/database.ts";

let database: Database;
let a: TestServer;
let b: TestServer;
const clients: Client[] = [];

beforeAll(async () => {
  database = await openTestDatabase();
  const url = inject("databaseUrl");
  [a, b] = await Promise.all([
    startTestServer(database, { events: await new PostgresEventBus(url).start() }),
    startTestServer(database, { events: await new PostgresEventBus(url).start() }),
  ]);
});
afterAll(async () => {
  for (const client of clients) await client.dispose();
  await a?.close();
  await b?.close();
  await database?.close();
});

function connect(server: TestServer, key: string | undefined): Client {
  const client = createClient({
    url: `${server.url.replace("http", "ws")}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
  clients.push(client);
  return client;
}

/** Collect a subscription's results until `until` says stop (or it completes / errors). */
function collect<T>(client: Client, query: string, until: (items: T[]) => boolean, variables: Record<string, unknown> = {}) {
  const items: T[] = [];
  let resolveDone!: (value: { items: T[]; error?: unknown }) => void;
  const done = new Promise<{ items: T[]; error?: unknown }>((r) => (resolveDone = r));
  let ready!: () => void;
  const subscribed = new Promise<void>((r) => (ready = r));
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) {
          resolveDone({ items, error: result.errors });
          return;
        }
        items.push(result.data as T);
        if (until(items)) {
          unsubscribe();
          resolveDone({ items });
        }
      },
      error: (error) => resolveDone({ items, error }),
      complete: () => resolveDone({ items }),
    },
  );
  // graphql-ws acknowledges the connection before the subscription starts listening; give the
  // server a moment to register the listener before the test makes events.
  client.on("connected", () => setTimeout(ready, 300));
  return { done, subscribed };
}

describe("modelEvents across servers", () => {
  it("a client subscribed on server A sees a training and a promotion made through server B", async () => {
    const client = connect(a, a.key);
    const { done, subscribed } = collect<{ modelEvents: { type: string; modelId: string; alias: string | null; model: { id: string; status: string } | null } }>(
      client,
      `subscription { modelEvents { type modelId alias model { id status } } }`,
      (items) => items.some((i) => i.modelEvents.type === "PROMOTED"),
    );
    await subscribed;
    const dataset = (await b.gql(`mutation { createDataset(input: { name: "s", csv: "x,y\\n1,2\\n2,4\\n3,6.1\\n4,7.9\\n" }) { id } }`)).data.createDataset.id;
    const model = (await b.gql(`mutation($d: ID!) { trainModel(wait: true, input: { datasetId: $d, name: "subscribed", algorithm: LINEAR_REGRESSION, target: "y", testFraction: 0 }) { id version } }`, { d: dataset })).data.trainModel;
    await b.gql(`mutation { promote(model: "subscribed", version: ${model.version}, alias: "production") { id } }`);
    const { items, error } = await done;
    expect(error).toBeUndefined();
    const events = items.map((i) => i.modelEvents).filter((e) => e.modelId === model.id);
    expect(events.map((e) => e.type)).toEqual(["CREATED", "TRAINING", "READY", "PROMOTED"]);
    expect(events[2].model).toEqual({ id: model.id, status: "READY" });
    expect(events[3].alias).toBe("production");
  });
});

describe("trainingProgress", () => {
  it("gives a model's state and ends at a terminal state", async () => {
    const dataset = (await a.gql(`mutation { createDataset(input: { name: "p", csv: "x,y\\n1,2\\n2,4\\n3,6.1\\n" }) { id } }`)).data.createDataset.id;
    const model = (await a.gql(`mutation($d: ID!) { trainModel(wait: true, input: { datasetId: $d, name: "progress", algorithm: RIDGE, target: "y", testFraction: 0 }) { id } }`, { d: dataset })).data.trainModel;
    const { done } = collect<{ trainingProgress: { modelId: string; status: string; fraction: number | null } }>(
      connect(b, b.key),
      `subscription($id: ID!) { trainingProgress(modelId: $id) { modelId status fraction } }`,
      () => false,
      { id: model.id },
    );
    const { items, error } = await done;
    expect(error).toBeUndefined();
    expect(items.map((i) => i.trainingProgress)).toEqual([{ modelId: model.id, status: "READY", fraction: 1 }]);
  });
});

describe("the same rules as queries", () => {
  it("closes a connection without a valid key", async () => {
    const { done } = collect(connect(a, "mql_not_a_key_000000000000000"), `subscription { modelEvents { type } }`, () => true);
    const { items, error } = await done;
    expect(items).toEqual([]);
    expect((error as { code?: number }).code).toBe(4403);
  });

  it("a key without READ is FORBIDDEN, naming the scope", async () => {
    const predictOnly = (await a.gql(`mutation { createApiKey(input: { name: "p", scopes: [PREDICT] }) { key } }`)).data.createApiKey.key;
    const { done } = collect(connect(a, predictOnly), `subscription { modelEvents { type } }`, () => true);
    const { error } = await done;
    expect(JSON.stringify(error)).toMatch(/"code":"FORBIDDEN"/);
    expect(JSON.stringify(error)).toMatch(/"scope":"READ"/);
  });

  /** A subscription's events and how its connection closed. */
  function follow(server: TestServer, key: string, query: string) {
    const client = connect(server, key);
    const items: any[] = [];
    let closed: { code: number } | undefined;
    client.on("closed", (event) => void (closed = event as { code: number }));
    const subscribed = new Promise<void>((resolve) => client.on("connected", () => setTimeout(resolve, 300)));
    client.subscribe({ query }, { next: (result) => void items.push(result.data), error: () => {}, complete: () => {} });
    return { items, subscribed, closed: () => closed };
  }
  async function until<T>(check: () => T | undefined, ms: number): Promise<T | undefined> {
    const deadline = Date.now() + ms;
    for (let value = check(); Date.now() < deadline; value = check()) {
      if (value) return value;
      await new Promise((r) => setTimeout(r, 50));
    }
    return check();
  }

  it("a revoked key's subscription is closed with 4403 before its next event (issue 22)", async () => {
    const reader = (await a.gql(`mutation { createApiKey(input: { name: "revoked-reader", scopes: [READ] }) { key apiKey { id } } }`)).data.createApiKey;
    const stream = follow(a, reader.key, `subscription { modelEvents { type modelId } }`);
    await stream.subscribed;
    const dataset = (await a.gql(`mutation { createDataset(input: { name: "r", csv: "x,y\\n1,2\\n2,4\\n3,6.1\\n" }) { id } }`)).data.createDataset.id;
    const model = (await a.gql(`mutation($d: ID!) { trainModel(wait: true, input: { datasetId: $d, name: "revoked-stream", algorithm: RIDGE, target: "y", testFraction: 0 }) { id version } }`, { d: dataset })).data.trainModel;
    expect(await until(() => stream.items.find((i) => i.modelEvents.modelId === model.id && i.modelEvents.type === "READY"), 10_000)).toBeDefined();
    await a.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: reader.apiKey.id });
    await a.gql(`mutation { promote(model: "revoked-stream", version: ${model.version}, alias: "production") { id } }`);
    expect((await until(stream.closed, 10_000))?.code).toBe(4403);
    expect(stream.items.filter((i) => i.modelEvents.type === "PROMOTED")).toEqual([]);
  });

  it("an idle subscription closes with 4403 once its key is revoked through another server (issue 22)", async () => {
    const reader = (await b.gql(`mutation { createApiKey(input: { name: "revoked-idle", scopes: [READ] }) { key apiKey { id } } }`)).data.createApiKey;
    const stream = follow(a, reader.key, `subscription { modelEvents { type } }`);
    await stream.subscribed;
    expect(stream.closed()).toBeUndefined();
    await b.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: reader.apiKey.id });
    // The other server trusts its cache for 5 s and rechecks idle connections every 5 s.
    expect((await until(stream.closed, 20_000))?.code).toBe(4403);
  });

  it("nested fields keep their scopes over WebSocket: ModelEvent.model's metrics need READ, its coefficients EXPORT", async () => {
    const reader = (await a.gql(`mutation { createApiKey(input: { name: "ws-reader", scopes: [READ] }) { key } }`)).data.createApiKey.key;
    const { done, subscribed } = collect<unknown>(connect(a, reader), `subscription { modelEvents { type model { id metrics { r2 } coefficients { value } } } }`, () => true);
    await subscribed;
    const dataset = (await a.gql(`mutation { createDataset(input: { name: "n", csv: "x,y\\n1,2\\n2,4\\n3,6.1\\n" }) { id } }`)).data.createDataset.id;
    await a.gql(`mutation($d: ID!) { trainModel(input: { datasetId: $d, name: "ws-nested", algorithm: RIDGE, target: "y", testFraction: 0 }) { id } }`, { d: dataset });
    const { error } = await done;
    expect(JSON.parse(JSON.stringify(error))).toEqual([expect.objectContaining({ extensions: { code: "FORBIDDEN", scope: "EXPORT", field: "Model.coefficients" } })]);
  });

  it("another workspace's events never arrive, and its model is NOT_FOUND", async () => {
    const workspace = (await a.gql(`mutation($n: String!) { createWorkspace(name: $n) { id } }`, { n: `sub-${Date.now()}` })).data.createWorkspace.id;
    const otherKey = (await a.gql(`mutation($w: ID!) { createApiKey(input: { name: "o", scopes: [ADMIN], workspaceId: $w }) { key } }`, { w: workspace })).data.createApiKey.key;
    const other = connect(a, otherKey);
    const { done, subscribed } = collect<{ modelEvents: { modelId: string } }>(other, `subscription { modelEvents { modelId } }`, () => true);
    await subscribed;
    const dataset = (await b.gql(`mutation { createDataset(input: { name: "q", csv: "x,y\\n1,2\\n2,4\\n3,6.1\\n" }) { id } }`)).data.createDataset.id;
    const model = (await b.gql(`mutation($d: ID!) { trainModel(wait: true, input: { datasetId: $d, name: "private", algorithm: RIDGE, target: "y", testFraction: 0 }) { id } }`, { d: dataset })).data.trainModel;
    const outcome = await Promise.race([done, new Promise((r) => setTimeout(() => r("nothing"), 1500))]);
    expect(outcome).toBe("nothing");

    const progress = collect(connect(a, otherKey), `subscription($id: ID!) { trainingProgress(modelId: $id) { status } }`, () => true, { id: model.id });
    const { error } = await progress.done;
    expect(JSON.stringify(error)).toMatch(/"code":"NOT_FOUND"/);
  });
});
