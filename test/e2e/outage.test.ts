/**
 * The database goes away while the server runs (a TCP proxy in front of Postgres is cut): the
 * server stays up, answers every request during the outage with SERVICE_UNAVAILABLE quickly
 * (no crash, no hang), recovers within 5 s of the database returning, and every prediction it
 * acknowledged before the outage is in the log.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { inject } from "vitest";
import { openDatabase, type Database } from "../../src/data/database.ts";
import { openTestDatabase } from "../support/database.ts";
import { startTestServer, type TestServer } from "../support/http.ts";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.ts";

let proxy: TcpProxy;
let proxied: Database;
let direct: Database;
let server: TestServer;

beforeAll(async () => {
  const url = new URL(inject("databaseUrl"));
  proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  url.port = String(proxy.port);
  proxied = await openDatabase({ databaseUrl: url.toString(), migrate: false });
  direct = await openTestDatabase();
  server = await startTestServer(proxied);
});
afterAll(async () => {
  await server?.close();
  await proxied?.close();
  await direct?.close();
  await proxy?.close();
});

const PREDICT = `mutation { predict(model: "outage", inputs: [{ x: 3 }]) { id output } }`;

it("answers SERVICE_UNAVAILABLE during an outage, recovers within 5 s, and loses no acknowledged prediction", async () => {
  const created = await server.gql(`mutation { createDataset(input: { name: "o", csv: "x,y\\n1,2\\n2,4.1\\n3,5.9\\n4,8.2\\n" }) { id } }`);
  await server.gql(`mutation($d: ID!) { trainModel(wait: true, input: { datasetId: $d, name: "outage", algorithm: LINEAR_REGRESSION, target: "y", testFraction: 0 }) { id } }`, { d: created.data.createDataset.id });
  const acknowledged: string[] = [];
  for (let i = 0; i < 5; i++) acknowledged.push((await server.gql(PREDICT)).data.predict[0].id);

  await proxy.cut();
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const response = await server.gql(PREDICT);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(response.errors?.[0]?.extensions?.code).toBe("SERVICE_UNAVAILABLE");
    expect(response.status).toBe(503);
    expect(JSON.stringify(response)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|prisma|at .*\.ts/i);
  }
  const health = await fetch(`${server.url}/healthz`);
  expect(health.status).toBe(503);

  await proxy.restore();
  const restored = performance.now();
  let recovered = false;
  while (performance.now() - restored < 5_000) {
    const response = await server.gql(PREDICT);
    if (response.data?.predict) {
      acknowledged.push(response.data.predict[0].id);
      recovered = true;
      console.log(`recovered ${Math.round(performance.now() - restored)} ms after the database returned`);
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(recovered).toBe(true);
  const logged = await direct.prisma.prediction.findMany({ where: { id: { in: acknowledged.map(BigInt) } }, select: { id: true } });
  expect(logged).toHaveLength(acknowledged.length);
});
