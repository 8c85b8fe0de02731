/**
 * Training's read path on the run's real Postgres: columns read by binary COPY (the pool path)
 * equal what Prisma reads, for several chunks per column, NUMBER and CATEGORY columns, and
 * columns asked for in another order than stored.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Database } from "../../src/data/database.ts";
import { CHUNK_ROWS, DatasetService } from "../../src/services/datasets/datasets.ts";
import { createWorkspace, openTestDatabase } from "../support/database.ts";

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

it("reads the same columns through binary COPY as through Prisma, across chunks, types and any order", async () => {
  const workspaceId = await createWorkspace(database);
  const rows = CHUNK_ROWS * 2 + 123;
  const lines = ["id,city,x,flag"];
  for (let i = 0; i < rows; i++) lines.push(`${i},${["Lyon", "Nice", ""][i % 3]},${i % 7 === 0 ? "" : (i * 0.37).toFixed(2)},${i % 2 === 0}`);
  const byCopy = new DatasetService(database.prisma, database.pool);
  const byPrisma = new DatasetService(database.prisma);
  const dataset = await byCopy.createDataset(workspaceId, { name: "read-paths", csv: lines.join("\n") });
  expect(dataset.rowCount).toBe(rows);
  const names = ["flag", "x", "city", "id"];
  const copied = await byCopy.loadColumns(dataset, names);
  const viaPrisma = await byPrisma.loadColumns(dataset, names);
  expect(copied.map((c) => c.name)).toEqual(names);
  expect(copied.map((c) => c.type)).toEqual(["BOOLEAN", "NUMBER", "CATEGORY", "NUMBER"]);
  for (let k = 0; k < names.length; k++) {
    expect(copied[k].values.length).toBe(rows);
    expect(Array.from(copied[k].values)).toEqual(Array.from(viaPrisma[k].values));
  }
  expect(copied[2]).toMatchObject({ categories: ["Lyon", "Nice"] });
  expect(copied[1].values[7]).toBeNaN();
  expect(copied[1].values[rows - 2]).toBeCloseTo((rows - 2) * 0.37, 6);
  expect(copied[2].values[2]).toBe(-1);
});
