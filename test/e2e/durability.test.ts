/**
 * Promises kept across processes: a promotion made through one server is what the next
 * request on another server uses, and every prediction a server acknowledged is in the log
 * even when that server is killed with SIGKILL right after answering.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import houses from "../fixtures/pipeline/houses.json" with { type: "json" };
import { openTestDatabase } from "../support/database.ts";
import { postGraphQL } from "../support/http.ts";
import { startServerProcess, type ServerProcess } from "../support/process.ts";
import type { Database } from "../../src/data/database.ts";

const KEY = "mql_durability_test_key_0123456789abc";
let database: Database;
let a: ServerProcess;
let b: ServerProcess;
const name = `two-servers-${Date.now()}`;

beforeAll(async () => {
  database = await openTestDatabase();
  [a, b] = await Promise.all([startServerProcess({ MODELQL_BOOTSTRAP_KEY: KEY }), startServerProcess({ MODELQL_BOOTSTRAP_KEY: KEY })]);
  const gqlA = (q: string, v?: Record<string, unknown>) => postGraphQL(`${a.base}/graphql`, q, v, KEY);
  const datasetId = (await gqlA(`mutation($csv: String!) { createDataset(input: { name: "h", csv: $csv }) { id } }`, { csv: houses.csv })).data.createDataset.id;
  for (const alpha of [0.01, 100000]) {
    await gqlA(`mutation($d: ID!, $h: JSON) { trainModel(wait: true, input: { datasetId: $d, name: "${name}", algorithm: RIDGE, target: "price", features: ["sqft", "age"], hyperparameters: $h }) { id } }`, { d: datasetId, h: { alpha } });
  }
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await database?.close();
});

const PREDICT = (ref: string) => `mutation { predict(model: "${ref}", inputs: [{ sqft: 1500, age: 10 }]) { id output model { version } } }`;

it("a promotion through server A takes effect on server B's next request, with no restart", async () => {
  await postGraphQL(`${a.base}/graphql`, `mutation { promote(model: "${name}", version: 1, alias: "production") { id } }`, {}, KEY);
  expect((await postGraphQL(`${b.base}/graphql`, PREDICT(`${name}@production`), {}, KEY)).data.predict[0].model.version).toBe(1);
  await postGraphQL(`${a.base}/graphql`, `mutation { promote(model: "${name}", version: 2, alias: "production") { id } }`, {}, KEY);
  expect((await postGraphQL(`${b.base}/graphql`, PREDICT(`${name}@production`), {}, KEY)).data.predict[0].model.version).toBe(2);
  await postGraphQL(`${b.base}/graphql`, `mutation { rollback(model: "${name}", alias: "production") { id } }`, {}, KEY);
  expect((await postGraphQL(`${a.base}/graphql`, PREDICT(`${name}@production`), {}, KEY)).data.predict[0].model.version).toBe(1);
});

it("every prediction acknowledged before a SIGKILL is in the log", async () => {
  const acknowledged: string[] = [];
  const inFlight: Promise<void>[] = [];
  // 8 concurrent clients hammer server B; B is killed while requests are in flight.
  let stop = false;
  for (let c = 0; c < 8; c++) {
    inFlight.push(
      (async () => {
        while (!stop) {
          try {
            const response = await postGraphQL(`${b.base}/graphql`, PREDICT(name), {}, KEY);
            if (response.status === 200 && response.data?.predict) acknowledged.push(...response.data.predict.map((p: any) => p.id));
          } catch {
            return; // connection refused or reset: the server is gone
          }
        }
      })(),
    );
  }
  // Kill it once it is busy: a fixed delay is too short on a loaded machine.
  const deadline = Date.now() + 20_000;
  while (acknowledged.length <= 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await b.stop("SIGKILL");
  stop = true;
  await Promise.all(inFlight);
  expect(acknowledged.length).toBeGreaterThan(50);
  const found = await database.prisma.prediction.count({ where: { id: { in: acknowledged.map(BigInt) } } });
  expect(found).toBe(acknowledged.length);
});
