/**
 * The prediction log's one foreign key, (modelId, workspaceId) → Model(id, workspaceId), on the
 * run's real Postgres: a prediction must name its model's own workspace, and deleting the model
 * or the workspace takes its predictions with it.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Database } from "../../src/data/database.ts";
import { createWorkspace, openTestDatabase } from "../support/database.ts";

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

async function createModel(workspaceId: string, version = 1): Promise<string> {
  const model = await database.prisma.model.create({
    data: { workspaceId, name: "keyed", version, algorithm: "LINEAR_REGRESSION", target: "y", features: ["x"], hyperparameters: {}, testFraction: 0.2, seed: 0 },
  });
  return model.id;
}

const log = (workspaceId: string, modelId: string) =>
  database.prisma.prediction.create({ data: { workspaceId, modelId, input: { x: 1 }, output: { value: 2 }, latencyMs: 0.1 } });

it("refuses a prediction whose workspace is not its model's, and keeps nothing of it", async () => {
  const [home, other] = [await createWorkspace(database), await createWorkspace(database)];
  const modelId = await createModel(home);
  await expect(log(other, modelId)).rejects.toMatchObject({ code: "P2003" });
  expect(await database.prisma.prediction.count({ where: { modelId } })).toBe(0);
  await log(home, modelId);
  expect(await database.prisma.prediction.count({ where: { modelId } })).toBe(1);
});

it("deletes a model's predictions with the model, and a workspace's with the workspace", async () => {
  const workspaceId = await createWorkspace(database);
  const [first, second] = [await createModel(workspaceId, 1), await createModel(workspaceId, 2)];
  await log(workspaceId, first);
  await log(workspaceId, second);
  await database.prisma.model.delete({ where: { id: first } });
  expect(await database.prisma.prediction.count({ where: { workspaceId } })).toBe(1);
  await database.prisma.workspace.delete({ where: { id: workspaceId } });
  expect(await database.prisma.prediction.count({ where: { workspaceId } })).toBe(0);
});
