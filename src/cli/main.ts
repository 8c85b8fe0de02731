/**
 * `npx modelql`: the API from a terminal, over the same GraphQL (and POST /datasets for
 * uploads) any client uses. Progress goes to stderr, and only when it is a terminal; results
 * go to stdout as plain lines (a table on a terminal, JSON lines in a pipe), so commands
 * compose with jq, head and friends.
 *
 *   modelql import houses.csv --name houses
 *   modelql datasets
 *   modelql train --dataset <id> --target price --algorithm RIDGE [--name m] [--features a,b] [--hyperparameters '{"alpha":1}']
 *   modelql predict --model house-prices@production < rows.jsonl > predictions.jsonl
 *   modelql models
 *   modelql keys create --name ci --scopes READ,PREDICT
 *
 * Server and key: --url / MODELQL_URL (default http://127.0.0.1:4000), --key / MODELQL_KEY.
 */
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { Readable, Transform } from "node:stream";

const HELP = `modelql: ModelQL from the command line

  modelql import <file.csv> --name <name>
  modelql datasets                       (id, name, rows and columns of each: train takes the id)
  modelql train --dataset <id> --target <column> --algorithm <ALGORITHM> [--name <model>]
                [--features a,b,c] [--hyperparameters '{"alpha": 1}'] [--test-fraction 0.2] [--folds 5]
  modelql predict --model <name | name@alias | name@version> [--batch 1000] < rows.jsonl
  modelql models
  modelql keys create --name <name> --scopes READ,PREDICT

  --url  server (MODELQL_URL, default http://127.0.0.1:4000)
  --key  API key (MODELQL_KEY)
`;

/** Rows per predict request when streaming JSON lines (the server accepts up to 10000). */
const DEFAULT_BATCH = 1000;

class CliError extends Error {}

interface Connection {
  url: string;
  key: string;
}

