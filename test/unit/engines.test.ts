/**
 * The Node versions package.json declares (`engines.node`) are ones every installed package
 * supports: each package's own `engines.node` must contain the whole declared range
 * (semver.subset), read from package-lock.json. Runtime packages, what `npm start` can load,
 * have no exceptions; development tools have a short list, each with its reason.
 */
import { readFileSync } from "node:fs";
import semver from "semver";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../../", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("package.json", ROOT), "utf8")) as { engines: { node: string } };
interface LockEntry {
  version?: string;
  engines?: { node?: string } | string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}
const lock = JSON.parse(readFileSync(new URL("package-lock.json", ROOT), "utf8")) as { packages: Record<string, LockEntry> };
const declared = manifest.engines.node;

/**
 * Development tools that declare a newer Node than the project while the commands we run with
 * them work on it (CI runs them on Node 20): GraphQL Code Generator's CLI (its progress list,
 * and the loaders for remote schemas, which `npm run codegen` never uses: it reads
 * schema.graphql) and Prisma's CLI (the `prisma dev` local server, never used). None of them
 * is loaded by `npm start` or `npm run worker`.
 */
const DEV_TOOL_EXCEPTIONS = new Set(["listr2", "sync-fetch", "@whatwg-node/fetch", "@whatwg-node/node-fetch", "@whatwg-node/disposablestack", "@whatwg-node/promise-helpers", "@prisma/streams-local"]);

const nameOf = (path: string) => path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);

/** Where Node finds `name` from the package at `from` (its own node_modules, then each ancestor's). */
function resolve(from: string, name: string): string | undefined {
  for (let base = from; ; ) {
    const candidate = `${base ? `${base}/` : ""}node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (base === "") return undefined;
    const up = base.lastIndexOf("/node_modules/");
    base = up < 0 ? "" : base.slice(0, up);
  }
}

/** Every package reachable from package.json's dependencies: dependencies, optional ones, and peers that are not optional. */
function runtimePackages(): Set<string> {
  const seen = new Set<string>();
  const visit = (path: string) => {
    const entry = lock.packages[path];
    const optionalPeers = new Set(Object.entries(entry.peerDependenciesMeta ?? {}).filter(([, meta]) => meta.optional).map(([name]) => name));
    const names = [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}), ...Object.keys(entry.peerDependencies ?? {}).filter((name) => !optionalPeers.has(name))];
    for (const name of names) {
      const found = resolve(path, name);
      if (found && !seen.has(found)) {
        seen.add(found);
        visit(found);
      }
    }
  };
  visit("");
  return seen;
}

/** Installed packages whose engines.node leaves out part of the declared range. */
function unsupported(paths: Iterable<string>): { name: string; line: string }[] {
  const out: { name: string; line: string }[] = [];
  for (const path of paths) {
    const entry = lock.packages[path];
    const node = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
    if (node !== undefined && !semver.subset(declared, node)) out.push({ name: nameOf(path), line: `${path}@${entry.version} wants node ${node}` });
  }
  return out;
}

describe("engines.node", () => {
  it("is a valid range", () => {
    expect(semver.validRange(declared)).not.toBeNull();
  });

  it("is supported by every runtime package in package-lock.json", () => {
    const runtime = runtimePackages();
    // The walk reaches the server's own stack (a check that it walked at all).
    for (const name of ["fastify", "@apollo/server", "@prisma/client", "light-my-request", "@fastify/static"]) expect(runtime.has(`node_modules/${name}`)).toBe(true);
    expect(unsupported(runtime).map((u) => u.line)).toEqual([]);
  });

  it("is supported by every other installed package, but for the listed development tools", () => {
    const runtime = runtimePackages();
    const others = Object.keys(lock.packages).filter((path) => path !== "" && !runtime.has(path));
    expect(unsupported(others).filter((u) => !DEV_TOOL_EXCEPTIONS.has(u.name)).map((u) => u.line)).toEqual([]);
  });
});
