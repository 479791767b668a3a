import { mkdirSync } from "node:fs";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { inject } from "vitest";

export const LOCAL_API_KEY = "sk-local-batch-api-key";
export const LOCAL_ADMIN_KEY = "sk-admin-local-batch-api-key";
const MODEL = "@cf/meta/llama-3.1-8b-instruct-fast";
const SCREENSHOTS = path.join(import.meta.dirname, "..", "..", "docs", "screenshots");

export const origin = (): string => inject("origin");

/** Debian's chromium, headless, with no connection attempts beyond the local stack. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A page at `width` px with a clean session: every test signs in itself. */
export async function openPage(browser: Browser, width: number): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width, height: width < 600 ? 844 : 900 },
    acceptDownloads: true,
    baseURL: origin(),
  });
  const page = await context.newPage();
  page.on("dialog", (dialog) => void dialog.accept());
  return page;
}

export async function signIn(page: Page): Promise<void> {
  await page.goto("/");
  await page.getByLabel("API key").fill(LOCAL_API_KEY);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Batches" }).waitFor();
}

/** Saves docs/screenshots/<name>.png when SCREENSHOTS=1, so that a plain test run leaves git clean. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.SCREENSHOTS !== "1") {
    return;
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), animations: "disabled" });
}

async function api<T>(method: string, urlPath: string, body?: BodyInit, json?: unknown): Promise<T> {
  const res = await fetch(`${origin()}${urlPath}`, {
    method,
    headers: {
      authorization: `Bearer ${LOCAL_API_KEY}`,
      ...(json === undefined ? {} : { "content-type": "application/json" }),
    },
    body: json === undefined ? body : JSON.stringify(json),
  });
  if (!res.ok) {
    throw new Error(`${method} ${urlPath}: ${res.status} ${await res.text()}`);
  }
  return (await res.json()) as T;
}

export function jsonl(count: number, prefix: string): string {
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      custom_id: `${prefix}-${i}`,
      method: "POST",
      url: "/v1/chat/completions",
      body: { model: MODEL, messages: [{ role: "user", content: `Say ${i}` }], max_tokens: 16 },
    }),
  ).join("\n");
}

export type Batch = {
  id: string;
  status: string;
  request_counts: { total: number; completed: number; failed: number };
};

/** Uploads `count` chat lines and creates a batch of them, through the public API. */
export async function createBatch(count: number, prefix: string): Promise<Batch> {
  const form = new FormData();
  form.append("purpose", "batch");
  form.append("file", new Blob([jsonl(count, prefix)]), `${prefix}.jsonl`);
  const file = await api<{ id: string }>("POST", "/v1/files", form);
  return api<Batch>("POST", "/v1/batches", undefined, {
    input_file_id: file.id,
    endpoint: "/v1/chat/completions",
    completion_window: "24h",
    metadata: { source: "browser-test" },
  });
}

export function getBatch(id: string): Promise<Batch> {
  return api<Batch>("GET", `/v1/batches/${id}`);
}
