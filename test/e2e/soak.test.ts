/**
 * The soak's short form (bench/soak.ts; the full one is `npm run soak`, 60 s): a server
 * process under open-loop predict load at 70% of its measured peak for 12 s (p99 per 4 s),
 * with training jobs queued every 3 s: no error, nothing shed, every training READY, p99 and the resident
 * set within bounds a leak or a pile-up would break.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { formatSoak, soak } from "../../bench/soak.ts";
import { postGraphQL } from "../support/http.ts";
import { startServerProcess, type ServerProcess } from "../support/process.ts";

const KEY = "mql_soak_test_key_0123456789abcdef";
let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess({ MODELQL_BOOTSTRAP_KEY: KEY, RATE_LIMIT_PER_SECOND: "0" });
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

it("holds 70% of peak predict load for 12 s with trainings running: no error, flat p99 and memory", async () => {
  const gql = (query: string, variables?: Record<string, unknown>) => postGraphQL(`${server.base}/graphql`, query, variables, KEY);
  const rows = Array.from({ length: 2000 }, (_, i) => `${i % 97},${(i * 31) % 89},${(i % 97) * 2 + ((i * 31) % 89) * 0.5 + (i % 7)}`);
  const dataset = (await gql(`mutation($csv: String!) { createDataset(input: { name: "soak", csv: $csv }) { id } }`, { csv: ["a,b,y", ...rows].join("\n") })).data.createDataset.id;
  const model = (await gql(`mutation($d: ID!) { trainModel(wait: true, input: { datasetId: $d, name: "soak-served", algorithm: LINEAR_REGRESSION, target: "y" }) { id status } }`, { d: dataset })).data.trainModel;
  expect(model.status).toBe("READY");

  const report = await soak({ base: server.base, key: KEY, pid: server.child.pid!, modelId: model.id, datasetId: dataset, target: "y", input: { a: 3, b: 4 }, seconds: 12, windowSeconds: 4, trainEvery: 3 });
  console.log(formatSoak(report));
  expect(report.errors).toBe(0);
  expect(report.shed).toBe(0);
  expect(report.requests).toBeGreaterThan(0.9 * report.rate * report.seconds);
  expect(report.trainings.queued).toBeGreaterThanOrEqual(3);
  expect(report.trainings.ready).toBe(report.trainings.queued);
  // Generous bounds for a shared 2-core machine; a leak or a queue that never drains breaks them.
  expect(report.windows.at(-1)!.p99).toBeLessThan(4 * report.windows[0].p99 + 100);
  expect(report.rssEndMiB).toBeLessThan(1.5 * report.rssStartMiB + 100);
}, 240_000);
