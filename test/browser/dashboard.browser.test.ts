import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createBatch,
  getBatch,
  LOCAL_ADMIN_KEY,
  launchBrowser,
  openPage,
  origin,
  screenshot,
  signIn,
} from "./helpers";

const LINES = 600;

describe("the dashboard at 1440 px", () => {
  let browser: Browser;
  let page: Page;
  const outsideRequests: string[] = [];
  let running: { id: string };

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await openPage(browser, 1440);
    page.on("request", (request) => {
      if (!request.url().startsWith(origin()) && !request.url().startsWith("blob:")) {
        outsideRequests.push(request.url());
      }
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("refuses a wrong key, then signs in with the project key", async () => {
    await page.goto("/");
    await page.getByLabel("API key").fill("sk-wrong");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent()).toMatch(/API key/i);
    await signIn(page);
    // the key lives in sessionStorage only (page scripts are strings: test/ has no DOM types)
    expect(await page.evaluate("Object.keys(localStorage).length")).toBe(0);
    expect(await page.evaluate("sessionStorage.length")).toBe(1);
  });

  it("shows a running batch's progress move in the list, quickly and without layout shift", async () => {
    running = await createBatch(LINES, "run");
    const start = Date.now();
    await page.goto("/#/batches");
    await page.reload();
    const bar = page.locator(`tr[data-id="${running.id}"] [role=progressbar]`);
    await bar.waitFor();
    const firstView = Date.now() - start;
    console.info(`first view (reload to the batch's row): ${firstView} ms`);
    expect(firstView).toBeLessThan(1500);
    // CLS while the list updates itself: live updates change widths and text, never the layout
    await page.evaluate(`window.shift = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.shift += entry.value;
      }).observe({ type: "layout-shift" });`);
    const done = async () => Number(await bar.getAttribute("aria-valuenow"));
    const seen = await done();
    await expect.poll(done, { timeout: 60_000 }).toBeGreaterThan(seen);
    await expect.poll(done, { timeout: 60_000 }).toBeGreaterThan(0);
    await screenshot(page, "batches-1440");
    expect(await page.evaluate("window.shift")).toBeLessThan(0.01);
  });

  it("opens the batch, searches its results by custom_id and shows one line", async () => {
    await page.getByRole("link", { name: running.id }).click();
    await page.getByRole("heading", { name: running.id }).waitFor();
    await page.getByRole("heading", { name: "Results" }).waitFor();
    await page.locator(".results-table tbody tr").first().waitFor();
    await page.getByLabel("Search by custom_id").fill("run-7");
    await page.getByRole("button", { name: "Search" }).click();
    const ids = page.locator(".results-table tbody td[data-label=custom_id]");
    await expect
      .poll(async () => (await ids.allTextContents()).sort())
      .toEqual(["run-7", ...Array.from({ length: 10 }, (_, i) => `run-7${i}`)].sort());
    await expect
      .poll(() => page.locator(".chart-caption").textContent(), { timeout: 30_000 })
      .toMatch(/now \d+/);
    await screenshot(page, "batch-detail-1440");
    await page.getByRole("button", { name: "View line 8 (run-7)" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("heading", { name: "Request" }).waitFor();
    expect(await dialog.locator("pre").first().textContent()).toContain("Say 7");
    await screenshot(page, "result-line-1440");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
  });

  it("downloads the output once the batch has completed", async () => {
    await expect
      .poll(() => page.locator(".page-head .badge").textContent(), { timeout: 90_000 })
      .toBe("completed");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download output" }).click(),
    ]);
    const lines = readFileSync(await download.path(), "utf8")
      .trim()
      .split("\n");
    expect(lines).toHaveLength(LINES);
    expect(JSON.parse(lines[0] ?? "{}").custom_id).toBe("run-0");
  });

  it("cancels a running batch, then retries its unfinished lines", async () => {
    const batch = await createBatch(LINES * 4, "cancel");
    await page.goto(`/#/batches/${batch.id}`);
    await page.getByRole("button", { name: "Cancel batch" }).click();
    await expect
      .poll(() => page.locator(".page-head .badge").textContent(), { timeout: 60_000 })
      .toBe("cancelled");
    const cancelled = await getBatch(batch.id);
    await page.getByRole("button", { name: "Retry failed lines" }).click();
    await expect.poll(() => page.url()).not.toContain(batch.id);
    const retryId = decodeURIComponent(page.url().split("#/batches/")[1] ?? "");
    await page.getByRole("heading", { name: retryId }).waitFor();
    const retry = await getBatch(retryId);
    expect(retry.request_counts.total).toBe(
      cancelled.request_counts.total - cancelled.request_counts.completed,
    );
  });

  it("uploads a file with a progress bar", async () => {
    await page.getByRole("link", { name: "Files" }).click();
    await page.getByRole("heading", { name: "Files" }).waitFor();
    const body = Buffer.from(
      `${'{"custom_id":"u","method":"POST","url":"/v1/chat/completions","body":{}}\n'.repeat(2000)}`,
    );
    await page
      .getByLabel("File", { exact: true })
      .setInputFiles({ name: "upload.jsonl", mimeType: "application/jsonl", buffer: body });
    await page.getByRole("button", { name: "Upload" }).click();
    await expect
      .poll(() => page.locator(".upload-status").textContent())
      .toMatch(/^Uploaded upload\.jsonl as file-/);
    expect(
      await page.locator("progress").evaluate((p: { value: number; max: number }) => p.value === p.max),
    ).toBe(true);
    await page.getByRole("cell", { name: "upload.jsonl" }).first().waitFor();
    await screenshot(page, "files-1440");
  });

  it("shows usage per model per day with the admin key", async () => {
    await page.getByRole("link", { name: "Usage" }).click();
    await page.getByRole("textbox", { name: "Admin key" }).fill(LOCAL_ADMIN_KEY);
    await page.getByRole("button", { name: "Show usage" }).click();
    await page.getByRole("cell", { name: "@cf/meta/llama-3.1-8b-instruct-fast" }).first().waitFor();
    await screenshot(page, "usage-1440");
  });

  it("renders the API reference from /openapi.json, grouped by tag, with no outside request", async () => {
    await page.goto("/docs");
    await page.locator(".opblock-tag", { hasText: "batches" }).first().waitFor();
    expect(await page.locator(".opblock-tag").count()).toBeGreaterThanOrEqual(8);
    await page.getByRole("button", { name: "Authorize" }).waitFor();
    await screenshot(page, "docs-1440");
    expect(outsideRequests).toEqual([]);
  });
});
