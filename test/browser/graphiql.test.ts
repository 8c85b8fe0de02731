/**
 * GraphiQL at /graphiql in real headless Chromium: served from our own bundle, it learns the
 * schema by introspection, comes with the README's walk-through as tabs, and on a development
 * server runs operations with the bootstrap key pre-filled. In production the page carries
 * no key.
 */
import { postGraphQL } from "../support/http.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { openTestDatabase } from "../support/database.ts";
import type { Database } from "../../src/data/database.ts";
import { failEachTestWithoutChromium, launchChromium, SCREENSHOTS, startWebServer, watchProblems, type WebServer } from "./support.ts";

const BOOTSTRAP_KEY = "mql_graphiql_bootstrap_key_0123456789";

let database: Database;
let browser: Browser;

const noChromium = failEachTestWithoutChromium();

beforeAll(async () => {
  if (noChromium) return;
  browser = await launchChromium();
  database = await openTestDatabase();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await database?.close();
});

/** The text Monaco shows in the response pane (only the lines in view are in the DOM). */
async function responseText(page: Page): Promise<string> {
  return page.evaluate(() => ((globalThis as any).document.querySelector(".graphiql-response .view-lines")?.innerText ?? "").replace(/\u00a0/g, " "));
}

describe("on a development server", () => {
  let server: WebServer;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    if (noChromium) return;
    server = await startWebServer(database, { bootstrapKey: BOOTSTRAP_KEY, prefillWebKey: true });
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    problems = watchProblems(page, server.url);
  });

  afterAll(async () => {
    await page?.context().close();
    await server?.close();
  });

  it("loads the schema by introspection and offers the walk-through as tabs", async () => {
    const introspection = page.waitForResponse((r) => r.url() === `${server.url}/graphql` && (r.request().postData() ?? "").includes("__schema"));
    await page.goto(`${server.url}/graphiql`);
    const response = await introspection;
    expect(response.status()).toBe(200);
    expect(((await response.json()) as any).data.__schema.queryType.name).toBe("Query");

    await page.locator(".graphiql-tab").first().waitFor();
    const tabs = await page.locator(".graphiql-tab").allTextContents();
    expect(tabs.join(" ")).toMatch(/Overview.*CreateDataset.*TrainModel.*Predict/);
    // The headers editor shows the pre-filled bootstrap key.
    await page.waitForFunction(() => ((globalThis as any).document.querySelector(".graphiql-editor-tool")?.innerText ?? "").includes("Bearer"));
  });

  it("runs a query typed in the editor and shows the result in the response pane", async () => {
    await page.goto(`${server.url}/graphiql?query=${encodeURIComponent("query Algorithms { algorithms { algorithm task } }")}`);
    await page.locator(".graphiql-query-editor .view-lines").waitFor();
    await page.waitForFunction(() => ((globalThis as any).document.querySelector(".graphiql-query-editor .view-lines")?.innerText ?? "").includes("Algorithms"));
    // Type in the editor too: replace the selection name with another, as a user would.
    await page.locator(".graphiql-query-editor .view-lines").click();
    await page.keyboard.press("Control+End");
    await page.keyboard.type(" # typed");
    await page.locator(".graphiql-execute-button").click();
    await page.waitForFunction(() => ((globalThis as any).document.querySelector(".graphiql-response .view-lines")?.innerText ?? "").includes("LINEAR_REGRESSION"), undefined, { timeout: 20_000 });
    const text = await responseText(page);
    expect(text).toContain('"algorithms"');
    expect(text).toContain('"task": "REGRESSION"');
    expect(text).not.toContain("UNAUTHENTICATED");
    await page.screenshot({ path: `${SCREENSHOTS}graphiql.png` });
  });

  it("runs a subscription over graphql-ws and shows the events as they come", async () => {
    await page.goto(`${server.url}/graphiql?query=${encodeURIComponent("subscription Events { modelEvents { type } }")}`);
    await page.waitForFunction(() => ((globalThis as any).document.querySelector(".graphiql-query-editor .view-lines")?.innerText ?? "").includes("Events"));
    const socket = page.waitForEvent("websocket", (ws) => ws.url().endsWith("/graphql"));
    await page.locator(".graphiql-execute-button").click();
    await socket;
    // Give the subscription a moment to register, then make an event through the API.
    await new Promise((r) => setTimeout(r, 500));
    const gql = (query: string, variables?: Record<string, unknown>) => postGraphQL(`${server.url}/graphql`, query, variables, BOOTSTRAP_KEY);
    const dataset = (await gql(`mutation { createDataset(input: { name: "ws", csv: "x,y\\n1,2\\n2,4\\n3,6.1\\n" }) { id } }`)).data.createDataset.id;
    await gql(`mutation($d: ID!) { trainModel(wait: true, input: { datasetId: $d, name: "ws", algorithm: RIDGE, target: "y", testFraction: 0 }) { id } }`, { d: dataset });
    await page.waitForFunction(() => ((globalThis as any).document.querySelector(".graphiql-response .view-lines")?.innerText ?? "").includes("READY"), undefined, { timeout: 20_000 });
    expect(await responseText(page)).toContain('"modelEvents"');
    await page.locator(".graphiql-execute-button").click(); // stop the subscription
  });

  it("pre-fills the dashboard's sign-in with the same key", async () => {
    await page.goto(`${server.url}/`);
    expect(await page.locator("#api-key").inputValue()).toBe(BOOTSTRAP_KEY);
  });

  it("reported no page error, console error or failed request", () => {
    expect(problems).toEqual([]);
  });
});

describe("on a production server", () => {
  let server: WebServer;

  beforeAll(async () => {
    if (noChromium) return;
    server = await startWebServer(database, { bootstrapKey: BOOTSTRAP_KEY });
  });

  afterAll(async () => {
    await server?.close();
  });

  it("never puts the bootstrap key in the pages", async () => {
    for (const path of ["/", "/graphiql"]) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toContain('"apiKey":null');
      expect(html).not.toContain(BOOTSTRAP_KEY);
      expect(response.headers.get("content-security-policy")).toMatch(/script-src 'self' 'sha256-/);
    }
  });

  it("asks for the key in the headers editor, and the API refuses a run without one", async () => {
    const page = await (await browser.newContext()).newPage();
    try {
      await page.goto(`${server.url}/graphiql?query=${encodeURIComponent("{ algorithms { algorithm } }")}`);
      await page.locator(".graphiql-execute-button").click();
      await page.waitForFunction(() => ((globalThis as any).document.querySelector(".graphiql-response .view-lines")?.innerText ?? "").includes("UNAUTHENTICATED"), undefined, { timeout: 20_000 });
    } finally {
      await page.context().close();
    }
  });
});
