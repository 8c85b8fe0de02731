/**
 * The build that is running, recorded in each model's lineage (Model.codeVersion):
 * MODELQL_CODE_VERSION when the deployment sets it, else the package version plus the git
 * commit of the checkout when there is one (read from .git, no git binary needed).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version?: string }).version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/** The checked-out commit (first 12 hex digits), or null outside a git checkout. */
function gitCommit(): string | null {
  try {
    const head = readFileSync(join(root, ".git", "HEAD"), "utf8").trim();
    if (/^[0-9a-f]{40}$/.test(head)) return head.slice(0, 12);
    const ref = /^ref: (.+)$/.exec(head)?.[1];
    if (!ref) return null;
    let commit: string | undefined;
    try {
      commit = readFileSync(join(root, ".git", ref), "utf8").trim();
    } catch {
      // the ref may live only in packed-refs
      commit = readFileSync(join(root, ".git", "packed-refs"), "utf8")
        .split("\n")
        .find((line) => line.endsWith(` ${ref}`))
        ?.split(" ")[0];
    }
    return commit && /^[0-9a-f]{40}$/.test(commit) ? commit.slice(0, 12) : null;
  } catch {
    return null;
  }
}

export const CODE_VERSION: string = process.env.MODELQL_CODE_VERSION || [packageVersion(), gitCommit()].filter(Boolean).join("+");
