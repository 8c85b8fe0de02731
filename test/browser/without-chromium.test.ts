/**
 * Without a browser the browser tests fail, and say what to install; they never skip (a
 * skipped browser test reads as a green run that checked nothing). Chromium is hidden from
 * them here: a PATH with only `sh` on it, or a CHROMIUM_PATH that is not an executable.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { chromiumPath } from "./support.ts";

const INSTALL = "apt-get install -y chromium";

/** A directory to use as PATH: `sh` (which the lookup runs) and nothing else. */
const shOnly = mkdtempSync(path.join(tmpdir(), "modelql-no-chromium-"));
symlinkSync("/bin/sh", path.join(shOnly, "sh"));
afterAll(() => rmSync(shOnly, { recursive: true, force: true }));

function withEnv<T>(env: Record<string, string | undefined>, run: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  try {
    return run();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

describe("finding Chromium", () => {
  it("says what to install when no chromium is on PATH", () => {
    expect(() => withEnv({ PATH: shOnly, CHROMIUM_PATH: undefined }, chromiumPath)).toThrow(INSTALL);
  });

  it("says what to install when CHROMIUM_PATH names no executable", () => {
    expect(() => withEnv({ CHROMIUM_PATH: path.join(shOnly, "chromium") }, chromiumPath)).toThrow(INSTALL);
    expect(() => withEnv({ CHROMIUM_PATH: shOnly }, chromiumPath)).toThrow(INSTALL);
  });
});

it("fails a browser test file, not skips it, when no chromium is installed", { timeout: 180_000 }, async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: shOnly, DATABASE_URL: inject("databaseUrl"), NO_COLOR: "1" };
  delete env.CHROMIUM_PATH;
  delete env.FORCE_COLOR;
  // This worker's own VITEST_* variables would make the inner run think it is a worker.
  for (const key of Object.keys(env)) if (key.startsWith("VITEST")) delete env[key];
  const child = spawn(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "test/browser/graphiql.test.ts", "--maxWorkers=1"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));

  expect(code, output).toBe(1);
  expect(output).toContain(`Chromium is not installed: the browser tests drive Debian's chromium. Install it with \`${INSTALL}\``);
  const summary = /^\s*Tests\s+(.*)$/m.exec(output)?.[1] ?? "";
  expect(summary, output).toMatch(/\d+ failed/);
  expect(summary).not.toMatch(/skipped|todo|passed/);
});
