/**
 * `npm run build:web` (also run by `npm install`'s postinstall): builds the dashboard
 * (web/index.html) and GraphiQL (web/graphiql/index.html) with Vite into dist/web/, which
 * the server serves at `/` and `/graphiql` (src/http/web.ts).
 *
 * The dashboard asks only for fields the schema has: the list of `Type.field` names in
 * schema.graphql is compiled in (`__MODELQL_SCHEMA_FIELDS__`), so a field added or removed
 * there changes the dashboard's queries at the next build.
 *
 * Vite is a devDependency: an install without dev dependencies skips the build with a note
 * (the server then answers the pages with a 503 that says how to build them).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildSchema, isInputObjectType, isInterfaceType, isObjectType } from "graphql";

const root = fileURLToPath(new URL("../", import.meta.url));
const webRoot = fileURLToPath(new URL("../web/", import.meta.url));
const outDir = fileURLToPath(new URL("../dist/web/", import.meta.url));

/** Every `Type.field` of the object, interface and input types of schema.graphql. */
function schemaFields(sdl: string): string[] {
  const schema = buildSchema(sdl);
  const fields: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__")) continue;
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.keys(type.getFields())) fields.push(`${type.name}.${field}`);
    }
  }
  return fields.sort();
}

async function main() {
  let vite: typeof import("vite");
  try {
    vite = await import("vite");
  } catch (error) {
    if ((error as { code?: string }).code !== "ERR_MODULE_NOT_FOUND") throw error;
    console.warn("build:web: vite is not installed (dev dependencies omitted?); the dashboard and GraphiQL are not built. Run `npm install` with dev dependencies, then `npm run build:web`.");
    return;
  }
  const fields = schemaFields(readFileSync(new URL("../schema.graphql", import.meta.url), "utf8"));
  await vite.build({
    configFile: false,
    root: webRoot,
    base: "/",
    logLevel: process.env.CI ? "warn" : "info",
    publicDir: false,
    define: { __MODELQL_SCHEMA_FIELDS__: JSON.stringify(fields) },
    oxc: { jsx: { runtime: "automatic" } },
    worker: { format: "es" },
    build: {
      outDir,
      emptyOutDir: true,
      target: "es2022",
      // Monaco (GraphiQL's editor) is large by nature; it loads on /graphiql only.
      chunkSizeWarningLimit: 5000,
      reportCompressedSize: false,
      rolldownOptions: {
        input: {
          dashboard: `${webRoot}index.html`,
          graphiql: `${webRoot}graphiql/index.html`,
        },
        // React libraries mark modules "use client" for server components, which a browser
        // bundle has no use for.
        onwarn(warning, warn) {
          if (warning.code === "MODULE_LEVEL_DIRECTIVE") return;
          warn(warning);
        },
      },
    },
  });
  console.log(`build:web: ${fields.length} schema fields known; dashboard and GraphiQL written to ${outDir.replace(root, "")}`);
}

await main();