async function graphql<T = any>(conn: Connection, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${conn.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${conn.key}` },
      body: JSON.stringify({ query, variables }),
    });
  } catch (e) {
    throw new CliError(`cannot reach ${conn.url}: ${(e as Error).message}`);
  }
  const body = (await response.json().catch(() => null)) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] } | null;
  if (!body) throw new CliError(`${conn.url} answered HTTP ${response.status} without JSON`);
  if (body.errors?.length) throw new CliError(body.errors.map((e) => `${e.extensions?.code ?? "ERROR"}: ${e.message}`).join("\n"));
  return body.data as T;
}

const tty = process.stderr.isTTY === true;

/** A one-line progress bar on stderr, drawn only on a terminal. */
function progress(label: string, total: number | null) {
  let last = 0;
  return {
    update(done: number) {
      if (!tty || Date.now() - last < 100) return;
      last = Date.now();
      if (total) {
        const width = 30;
        const filled = Math.round((done / total) * width);
        process.stderr.write(`\r${label} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${Math.round((done / total) * 100)}%`);
      } else {
        process.stderr.write(`\r${label} ${done}`);
      }
    },
    done(message: string) {
      if (tty) process.stderr.write(`\r\x1b[K`);
      process.stderr.write(`${message}\n`);
    },
  };
}

/** Objects as a table on a terminal, as JSON lines otherwise. */
function output(rows: Record<string, unknown>[], columns: string[]): void {
  if (!process.stdout.isTTY) {
    for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
    return;
  }
  const cell = (v: unknown) => (v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => values.map((v, j) => v.padEnd(widths[j])).join("  ").trimEnd();
  process.stdout.write(`${line(columns)}\n${line(widths.map((w) => "-".repeat(w)))}\n`);
  for (const row of rows) process.stdout.write(`${line(columns.map((c) => cell(row[c])))}\n`);
}

async function importCsv(conn: Connection, file: string, name: string): Promise<void> {
  const size = (await stat(file).catch(() => null))?.size;
  if (size === undefined) throw new CliError(`cannot read ${file}`);
  const bar = progress(`uploading ${file}`, size);
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sent += chunk.length;
      bar.update(sent);
      callback(null, chunk);
    },
  });
  const body = Readable.toWeb(createReadStream(file).pipe(counter)) as ReadableStream;
  let response: Response;
  try {
    response = await fetch(`${conn.url}/datasets?name=${encodeURIComponent(name)}`, {
      method: "POST",
      headers: { "content-type": "text/csv", authorization: `Bearer ${conn.key}` },
      body,
      duplex: "half",
    } as RequestInit);
  } catch (e) {
    throw new CliError(`cannot reach ${conn.url}: ${(e as Error).message}`);
  }
  const result = (await response.json()) as { data?: { id: string; name: string; rowCount: number }; errors?: { message: string; extensions?: { code?: string } }[] };
  if (result.errors?.length) throw new CliError(result.errors.map((e) => `${e.extensions?.code}: ${e.message}`).join("\n"));
  bar.done(`imported ${result.data!.rowCount} rows`);
  output([result.data!], ["id", "name", "rowCount"]);
}

async function train(conn: Connection, values: Record<string, string | undefined>): Promise<void> {
  for (const required of ["dataset", "target", "algorithm"]) if (!values[required]) throw new CliError(`train needs --${required}`);
  let hyperparameters: unknown;
  try {
    hyperparameters = values.hyperparameters ? JSON.parse(values.hyperparameters) : undefined;
  } catch {
    throw new CliError("--hyperparameters must be a JSON object, e.g. '{\"alpha\": 1}'");
  }
  const input = {
    datasetId: values.dataset,
    name: values.name ?? `${values.target}-${values.algorithm!.toLowerCase()}`,
    algorithm: values.algorithm!.toUpperCase(),
    target: values.target,
    features: values.features?.split(",").map((f) => f.trim()),
    hyperparameters,
    testFraction: values["test-fraction"] === undefined ? undefined : Number(values["test-fraction"]),
    folds: values.folds === undefined ? undefined : Number(values.folds),
  };
  const queued = (await graphql(conn, `mutation($input: TrainModelInput!) { trainModel(input: $input) { id name version } }`, { input })).trainModel;
  const bar = progress(`training ${queued.name} v${queued.version} (${input.algorithm})`, 100);
  await followTraining(conn, queued.id, (fraction) => bar.update(Math.round(fraction * 100)));
  const model = (await graphql(conn, `query($id: ID!) { model(id: $id) { id name version status error metrics { evaluatedOn r2 rmse accuracy f1 } warnings } }`, { id: queued.id })).model;
  bar.done(`trained ${model.name} v${model.version}: ${model.status}`);
  for (const warning of model.warnings ?? []) process.stderr.write(`warning: ${warning}\n`);
  output([{ id: model.id, name: model.name, version: model.version, status: model.status, ...(model.metrics ?? {}), error: model.error }], ["id", "name", "version", "status", "evaluatedOn", "r2", "rmse", "accuracy", "f1", "error"]);
  if (model.status === "FAILED") process.exitCode = 1;
}

/**
 * Until the model is READY, FAILED or CANCELLED: the `trainingProgress` subscription over
 * graphql-ws on the server's /graphql, or, when WebSockets do not get through (a proxy), a
 * poll of `model(id)` every half second.
 */
async function followTraining(conn: Connection, id: string, onFraction: (fraction: number) => void): Promise<void> {
  const terminal = new Set(["READY", "FAILED", "CANCELLED"]);
  const url = new URL("/graphql", conn.url);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const client = createClient({ url: url.toString(), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${conn.key}` }, retryAttempts: 0, lazy: true });
  try {
    const ended = await new Promise<boolean>((resolve) => {
      let finished = false;
      client.subscribe<{ trainingProgress: { status: string; fraction: number | null } }>(
        { query: `subscription($id: ID!) { trainingProgress(modelId: $id) { status fraction } }`, variables: { id } },
        {
          next: ({ data }) => {
            if (!data) return;
            onFraction(data.trainingProgress.status === "READY" ? 1 : (data.trainingProgress.fraction ?? 0));
            if (terminal.has(data.trainingProgress.status)) finished = true;
          },
          error: () => resolve(finished),
          complete: () => resolve(finished),
        },
      );
    });
    if (ended) return;
  } finally {
    await client.dispose();
  }
  for (;;) {
    const { model } = await graphql(conn, `query($id: ID!) { model(id: $id) { status progress { fraction } } }`, { id });
    if (model.progress) onFraction(model.progress.fraction);
    if (terminal.has(model.status)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** JSON lines in, one prediction per line out, in input order, `batch` rows per request. */
async function predict(conn: Connection, model: string, batch: number): Promise<void> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let pending: unknown[] = [];
  let lineNumber = 0;
  let done = 0;
  const bar = progress("predicted", null);
  const flush = async () => {
    if (pending.length === 0) return;
    const data = await graphql(conn, `mutation($model: String!, $inputs: [JSON!]!) { predict(model: $model, inputs: $inputs) { id output label probabilities { label probability } } }`, {
      model,
      inputs: pending,
    });
    for (const p of data.predict) process.stdout.write(`${JSON.stringify(p)}\n`);
    done += pending.length;
    bar.update(done);
    pending = [];
  };
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === "") continue;
    try {
      pending.push(JSON.parse(line));
    } catch {
      throw new CliError(`line ${lineNumber} is not JSON: ${line.slice(0, 80)}`);
    }
    if (pending.length >= batch) await flush();
  }
  await flush();
  bar.done(`${done} predictions`);
}

