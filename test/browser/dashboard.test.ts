/**
 * The dashboard in real headless Chromium against a real server: sign in with a key, see a
 * dataset's histograms and correlation heatmap drawn, the leaderboard, a classifier's ROC and
 * precision–recall curves, its coefficients with intervals and its serving statistics, and a
 * regression's residual plot. Screenshots go to test/browser/screenshots/ (gitignored);
 * UPDATE_DOCS_SCREENSHOT=1 also refreshes docs/dashboard.png for the README.
 */
import { copyFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { adminKey, postGraphQL } from "../support/http.ts";
import { createWorkspace, openTestDatabase } from "../support/database.ts";
import type { Database } from "../../src/data/database.ts";
import { colouredPixels, failEachTestWithoutChromium, launchChromium, SCREENSHOTS, startWebServer, watchProblems, type WebServer } from "./support.ts";
import { seed, type Seeded } from "./seed.ts";

let database: Database;
let server: WebServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];
let key: string;
let seeded: Seeded;

const noChromium = failEachTestWithoutChromium();

beforeAll(async () => {
  if (noChromium) return;
  browser = await launchChromium();
  database = await openTestDatabase();
  server = await startWebServer(database);
  // A workspace of its own: the dashboard shows only what this test made.
  key = await adminKey(server.app, await createWorkspace(database));
  seeded = await seed(server.url, key);
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  page = await context.newPage();
  problems = watchProblems(page, server.url);
}, 120_000);

// A failed step leaves a picture of what the browser showed.
afterEach(async ({ task }) => {
  if (task.result?.state === "fail") await page?.screenshot({ path: `${SCREENSHOTS}failed-${task.name.replace(/\W+/g, "-").slice(0, 60)}.png`, fullPage: true });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
  await database?.close();
});

it("asks for a key, refuses a wrong one, and signs in with a good one", async () => {
  await page.goto(`${server.url}/`);
  const input = page.locator("#api-key");
  // Production mode (the default): nothing is pre-filled.
  expect(await input.inputValue()).toBe("");
  await input.fill("mql_not_a_real_key_0000000000");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").waitFor();
  expect(await page.getByRole("alert").textContent()).toMatch(/key/i);
  // Chromium logs the refused request (401) as a console error: that one was expected.
  problems.length = 0;

  await input.fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator('[data-dataset="customers"]').waitFor();
  expect(await page.evaluate(() => (globalThis as any).localStorage.getItem("modelql.apiKey"))).toBe(key);
});

it("draws a histogram per numeric column, the categories, and the correlation heatmap", async () => {
  await page.locator('[data-dataset="customers"]').click();
  await page.locator('[data-table="columns"]').waitFor();
  const columnNames = await page.locator('[data-table="columns"] tbody td.strong').allTextContents();
  expect(columnNames).toEqual(["age", "income", "tenure_months", "support_calls", "plan", "autopay", "churned"]);

  for (const column of ["age", "income", "tenure_months", "support_calls"]) {
    expect(await colouredPixels(page, `histogram-${column}`), `histogram of ${column}`).toBeGreaterThan(500);
  }
  expect(await colouredPixels(page, "values-plan")).toBeGreaterThan(200);
  expect(await colouredPixels(page, "correlation-heatmap")).toBeGreaterThan(5000);
  await page.screenshot({ path: `${SCREENSHOTS}dashboard-dataset.png`, fullPage: true });
});

