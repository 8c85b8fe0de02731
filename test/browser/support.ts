/**
 * Browser tests: the app on an ephemeral port (as test/support/http.ts starts it, with the
 * web options that helper does not take), Debian's Chromium driven by playwright-core, and a
 * seeded workspace of its own so the pages show exactly what the test made.
 *
 * Chromium is not downloaded by playwright here (no network); it is Debian's package. When it
 * is missing the tests fail and say how to install it, rather than skip.
 */
import { execFileSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeEach } from "vitest";
import { openTestQueue } from "../support/queue.ts";
import { chromium, type Browser, type Page } from "playwright-core";
import { buildApp, type App, type AppOptions } from "../../src/http/app.ts";
import { DEFAULT_WEB_DIR } from "../../src/http/web.ts";
import type { Database } from "../../src/data/database.ts";

export const SCREENSHOTS = fileURLToPath(new URL("./screenshots/", import.meta.url));

/** The flags Chromium needs as root on a machine with no network (see the README's Tests). */
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"];

const INSTALL_HINT = "the browser tests drive Debian's chromium. Install it with `apt-get install -y chromium` (.ci/run does), or set CHROMIUM_PATH to a Chromium executable.";

export function chromiumPath(): string {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    // Else playwright's own launch error would suggest `npx playwright install`, which
    // downloads a browser build of its own: not what these tests use.
    if (!isExecutableFile(configured)) throw new Error(`CHROMIUM_PATH (${configured}) is not an executable file: ${INSTALL_HINT}`);
    return configured;
  }
  try {
    return execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error(`Chromium is not installed: ${INSTALL_HINT}`);
  }
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Call at the top of a browser test file, before its hooks. Without Chromium every test of the
 * file fails with the install hint: a failing beforeAll would only fail the file and report its
 * tests as skipped. Returns the reason, for the file's beforeAll hooks to return early on.
 */
export function failEachTestWithoutChromium(): Error | undefined {
  let missing: Error | undefined;
  try {
    chromiumPath();
  } catch (error) {
    missing = error as Error;
    beforeEach(() => {
      throw missing;
    });
  }
  return missing;
}

export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(`${DEFAULT_WEB_DIR}index.html`) || !existsSync(`${DEFAULT_WEB_DIR}graphiql/index.html`)) {
    throw new Error(`The web bundle is not built (${DEFAULT_WEB_DIR}): run \`npm run build:web\` (npm install runs it).`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

export interface WebServer {
  app: App;
  url: string;
  close(): Promise<void>;
}

export async function startWebServer(database: Database, options: Partial<AppOptions> = {}): Promise<WebServer> {
  const queue = await openTestQueue();
  const app = await buildApp({ prisma: database.prisma, pool: database.pool, queue, maxBodyBytes: 64 * 1024 * 1024, logLevel: "silent", ...options });
  await app.fastify.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.fastify.server.address() as { port: number };
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await app.fastify.close();
      await queue.close();
    },
  };
}

/**
 * Collects what a page reports as broken: uncaught exceptions, console errors (a Content
 * Security Policy violation is one) and failed requests to our own origin.
 */
export function watchProblems(page: Page, origin: string): string[] {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  page.on("requestfailed", (request) => {
    // ERR_ABORTED: the page navigated away (or Monaco ended a worker) while it loaded.
    if (request.url().startsWith(origin) && request.failure()?.errorText !== "net::ERR_ABORTED") problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
  });
  return problems;
}

/**
 * How many pixels of a chart's canvas are drawn in colour (not white, grey or transparent):
 * bars, lines and heat cells, but not axes, grid lines or labels.
 */
export async function colouredPixels(page: Page, chart: string): Promise<number> {
  await page.waitForSelector(`[data-chart="${chart}"][data-rendered="true"] canvas`, { timeout: 20_000 });
  // Every canvas of the chart: ECharts draws some series (heatmaps) on layers of their own.
  return page.$$eval(`[data-chart="${chart}"] canvas`, (canvases: any[]) => {
    let coloured = 0;
    for (const canvas of canvases) {
      const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
        if (a > 128 && Math.max(r, g, b) - Math.min(r, g, b) > 40) coloured++;
      }
    }
    return coloured;
  });
}
