/**
 * The dashboard (`GET /`) and GraphiQL (`GET /graphiql`): static pages built by
 * `npm run build:web` (web/ → dist/web/) and served from this process, so both work offline.
 * They talk to the same `/graphql` as every other client, with the key the user signs in with.
 *
 * Each page gets a small inline configuration (`window.__MODELQL__`, see web/shared/config.ts).
 * Outside production it carries the bootstrap ADMIN key, so a developer's GraphiQL and
 * dashboard come pre-filled; in production it never does.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply } from "fastify";
import fastifyStatic from "@fastify/static";

/** Where `npm run build:web` writes the bundle. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL("../../dist/web/", import.meta.url));

/** What the pages read from `window.__MODELQL__` (mirrored by web/shared/config.ts). */
export interface WebConfig {
  graphqlPath: string;
  /** The bootstrap ADMIN key: set only outside production. */
  apiKey: string | null;
  development: boolean;
  /** graphql-ws endpoint for subscriptions, once the server has one; null until then. */
  subscriptionUrl: string | null;
  version: string;
}

const PAGES = {
  dashboard: "index.html",
  graphiql: join("graphiql", "index.html"),
} as const;

export async function registerWeb(fastify: FastifyInstance, options: { webDir?: string; config: WebConfig }): Promise<void> {
  const webDir = options.webDir ?? DEFAULT_WEB_DIR;
  const script = `window.__MODELQL__=${safeJson(options.config)};`;
  const scriptHash = createHash("sha256").update(script).digest("base64");
  // The inline configuration is the only inline script, allowed by its hash. Monaco (GraphiQL's
  // editor) sets inline styles and runs its language services in workers.
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'sha256-${scriptHash}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "worker-src 'self' blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
  ].join("; ");

  // Hashed file names (Vite): cache for a year.
  await fastify.register(fastifyStatic, {
    root: join(webDir, "assets"),
    prefix: "/assets/",
    decorateReply: false,
    index: false,
    maxAge: "365d",
    immutable: true,
  });

  const cache = new Map<string, string>();
  async function page(reply: FastifyReply, name: keyof typeof PAGES) {
    let html = cache.get(name);
    if (html === undefined) {
      const file = join(webDir, PAGES[name]);
      if (!existsSync(file)) return reply.code(503).type("text/html; charset=utf-8").header("cache-control", "no-store").send(missingBundlePage(webDir));
      html = (await readFile(file, "utf8")).replace(/<head>/i, `<head>\n    <script>${script}</script>`);
      cache.set(name, html);
    }
    return reply
      .type("text/html; charset=utf-8")
      .header("cache-control", "no-store")
      .header("content-security-policy", csp)
      .header("x-content-type-options", "nosniff")
      .header("referrer-policy", "no-referrer")
      .send(html);
  }

  fastify.get("/", (_request, reply) => page(reply, "dashboard"));
  fastify.get("/graphiql", (_request, reply) => page(reply, "graphiql"));
  fastify.get("/graphiql/", (_request, reply) => page(reply, "graphiql"));
}

/** JSON that is safe inside a <script> element (no `</script>`, no HTML comment openers). */
function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

function missingBundlePage(webDir: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ModelQL: web bundle not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2937}code{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}h1{font-size:1.4rem}</style></head>
<body><h1>The dashboard and GraphiQL are not built</h1>
<p>This server found no web bundle in <code>${escapeHtml(webDir)}</code>. Build it with</p>
<pre><code>npm run build:web</code></pre>
<p>(<code>npm install</code> runs it too), then reload. The GraphQL API at <code>/graphql</code> works without it.</p>
</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