it("fits the upload form inside its card", async () => {
  const form = page.locator("[data-upload]");
  await form.waitFor();
  await form.screenshot({ path: `${SCREENSHOTS}dashboard-upload-form.png` });
  // The form and each of its controls lie within the card's padding box (the card is the form's
  // nearest ancestor drawn as a panel: the datasets sidebar), and the card has no horizontal scroll.
  // (The page's DOM types are not in the tests' tsconfig: `any` inside the browser.)
  const boxes = await form.evaluate((element: any) => {
    const card = element.closest(".sidebar, .card");
    const box = (e: any) => {
      const r = e.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
    };
    const inner = box(card);
    return {
      card: { left: inner.left + card.clientLeft, right: inner.left + card.clientLeft + card.clientWidth },
      overflow: card.scrollWidth - card.clientWidth,
      parts: [element, ...Array.from(element.querySelectorAll("input, button"))].map((e: any) => ({ name: e.getAttribute("aria-label") ?? e.tagName, ...box(e) })),
    };
  });
  expect(boxes.overflow).toBe(0);
  for (const part of boxes.parts) {
    expect(part.left, `${part.name}'s left edge`).toBeGreaterThanOrEqual(boxes.card.left);
    expect(part.right, `${part.name}'s right edge`).toBeLessThanOrEqual(boxes.card.right);
  }
});

it("uploads a CSV file with a progress bar, then shows the new dataset", async () => {
  // ≈ 3 MB: large enough for the browser to report upload progress on the way.
  const lines = ["a,b,label"];
  for (let i = 0; i < 120_000; i++) lines.push(`${i},${(i * 7919) % 1000},${i % 3 === 0 ? "yes" : "no"}`);
  const csv = Buffer.from(lines.join("\n") + "\n");
  await page.locator('[data-upload] input[type="file"]').setInputFiles({ name: "uploaded.csv", mimeType: "text/csv", buffer: csv });
  await page.getByLabel("Dataset name").fill("uploaded-in-browser");
  await page.locator("[data-upload]").getByRole("button", { name: "Upload" }).click();
  await page.locator('[data-upload] [data-phase="done"]').waitFor({ timeout: 60_000 });
  expect(await page.locator("[data-upload]").getByRole("progressbar").getAttribute("aria-valuenow")).toBe("100");
  expect(await page.locator("[data-upload]").getByRole("status").textContent()).toBe("uploaded-in-browser: 120,000 rows stored");
  await page.locator('[data-dataset="uploaded-in-browser"]').waitFor();
  // The previous dataset's columns table is on the page until the new one's arrives: wait for the
  // new one's columns rather than for any table (CI once read the previous dataset's here).
  await expect.poll(() => page.locator('[data-table="columns"] tbody td.strong').allTextContents(), { timeout: 20_000 }).toEqual(["a", "b", "label"]);
  await page.screenshot({ path: `${SCREENSHOTS}dashboard-upload.png`, fullPage: true });
});

it("ranks the models on a leaderboard by the chosen metric", async () => {
  await page.getByRole("link", { name: "Models", exact: true }).click();
  await page.locator('[data-table="leaderboard"]').waitFor();
  const rows = page.locator('[data-table="leaderboard"] tbody tr');
  expect(await rows.count()).toBe(3);
  // Ranked by accuracy (the first classification metric), best first.
  const scores = (await page.locator('[data-table="leaderboard"] tbody td.num.strong:nth-child(5)').allTextContents()).map(Number);
  expect(scores).toEqual([...scores].sort((a, b) => b - a));
  await page.locator('[data-control="leaderboard-metric"]').selectOption("logLoss");
  // Log loss ranks lower first, and the linear SVM has none.
  await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('[data-table="leaderboard"] tbody tr').length === 2);
  await page.screenshot({ path: `${SCREENSHOTS}dashboard-models.png`, fullPage: true });
});

