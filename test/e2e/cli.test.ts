/**
 * The CLI as a user runs it (`bin/modelql.js` in its own process, real HTTP), and the
 * streaming CSV upload behind `modelql import` (POST /datasets).
 */
import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import houses from "../fixtures/pipeline/houses.json" with { type: "json" };
import { openTestDatabase } from "../support/database.ts";
import { adminKey, postGraphQL, startTestServer, type TestServer } from "../support/http.ts";
import type { Database } from "../../src/data/database.ts";

let database: Database;
let server: TestServer;
/** This file's own workspace (other files write to the default one while `datasets` is compared with the API): its ADMIN key and a client sending it. */
let key: string;
let gql: TestServer["gql"];
let dir: string;

beforeAll(async () => {
  database = await openTestDatabase();
  server = await startTestServer(database, { maxUploadBytes: 200_000 });
  key = await adminKey(server.app, (await server.gql(`mutation { createWorkspace(name: "cli") { id } }`)).data.createWorkspace.id);
  gql = (query, variables) => postGraphQL(`${server.url}/graphql`, query, variables, key);
  dir = await mkdtemp(join(tmpdir(), "modelql-cli-"));
  await writeFile(join(dir, "houses.csv"), houses.csv);
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

/** Run the CLI; stdout is a pipe, so results come as JSON lines. */
function cli(args: string[], stdin = "", env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["bin/modelql.js", ...args], { env: { ...process.env, MODELQL_URL: server.url, MODELQL_KEY: key, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
const lines = (text: string) => text.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));

describe("modelql", () => {
  let datasetId: string;

  it("imports a CSV file through the streaming upload", async () => {
    const { code, stdout, stderr } = await cli(["import", join(dir, "houses.csv"), "--name", "houses"]);
    expect(stderr).toMatch(/imported 240 rows/);
    expect(code).toBe(0);
    const [dataset] = lines(stdout);
    expect(dataset).toMatchObject({ name: "houses", rowCount: 240 });
    datasetId = dataset.id;
    const { data } = await gql(`query($id: ID!) { dataset(id: $id) { rowCount columns { name type } } }`, { id: datasetId });
    expect(data.dataset.columns.map((c: any) => `${c.name}:${c.type}`)).toEqual(["sqft:NUMBER", "age:NUMBER", "garage:BOOLEAN", "city:CATEGORY", "price:NUMBER", "expensive:CATEGORY"]);
  });

  it("lists the datasets with the id train takes, rows and columns", async () => {
    const { code, stdout } = await cli(["datasets"]);
    expect(code).toBe(0);
    const listed = lines(stdout);
    expect(listed.find((d) => d.id === datasetId)).toEqual({ id: datasetId, name: "houses", rows: 240, columns: "sqft,age,garage,city,price,expensive", createdAt: expect.any(String) });
    // Every dataset of the workspace, and nothing else: the same set the API lists.
    const { data } = await gql(`{ datasets(first: 100) { edges { node { id } } pageInfo { hasNextPage } } }`);
    expect(data.datasets.pageInfo.hasNextPage).toBe(false);
    expect(listed.map((d) => d.id).sort()).toEqual(data.datasets.edges.map((e: any) => e.node.id).sort());
    expect((await cli(["--help"])).stdout).toContain("modelql datasets");
  });

  it("trains, lists models, and predicts JSON lines from stdin in batches, in order", async () => {
    const trained = await cli(["train", "--dataset", datasetId, "--target", "price", "--algorithm", "ridge", "--name", "cli-prices", "--features", "sqft,age,garage,city", "--hyperparameters", '{"alpha": 1}']);
    expect(trained.code).toBe(0);
    expect(lines(trained.stdout)[0]).toMatchObject({ name: "cli-prices", version: 1, status: "READY", evaluatedOn: "TEST" });

    const listed = await cli(["models"]);
    expect(lines(listed.stdout).map((m) => m.name)).toContain("cli-prices");

    const inputs = Array.from({ length: 25 }, (_, i) => ({ sqft: 800 + 100 * i, age: 10, garage: i % 2 === 0, city: "Paris" }));
    const predicted = await cli(["predict", "--model", "cli-prices", "--batch", "10"], inputs.map((r) => JSON.stringify(r)).join("\n") + "\n");
    expect(predicted.code).toBe(0);
    const outputs = lines(predicted.stdout).map((p) => p.output);
    expect(outputs).toHaveLength(25);
    // Bigger houses cost more at equal age and city: the order of the input is kept.
    const even = outputs.filter((_, i) => i % 2 === 0);
    expect(even).toEqual([...even].sort((a, b) => a - b));
  });

  it("creates a key, shown once", async () => {
    const { code, stdout, stderr } = await cli(["keys", "create", "--name", "ci", "--scopes", "read,predict"]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/shown once/);
    expect(lines(stdout)[0]).toMatchObject({ name: "ci", scopes: "READ,PREDICT", key: expect.stringMatching(/^mql_/) });
  });

  it("fails with the server's code and exit status 2, and a clear message without a key", async () => {
    const bad = await cli(["train", "--dataset", datasetId, "--target", "nope", "--algorithm", "RIDGE"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/BAD_USER_INPUT: Target "nope"/);
    const keyless = await cli(["models"], "", { MODELQL_KEY: "" });
    expect(keyless.code).toBe(2);
    expect(keyless.stderr).toMatch(/no API key/);
  });
});

describe("POST /datasets", () => {
  const upload = (body: string, query = "?name=up", headers: Record<string, string> = {}) =>
    fetch(`${server.url}/datasets${query}`, { method: "POST", headers: { "content-type": "text/csv", authorization: `Bearer ${key}`, ...headers }, body });

  it("refuses a malformed CSV with BAD_USER_INPUT naming the line, and stores nothing", async () => {
    const before = await database.prisma.dataset.count({ where: { name: "up" } });
    const response = await upload("a,b\n1,2\n3\n");
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).errors[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", line: 3 });
    expect(await database.prisma.dataset.count({ where: { name: "up" } })).toBe(before);
  });

  it("needs a key with WRITE, and a name", async () => {
    expect((await upload("a\n1\n", "?name=x", { authorization: "Bearer nope" })).status).toBe(401);
    const reader = (await gql(`mutation { createApiKey(input: { name: "r", scopes: [READ] }) { key } }`)).data.createApiKey.key;
    const forbidden = await upload("a\n1\n", "?name=x", { authorization: `Bearer ${reader}` });
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as any).errors[0].extensions).toMatchObject({ code: "FORBIDDEN", scope: "WRITE" });
    const nameless = await upload("a\n1\n", "");
    expect(((await nameless.json()) as any).errors[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "name" });
  });

  it("stops a body over MAX_UPLOAD_BYTES with 413, storing nothing", async () => {
    const before = await database.prisma.dataset.count({ where: { name: "up" } });
    const response = await upload("a\n" + "1\n".repeat(150_000));
    expect(response.status).toBe(413);
    expect(((await response.json()) as any).errors[0].extensions).toMatchObject({ limit: "MAX_UPLOAD_BYTES" });
    expect(await database.prisma.dataset.count({ where: { name: "up" } })).toBe(before);
  });
});
