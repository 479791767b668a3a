import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBatch, launchBrowser, openPage, screenshot, signIn } from "./helpers";

const WIDTH = 390;

/** Nothing is wider than the screen: tables turn into cards, toolbars wrap. */
async function expectNoHorizontalScroll(page: Page): Promise<void> {
  expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(WIDTH);
}

describe("the dashboard at 390 px", () => {
  let browser: Browser;
  let page: Page;
  let batch: { id: string };

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await openPage(browser, WIDTH);
    batch = await createBatch(120, "phone");
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("signs in and lists batches as cards", async () => {
    await signIn(page);
    await page.locator(`tr[data-id="${batch.id}"]`).waitFor();
    await expectNoHorizontalScroll(page);
    await screenshot(page, "batches-390");
  });

  it("shows a batch's detail and results, reachable by keyboard", async () => {
    await page.locator(`tr[data-id="${batch.id}"] a`).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: batch.id }).waitFor();
    await page.locator(".results-table tbody tr").first().waitFor();
    await expectNoHorizontalScroll(page);
    await screenshot(page, "batch-detail-390");
  });

  it("shows files with the upload form", async () => {
    await page.getByRole("link", { name: "Files" }).click();
    await page.getByRole("heading", { name: "Upload a file" }).waitFor();
    await page.locator("tbody tr").first().waitFor();
    await expectNoHorizontalScroll(page);
    await screenshot(page, "files-390");
  });
});