it("draws a classifier's ROC and precision–recall curves, with coefficients, intervals and serving statistics", async () => {
  await page.locator('[data-model="churn@1"]').click();
  expect(await colouredPixels(page, "roc-curve")).toBeGreaterThan(1000);
  expect(await colouredPixels(page, "pr-curve")).toBeGreaterThan(500);
  expect(await colouredPixels(page, "confusion-matrix")).toBeGreaterThan(1000);

  // penalty "none": Wald intervals for every coefficient.
  const coefficients = page.locator('[data-table="coefficients"] tbody tr');
  expect(await coefficients.count()).toBeGreaterThan(5);
  expect(await page.locator('[data-table="coefficients"] thead').textContent()).toContain("95% CI");
  expect(await colouredPixels(page, "feature-importance")).toBeGreaterThan(300);

  // 120 predictions were served (drift needs 100 for a verdict): counted over time, with latency percentiles, and tenure drifted.
  expect(await colouredPixels(page, "predictions-over-time")).toBeGreaterThan(50);
  expect(await page.locator(".tile", { hasText: "Predictions" }).textContent()).toContain("120");
  await page.locator('[data-table="drift"]').waitFor();
  const tenure = page.locator('[data-table="drift"] tbody tr', { hasText: "tenure_months" });
  expect(await tenure.textContent()).toContain("drifted");
  await page.screenshot({ path: `${SCREENSHOTS}dashboard-model.png`, fullPage: true });
  if (process.env.UPDATE_DOCS_SCREENSHOT) copyFileSync(`${SCREENSHOTS}dashboard-model.png`, new URL("../../docs/dashboard.png", import.meta.url));
});

it("draws a regression's residual plots", async () => {
  await page.goto(`${server.url}/#/model/${seeded.incomeModelId}`);
  expect(await colouredPixels(page, "residuals")).toBeGreaterThan(300);
  expect(await colouredPixels(page, "residual-histogram")).toBeGreaterThan(300);
});

it("shows a training queued through the API live, its progress bar filling to 100%", async () => {
  await page.getByRole("link", { name: "Models", exact: true }).click();
  await page.locator('[data-table="models"]').waitFor();
  // Queued without waiting: the page learns of it from modelEvents, then follows trainingProgress.
  // A linear SVM held to an unreachable tol runs all its max_iter passes (the model, then 3 folds): a few seconds.
  const queued = await postGraphQL(
    `${server.url}/graphql`,
    `mutation($d: ID!) { trainModel(input: { datasetId: $d, name: "live", algorithm: LINEAR_SVM, target: "churned", folds: 3, hyperparameters: { max_iter: 60000, tol: 1e-15 } }) { id version status } }`,
    { d: seeded.datasetId },
    key,
  );
  expect(queued.data.trainModel.status).toBe("QUEUED");
  const row = page.locator(`[data-training-model="live@${queued.data.trainModel.version}"]`);
  await row.waitFor({ timeout: 30_000 });
  const bar = row.getByRole("progressbar");
  const seen: { status: string | null; percent: number }[] = [];
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const status = await row.getAttribute("data-status");
    seen.push({ status, percent: Number(await bar.getAttribute("aria-valuenow")) });
    if (status === "READY") break;
    await page.waitForTimeout(100);
  }
  expect(seen.at(-1)).toEqual({ status: "READY", percent: 100 });
  expect(await row.locator(".progress-label").textContent()).toBe("100%");
  // It was followed while it ran, not only found finished.
  expect(seen.some((s) => s.status === "TRAINING" || s.status === "QUEUED")).toBe(true);
  const percents = seen.map((s) => s.percent);
  expect(percents.every((p, i) => i === 0 || p >= percents[i - 1])).toBe(true);
  await page.screenshot({ path: `${SCREENSHOTS}dashboard-training.png`, fullPage: true });
});

it("shows a READ-only key a model's evaluation, without its learned state (EXPORT) and without an error", async () => {
  const reader = (await postGraphQL(`${server.url}/graphql`, `mutation { createApiKey(input: { name: "reader", scopes: [READ] }) { key } }`, {}, key)).data.createApiKey.key;
  await page.evaluate((k) => (globalThis as any).localStorage.setItem("modelql.apiKey", k), reader);
  try {
    await page.goto(`${server.url}/#/model/${seeded.churnModels[0].id}`);
    await page.reload();
    expect(await colouredPixels(page, "roc-curve")).toBeGreaterThan(1000);
    expect(await page.locator('[data-table="coefficients"]').count()).toBe(0);
    expect(await page.getByRole("alert").count()).toBe(0);
  } finally {
    await page.evaluate((k) => (globalThis as any).localStorage.setItem("modelql.apiKey", k), key);
  }
});

it("reported no page error, console error or failed request", () => {
  expect(problems).toEqual([]);
});
