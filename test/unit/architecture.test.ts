/**
 * The layering of docs/ARCHITECTURE: dependencies point down only (http → graphql → services →
 * jobs/data → core), and no module imports itself back through another, type imports included.
 * Read from the source by dpdm, the same parser its CLI uses.
 */
import { fileURLToPath } from "node:url";
import { parseCircular, parseDependencyTree, type DependencyTree } from "dpdm";
import { beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
let tree: DependencyTree;

beforeAll(async () => {
  tree = await parseDependencyTree(["src/http/main.ts", "src/jobs/main.ts", "src/cli/main.ts", "src/services/index.ts"], {
    cwd: root,
    context: root,
    // the generated Prisma client has circles of its own; it is not ours to arrange
    exclude: /node_modules|src\/generated/,
    transform: false,
  });
}, 60_000);

/** Every project module the given one imports (type imports included). */
function importsOf(file: string): string[] {
  return (tree[file] ?? []).map((d) => d.id).filter((id): id is string => typeof id === "string" && id.startsWith("src/"));
}

describe("module structure", () => {
  it("has read the whole service layer", () => {
    const services = Object.keys(tree).filter((f) => f.startsWith("src/services/"));
    expect(services).toContain("src/services/serving/predictions.ts");
    expect(services).toContain("src/services/training/selection.ts");
    expect(services.length).toBeGreaterThan(20);
  });

  it("has no import circles in src/ (type imports included)", () => {
    const circles = parseCircular(tree).filter((c) => c.every((f) => !f.includes("src/generated")));
    expect(circles.map((c) => c.join(" → "))).toEqual([]);
  });

  it("keeps the core pure: it imports nothing from the layers above it", () => {
    const offending = Object.keys(tree)
      .filter((f) => f.startsWith("src/core/"))
      .flatMap((f) => importsOf(f).filter((id) => !id.startsWith("src/core/")).map((id) => `${f} → ${id}`));
    expect(offending).toEqual([]);
  });

  it("keeps services free of GraphQL and HTTP", () => {
    const offending = Object.keys(tree)
      .filter((f) => f.startsWith("src/services/"))
      .flatMap((f) => importsOf(f).filter((id) => /^src\/(graphql|http)\//.test(id)).map((id) => `${f} → ${id}`));
    expect(offending).toEqual([]);
  });
});
