/**
 * Datasets over real HTTP against the real Postgres: CSV in, types and statistics out, rows
 * paged back (across chunk boundaries), malformed CSV refused with nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkspace, openTestDatabase } from "../support/database.ts";
import { adminKey, postGraphQL, startTestServer, type TestServer } from "../support/http.ts";
import type { Database } from "../../src/data/database.ts";
import { CHUNK_ROWS } from "../../src/services/datasets/datasets.ts";

let database: Database;
let server: TestServer;

beforeAll(async () => {
  database = await openTestDatabase();
  server = await startTestServer(database);
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

const CREATE = `mutation($name: String!, $csv: String!) {
  createDataset(input: { name: $name, csv: $csv }) {
    id name rowCount
    columns { name type stats { count missing mean std min q25 median q75 max distinct topValues { value count } trueCount falseCount histogram { edges counts } } }
  }
}`;

async function create(csv: string, name = "t") {
  return server.gql(CREATE, { name, csv });
}

describe("createDataset", () => {
  it("infers NUMBER, CATEGORY and BOOLEAN columns and computes their statistics", async () => {
    const csv = 'x,colour,flag,note\n1,red,true,"a, quoted"\n2,blue,FALSE,"say ""hi"""\n3,red,true,\n4,,false,"two\nlines"\n5,red,,plain\n';
    const { data, errors } = await create(csv);
    expect(errors).toBeUndefined();
    const ds = data.createDataset;
    expect(ds.rowCount).toBe(5);
    expect(ds.columns.map((c: any) => [c.name, c.type])).toEqual([
      ["x", "NUMBER"],
      ["colour", "CATEGORY"],
      ["flag", "BOOLEAN"],
      ["note", "CATEGORY"],
    ]);
    const x = ds.columns[0].stats;
    // numpy: mean 3, std(ddof=1) sqrt(2.5), percentiles 2, 3, 4
    expect(x).toMatchObject({ count: 5, missing: 0, mean: 3, min: 1, q25: 2, median: 3, q75: 4, max: 5 });
    expect(Math.abs(x.std - Math.sqrt(2.5))).toBeLessThan(1e-12);
    expect(x.histogram.counts.reduce((a: number, b: number) => a + b, 0)).toBe(5);
    expect(ds.columns[1].stats).toMatchObject({ count: 4, missing: 1, distinct: 2, topValues: [{ value: "red", count: 3 }, { value: "blue", count: 1 }] });
    expect(ds.columns[2].stats).toMatchObject({ count: 4, missing: 1, trueCount: 2, falseCount: 2 });

    const rows = await server.gql(`query($id: ID!) { dataset(id: $id) { rows(first: 5) { edges { node } } } }`, { id: ds.id });
    expect(rows.data.dataset.rows.edges.map((e: any) => e.node)).toEqual([
      { x: 1, colour: "red", flag: true, note: "a, quoted" },
      { x: 2, colour: "blue", flag: false, note: 'say "hi"' },
      { x: 3, colour: "red", flag: true, note: null },
      { x: 4, colour: null, flag: false, note: "two\nlines" },
      { x: 5, colour: "red", flag: null, note: "plain" },
    ]);
  });

  it("stores more rows than one chunk and pages them back in order across the boundary", async () => {
    const n = CHUNK_ROWS + 10;
    const lines = ["i,half"];
    for (let i = 0; i < n; i++) lines.push(`${i},${i % 2 ? "odd" : "even"}`);
    const { data, errors } = await create(lines.join("\n"), "big");
    expect(errors).toBeUndefined();
    expect(data.createDataset.rowCount).toBe(n);
    const query = `query($id: ID!, $after: String) { dataset(id: $id) { rows(first: 1000, after: $after) { edges { cursor node } pageInfo { hasNextPage endCursor } } } }`;
    // Jump near the boundary through a real cursor, then read across it.
    let after: string | undefined;
    let seen = 0;
    let last: any;
    while (seen < CHUNK_ROWS + 10) {
      const page = (await server.gql(query, { id: data.createDataset.id, after })).data.dataset.rows;
      page.edges.forEach((e: any, k: number) => expect(e.node.i).toBe(seen + k));
      seen += page.edges.length;
      after = page.pageInfo.endCursor;
      last = page;
    }
    expect(seen).toBe(n);
    expect(last.pageInfo.hasNextPage).toBe(false);
  });

  it.each([
    ["ragged row", "a,b\n1,2\n3\n", /line 3/i],
    ["unclosed quote", 'a,b\n1,"2\n', /quote/i],
    ["empty input", "", /empty|header/i],
    ["duplicate column names", "a,a\n1,2\n", /both named "a"/],
    ["empty column name", "a,\n1,2\n", /empty|name/i],
    ["header but no data rows", "a,b\n", /no data|rows/i],
  ])("refuses %s with BAD_USER_INPUT and writes nothing", async (_case, csv, message) => {
    const before = await database.prisma.dataset.count({ where: { name: "t" } });
    const { errors, data } = await create(csv);
    expect(data).toBeNull();
    expect(errors![0].extensions!.code).toBe("BAD_USER_INPUT");
    expect(errors![0].message).toMatch(message);
    expect(await database.prisma.dataset.count({ where: { name: "t" } })).toBe(before);
  });

  it("refuses an empty name", async () => {
    const { errors } = await create("a\n1\n", "  ");
    expect(errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "name" });
  });
});

describe("reading and deleting", () => {
  it("lists datasets newest first with cursor paging", async () => {
    // A workspace of its own: other test files create datasets in the default one meanwhile.
    const key = await adminKey(server.app, await createWorkspace(database));
    const gql = (query: string, variables?: Record<string, unknown>) => postGraphQL(`${server.url}/graphql`, query, variables, key);
    const ids = [];
    for (const name of ["p1", "p2", "p3"]) {
      ids.push((await gql(`mutation($name: String!) { createDataset(input: { name: $name, csv: "a\\n1\\n2\\n" }) { id } }`, { name })).data.createDataset.id);
    }
    const query = `query($after: String) { datasets(first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`;
    const first = (await gql(query)).data.datasets;
    expect(first.edges.map((e: any) => e.node.id)).toEqual([ids[2], ids[1]]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await gql(query, { after: first.pageInfo.endCursor })).data.datasets;
    expect(second.edges.map((e: any) => e.node.id)).toEqual([ids[0]]);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it("answers null for an unknown id and NOT_FOUND when deleting one", async () => {
    const missing = "00000000-0000-4000-8000-000000000000";
    expect((await server.gql(`{ dataset(id: "${missing}") { id } }`)).data.dataset).toBeNull();
    expect((await server.gql(`{ dataset(id: "not-a-uuid") { id } }`)).data.dataset).toBeNull();
    const { errors } = await server.gql(`mutation { deleteDataset(id: "${missing}") }`);
    expect(errors![0].extensions!.code).toBe("NOT_FOUND");
  });

  it("refuses a forged cursor and an oversized page", async () => {
    const forged = await server.gql(`{ datasets(after: "bm9wZQ") { edges { cursor } } }`);
    expect(forged.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
    const big = await server.gql(`{ datasets(first: 1000) { edges { cursor } } }`);
    expect(big.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "first" });
  });

  it("deletes a dataset with its values; models trained on it keep serving", async () => {
    const id = (await create("x,y\n1,2\n2,4.1\n3,5.9\n4,8.2\n", "doomed")).data.createDataset.id;
    const model = (
      await server.gql(`mutation($id: ID!) { trainModel(wait: true, input: { datasetId: $id, name: "survivor", algorithm: LINEAR_REGRESSION, target: "y", testFraction: 0 }) { id status } }`, { id })
    ).data.trainModel;
    expect(model.status).toBe("READY");
    expect((await server.gql(`mutation($id: ID!) { deleteDataset(id: $id) }`, { id })).data.deleteDataset).toBe(id);
    expect(await database.prisma.datasetChunk.count({ where: { datasetId: id } })).toBe(0);
    const after = await server.gql(`query($m: ID!) { model(id: $m) { dataset { id } } }`, { m: model.id });
    expect(after.data.model.dataset).toBeNull();
    const predicted = await server.gql(`mutation($m: ID!) { predict(modelId: $m, inputs: [{ x: 5 }]) { output } }`, { m: model.id });
    expect(predicted.errors).toBeUndefined();
  });
});