/** Every dataset of the key's workspace, newest first: the id `train --dataset` takes, and the column names `--target` and `--features` take. */
async function datasets(conn: Connection): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  let after: string | null = null;
  for (;;) {
    const data: any = await graphql(conn, `query($after: String) { datasets(first: 100, after: $after) { edges { node { id name rowCount columns { name } createdAt } } pageInfo { hasNextPage endCursor } } }`, { after });
    rows.push(...data.datasets.edges.map((e: any) => ({ id: e.node.id, name: e.node.name, rows: e.node.rowCount, columns: e.node.columns.map((c: { name: string }) => c.name).join(","), createdAt: e.node.createdAt })));
    if (!data.datasets.pageInfo.hasNextPage) break;
    after = data.datasets.pageInfo.endCursor;
  }
  output(rows, ["id", "name", "rows", "columns", "createdAt"]);
}

async function models(conn: Connection): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  let after: string | null = null;
  for (;;) {
    const data: any = await graphql(conn, `query($after: String) { models(first: 100, after: $after) { edges { node { id name version algorithm status aliases createdAt } } pageInfo { hasNextPage endCursor } } }`, { after });
    rows.push(...data.models.edges.map((e: any) => ({ ...e.node, aliases: e.node.aliases.join(",") })));
    if (!data.models.pageInfo.hasNextPage) break;
    after = data.models.pageInfo.endCursor;
  }
  output(rows, ["id", "name", "version", "algorithm", "status", "aliases", "createdAt"]);
}

async function createKey(conn: Connection, name: string | undefined, scopes: string | undefined): Promise<void> {
  if (!name || !scopes) throw new CliError("keys create needs --name and --scopes (e.g. READ,PREDICT)");
  const data = await graphql(conn, `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id name scopes } } }`, {
    input: { name, scopes: scopes.split(",").map((s) => s.trim().toUpperCase()) },
  });
  process.stderr.write("the key is shown once: keep it now\n");
  output([{ key: data.createApiKey.key, id: data.createApiKey.apiKey.id, name: data.createApiKey.apiKey.name, scopes: data.createApiKey.apiKey.scopes.join(",") }], ["key", "id", "name", "scopes"]);
}

export async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: "string" },
      key: { type: "string" },
      name: { type: "string" },
      dataset: { type: "string" },
      target: { type: "string" },
      algorithm: { type: "string" },
      features: { type: "string" },
      hyperparameters: { type: "string" },
      "test-fraction": { type: "string" },
      folds: { type: "string" },
      model: { type: "string" },
      batch: { type: "string" },
      scopes: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(HELP);
    return;
  }
  const conn: Connection = { url: (values.url ?? process.env.MODELQL_URL ?? "http://127.0.0.1:4000").replace(/\/+$/, ""), key: values.key ?? process.env.MODELQL_KEY ?? "" };
  if (!conn.key) throw new CliError("no API key: pass --key or set MODELQL_KEY");
  switch (command) {
    case "import":
      if (!rest[0] || !values.name) throw new CliError("usage: modelql import <file.csv> --name <name>");
      return importCsv(conn, rest[0], values.name);
    case "train":
      return train(conn, values as Record<string, string | undefined>);
    case "predict": {
      if (!values.model) throw new CliError("usage: modelql predict --model <reference> < rows.jsonl");
      const batch = values.batch === undefined ? DEFAULT_BATCH : Number(values.batch);
      if (!Number.isInteger(batch) || batch < 1 || batch > 10_000) throw new CliError("--batch must be an integer from 1 to 10000");
      return predict(conn, values.model, batch);
    }
    case "datasets":
      return datasets(conn);
    case "models":
      return models(conn);
    case "keys":
      if (rest[0] !== "create") throw new CliError("usage: modelql keys create --name <name> --scopes READ,PREDICT");
      return createKey(conn, values.name, values.scopes);
    default:
      throw new CliError(`unknown command ${JSON.stringify(command)}\n\n${HELP}`);
  }
}

try {
  await main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`modelql: ${e instanceof CliError || (e as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? (e as Error).message : (e as Error).stack}\n`);
  process.exitCode = 2;
}
