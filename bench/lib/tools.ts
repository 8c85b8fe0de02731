/**
 * The outside programs the benchmarks compare with, found (never installed) at run time.
 * A missing one skips its rows with the command that installs it.
 */
import { spawnSync } from "node:child_process";

export const PYTHON = "/usr/bin/python3";

export interface Probe {
  ok: boolean;
  /** what to run to get it, when missing */
  install?: string;
  version?: string;
}

function run(cmd: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return { ok: !r.error && r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() };
}

const cache = new Map<string, Probe>();
function memo(key: string, probe: () => Probe): Probe {
  if (!cache.has(key)) cache.set(key, probe());
  return cache.get(key)!;
}

/** Debian's python3 with numpy and scikit-learn (the `python3` first on PATH may be another). */
export const sklearn = () =>
  memo("sklearn", () => {
    const r = run(PYTHON, ["-c", "import sklearn, numpy; print(sklearn.__version__, numpy.__version__)"]);
    return r.ok ? { ok: true, version: `scikit-learn ${r.out.split(" ")[0]}, numpy ${r.out.split(" ")[1]}` } : { ok: false, install: "apt-get install -y python3-sklearn" };
  });

export const numpy = () =>
  memo("numpy", () => {
    const r = run(PYTHON, ["-c", "import numpy; print(numpy.__version__)"]);
    return r.ok ? { ok: true, version: `numpy ${r.out}` } : { ok: false, install: "apt-get install -y python3-numpy" };
  });

/** gunicorn and Flask for the seed service (bench/seed_service.py). */
export const gunicorn = () =>
  memo("gunicorn", () => {
    const g = run("gunicorn", ["--version"]);
    const f = run(PYTHON, ["-c", "import flask, numpy; print(flask.__version__)"]);
    if (g.ok && f.ok) return { ok: true, version: `${g.out.replace(/\s*\(.*\)/, "")}, Flask ${f.out}` };
    return { ok: false, install: "apt-get install -y gunicorn python3-flask python3-numpy" };
  });

/** wrk, the load generator both sides of the serving comparisons get. */
export const wrk = () =>
  memo("wrk", () => {
    // `wrk -v` prints its version and exits with status 1.
    const r = spawnSync("wrk", ["-v"], { encoding: "utf8" });
    if (r.error) return { ok: false, install: "apt-get install -y wrk" };
    return { ok: true, version: `${r.stdout}${r.stderr}`.split("\n")[0].replace(/\s*\[.*$/, "").trim() };
  });

export const psql = () =>
  memo("psql", () => {
    const r = run("psql", ["--version"]);
    return r.ok ? { ok: true, version: r.out } : { ok: false, install: "apt-get install -y postgresql-client" };
  });

/** "x missing: apt-get install -y …" for the rows a missing tool skips. */
export function missing(name: string, probe: Probe): string {
  return `${name} not found; install it with \`${probe.install}\` and rerun (row skipped)`;
}
