/**
 * `npm run bench`: every performance figure of the issue beside its reference, in one table.
 *
 *   npm run bench                          all parts, full size (1M × 20; ~25 min on 2 cores, most of it LinearSVC)
 *   npm run bench -- --quick               all parts, small sizes (a few minutes; for iterating, not for the record)
 *   npm run bench -- serving batch         some parts, by name
 *   npm run bench -- estimators --quick --no-sklearn
 *
 * Parts: estimators, serving, batch, ingest, from-db, scaling, processes (see bench/README.md). Each part
 * runs in a child process of its own (`--part NAME`, JSON on stdout), so that its memory peak,
 * JIT state and garbage do not weigh on the next. Progress goes to stderr, the report to stdout.
 * Nothing is installed at run time: a missing reference tool skips its rows with the command
 * that installs it.
 */
import { spawn } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { formatTable } from "./lib/table.ts";
import { verdict, type BenchOptions, type PartReport } from "./lib/report.ts";
import * as tools from "./lib/tools.ts";

const PARTS = ["estimators", "serving", "batch", "ingest", "from-db", "scaling", "processes"] as const;
type Part = (typeof PARTS)[number];

const LOADERS: Record<Part, () => Promise<{ run(opts: BenchOptions): Promise<PartReport> }>> = {
  estimators: () => import("./estimators.ts"),
  serving: () => import("./serving.ts"),
  batch: () => import("./batch.ts"),
  ingest: () => import("./ingest.ts"),
  "from-db": () => import("./from-db.ts"),
  scaling: () => import("./scaling.ts"),
  processes: () => import("./processes.ts"),
};

interface Args extends BenchOptions {
  parts: Part[];
  child: Part | null;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { parts: [], child: null, quick: false, seed: 42, seconds: 0, sklearn: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--quick") args.quick = true;
    else if (a === "--seed") args.seed = Number(value());
    else if (a === "--seconds") args.seconds = Number(value());
    else if (a === "--no-sklearn") args.sklearn = false;
    else if (a === "--part") args.child = checkPart(value());
    else if (a === "--help" || a === "-h") {
      console.log(`npm run bench -- [${PARTS.join("|")} …] [--quick] [--seed S] [--seconds S] [--no-sklearn]`);
      process.exit(0);
    } else if (!a.startsWith("-")) args.parts.push(checkPart(a));
    else throw new Error(`unknown argument ${JSON.stringify(a)} (try --help)`);
  }
  if (!Number.isInteger(args.seed)) throw new Error("--seed takes an integer");
  if (args.seconds === 0) args.seconds = args.quick ? 5 : 15;
  if (!(args.seconds > 0)) throw new Error("--seconds takes a positive number");
  if (args.parts.length === 0) args.parts = [...PARTS];
  return args;
}

function checkPart(name: string): Part {
  if (!(PARTS as readonly string[]).includes(name)) throw new Error(`unknown part ${JSON.stringify(name)}; parts: ${PARTS.join(", ")}`);
  return name as Part;
}

/** Run one part in this process and print its report as JSON (the child side). */
async function runChild(part: Part, opts: BenchOptions): Promise<void> {
  const report = await (await LOADERS[part]()).run(opts);
  process.stdout.write(JSON.stringify(report) + "\n");
}

/** Run one part in a child process; a crash becomes a note, not the end of the run. */
function runPart(part: Part, args: Args): Promise<PartReport> {
  const script = fileURLToPath(import.meta.url);
  const argv = ["--import", "tsx", "--expose-gc", "--max-old-space-size=8192", script, "--part", part, "--seed", String(args.seed), "--seconds", String(args.seconds)];
  if (args.quick) argv.push("--quick");
  if (!args.sklearn) argv.push("--no-sklearn");
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("exit", (code, signal) => {
      const line = out.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(line) as PartReport);
      } catch {
        resolve({ part, rows: [], details: [], notes: [`${part}: the part exited with ${signal ?? `status ${code}`} before reporting (see its stderr above)`] });
      }
    });
  });
}

function print(args: Args, reports: PartReport[], started: Date, elapsed: number): void {
  const cpu = cpus();
  const out: string[] = [];
  out.push(`ModelQL performance — ${started.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC")}${args.quick ? " — QUICK MODE (small sizes: not the issue's figures)" : ""}`);
  out.push(`machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? "unknown CPU"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; shared with the reference tools, load generator and Postgres`);
  const versions = [tools.sklearn(), tools.gunicorn(), tools.wrk(), tools.psql()].filter((p) => p.ok).map((p) => p.version);
  out.push(`references: ${versions.join("; ") || "none found"}`);
  out.push(`command: npm run bench --${args.quick ? " --quick" : ""} ${args.parts.length === PARTS.length ? "" : args.parts.join(" ")}`.trimEnd() + ` (seed ${args.seed}, ${args.seconds} s per HTTP load); took ${(elapsed / 60).toFixed(1)} min`);
  out.push("");
  const rows = reports.flatMap((r) => r.rows.map((row) => [r.part, row.what, row.ours, row.reference, row.ratio, row.target, verdict(row.met)]));
  out.push(
    formatTable(
      ["part", "what", { header: "ours", align: "right" }, "reference", { header: "ratio", align: "right" }, "target", "verdict"],
      rows,
    ),
  );
  for (const r of reports) {
    if (!r.details.length && !r.notes.length) continue;
    out.push("", `[${r.part}]`);
    out.push(...r.details);
    for (const n of r.notes) out.push(`  note: ${n}`);
  }
  console.log(out.join("\n"));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.child) return runChild(args.child, args);
  const started = new Date();
  const t0 = performance.now();
  const reports: PartReport[] = [];
  for (const part of args.parts) {
    console.error(`\n== ${part} ==`);
    reports.push(await runPart(part, args));
  }
  print(args, reports, started, (performance.now() - t0) / 1000);
}

await main();
