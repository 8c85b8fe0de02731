/**
 * Where a V8 CPU profile (`node --cpu-prof`) spent its time, by layer: each sample goes to
 * the innermost frame on its stack that belongs to a known layer (Prisma, pg, GraphQL,
 * Fastify, csv-parse, our code …), so a node-internal leaf (a Buffer copy, a socket write)
 * counts for the library that called it.
 *
 *   npx tsx bench/profile.ts FILE.cpuprofile [--last SECONDS] [--skip-end SECONDS] [--top N]
 *
 * `--last` keeps only the final seconds of the profile (the measured load, not start-up);
 * `--skip-end` leaves out the very end (shutdown). Used for the profiles quoted in README.md
 * ("Performance"); BENCH_PROFILE=DIR makes the serving and batch parts write the server's.
 */
import { readFileSync } from "node:fs";
import { formatTable } from "./lib/table.ts";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

/** Layers in no particular order; the innermost matching frame of a sample wins. */
const LAYERS: [string, RegExp][] = [
  ["Prisma client + query compiler (wasm)", /node_modules\/@prisma\/|^wasm:\/\//],
  ["pg driver", /node_modules\/(pg|pg-protocol|pg-types|pg-pool)\//],
  ["csv-parse", /node_modules\/csv-parse\//],
  ["GraphQL: graphql-js, Apollo Server, armor", /node_modules\/(graphql|@apollo|@as-integrations|@escape\.tech|@graphql-tools|graphql-scalars)\//],
  ["HTTP: Fastify, node:http, JSON body parsing", /node_modules\/(fastify|find-my-way|secure-json-parse|fast-json-stringify|avvio|light-my-request|@fastify)\/|node:_http|node:http/],
  ["logging (pino)", /node_modules\/pino/],
  ["metrics (prom-client)", /node_modules\/prom-client\//],
  ["ModelQL src/core (math)", /\/src\/core\//],
  ["ModelQL src/ (services, graphql, http)", /\/src\//],
];

function main(): void {
  const argv = process.argv.slice(2);
  const file = argv.find((a) => !a.startsWith("--") && !/^\d/.test(a));
  if (!file) throw new Error("usage: npx tsx bench/profile.ts FILE.cpuprofile [--last S] [--skip-end S] [--top N]");
  const option = (name: string, fallback: number) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const last = option("--last", 0) * 1e6;
  const skipEnd = option("--skip-end", 0) * 1e6;
  const top = option("--top", 12);

  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const total = profile.timeDeltas.reduce((a, b) => a + b, 0);

  const layerTime = new Map<string, number>();
  const selfTime = new Map<string, number>();
  let window = 0;
  let t = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (last && t < total - skipEnd - last) continue;
    if (t > total - skipEnd) continue;
    window += dt;
    const leaf = byId.get(profile.samples[i])!;
    const special = leaf.callFrame.functionName;
    let layer: string | undefined;
    if (special === "(idle)") layer = "(idle: waiting on I/O)";
    else if (special === "(garbage collector)") layer = "(garbage collector)";
    else {
      for (let id: number | undefined = leaf.id; id !== undefined && !layer; id = parent.get(id)) {
        const url = byId.get(id)!.callFrame.url;
        layer = LAYERS.find(([, re]) => re.test(url))?.[0];
      }
      layer ??= "other (node internals, V8, tsx)";
    }
    layerTime.set(layer, (layerTime.get(layer) ?? 0) + dt);
    const cf = leaf.callFrame;
    const key = `${cf.functionName || "(anonymous)"} ${cf.url.replace(/^.*node_modules\//, "").replace(/^.*\/(src|bench)\//, "$1/")}`.trim();
    selfTime.set(key, (selfTime.get(key) ?? 0) + dt);
  }
  const rows = (m: Map<string, number>, k: number) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([name, us]) => [name, `${(us / 1000).toFixed(0)} ms`, `${((100 * us) / window).toFixed(1)}%`]);
  console.log(`${file}: ${(window / 1e6).toFixed(2)} s of samples${last ? ` (last ${last / 1e6} s${skipEnd ? `, ending ${skipEnd / 1e6} s before the end` : ""})` : ""}`);
  console.log(formatTable(["layer (innermost frame)", { header: "time", align: "right" }, { header: "share", align: "right" }], rows(layerTime, 20)));
  console.log("");
  console.log(formatTable(["top functions (self time)", { header: "time", align: "right" }, { header: "share", align: "right" }], rows(selfTime, top)));
}

main();
