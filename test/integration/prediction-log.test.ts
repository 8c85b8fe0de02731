/**
 * The prediction log's group commit on the run's real Postgres: a row the database refuses
 * fails only the request that sent it, not the other requests (other workspaces') that share
 * its INSERT. The bad rows are appended straight to the log, past the GraphQL edge's text check
 * (src/graphql/text.ts), as a value that check does not know about would arrive.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/data/database.ts";
import { createWorkspace, openTestDatabase } from "../support/database.ts";
import { PredictionLog, type LogEntry } from "../../src/services/serving/prediction-log.ts";

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

async function createModel(workspaceId: string): Promise<string> {
  const model = await database.prisma.model.create({
    data: { workspaceId, name: "logged", version: 1, algorithm: "LINEAR_REGRESSION", target: "y", features: ["x"], hyperparameters: {}, testFraction: 0.2, seed: 0 },
  });
  return model.id;
}

const entry = (workspaceId: string, modelId: string, x: unknown): LogEntry => ({ workspaceId, modelId, input: { x }, output: { value: 1 }, latencyMs: 0.1 });

describe.each([
  ["pg pool", true],
  ["Prisma raw query", false],
])("a group-committed INSERT through the %s", (_name, usePool) => {
  it("fails only the requests whose rows Postgres refuses; the others in the same INSERT are logged", async () => {
    const [tenant, other] = [await createWorkspace(database), await createWorkspace(database)];
    const [good, bad] = [await createModel(tenant), await createModel(other)];
    const log = new PredictionLog(database.prisma, usePool ? database.pool : undefined);
    // The first append starts an INSERT alone; everything appended before it returns waits and
    // goes together in the next one (one group of 41 requests).
    const first = log.append([entry(tenant, good, 0)]);
    const appended: { ok: boolean; promise: Promise<unknown> }[] = [];
    for (let i = 1; i <= 40; i++) {
      const ok = i % 10 !== 0;
      // NUL and a lone surrogate: jsonb refuses both (SQLSTATE 22P05, 22P02).
      const x = ok ? i : i % 20 === 0 ? "nul\u0000" : "lone\ud800";
      appended.push({ ok, promise: log.append([entry(ok ? tenant : other, ok ? good : bad, x), entry(ok ? tenant : other, ok ? good : bad, i)]) });
    }
    await first;
    const settled = await Promise.allSettled(appended.map((a) => a.promise));
    settled.forEach((result, i) => {
      if (appended[i].ok) expect(result.status, `request ${i + 1}`).toBe("fulfilled");
      else expect(result).toMatchObject({ status: "rejected", reason: { code: "BAD_USER_INPUT", details: { field: "inputs" } } });
    });
    // Every good request's two rows, and nothing of the bad ones (a request is all or nothing).
    expect(await database.prisma.prediction.count({ where: { modelId: good } })).toBe(1 + 36 * 2);
    expect(await database.prisma.prediction.count({ where: { modelId: bad } })).toBe(0);
    const rows = (await Promise.all(appended.filter((a) => a.ok).map((a) => a.promise))) as { input: { x: number } }[][];
    expect(rows.map((r) => r[1].input.x)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1).filter((i) => i % 10 !== 0));
  });
});
