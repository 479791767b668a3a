import { env } from "cloudflare:workers";
import { vi } from "vitest";
import { createDeps } from "../../src/app/deps";
import { newId } from "../../src/domain/ids";
import { nowSeconds } from "../../src/domain/time";
import type { Batch } from "../../src/schemas/batch";
import { newBatchObject } from "../../src/services/batches";
import { call } from "./api";
import { PROJECT_A } from "./projects";

export const CHAT_MODEL = "@cf/meta/llama-3.1-8b-instruct-fast";
export const EMBEDDING_MODEL = "@cf/baai/bge-base-en-v1.5";
export const TERMINAL = ["completed", "failed", "expired", "cancelled"];

export type Line = { custom_id: string; method: string; url: string; body: Record<string, unknown> };

export function chatLine(customId: string, content: string, extra: Record<string, unknown> = {}): Line {
  return {
    custom_id: customId,
    method: "POST",
    url: "/v1/chat/completions",
    body: { model: CHAT_MODEL, messages: [{ role: "user", content }], max_tokens: 32, ...extra },
  };
}

export function jsonl(lines: unknown[]): string {
  return `${lines.map((line) => (typeof line === "string" ? line : JSON.stringify(line))).join("\n")}\n`;
}

/** Uploads a JSONL file with purpose `batch` through the API and returns its id. */
export async function uploadJsonl(
  content: string,
  key: string = PROJECT_A.key,
  filename = "input.jsonl",
): Promise<string> {
  const form = new FormData();
  form.append("purpose", "batch");
  form.append("file", new File([content], filename, { type: "application/jsonl" }));
  const res = await call<{ id: string }>("POST", "/v1/files", { key, body: form });
  if (res.status !== 200) {
    throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body.id;
}

/** Batches created through these helpers in the current test file (see test/setup/settle-batches.ts). */
export const createdBatches = new Map<string, string>();

export async function createBatch(
  inputFileId: string,
  extra: Record<string, unknown> = {},
  key: string = PROJECT_A.key,
): Promise<Batch> {
  const res = await call<Batch>("POST", "/v1/batches", {
    key,
    json: {
      input_file_id: inputFileId,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      ...extra,
    },
  });
  if (res.status !== 200) {
    throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  createdBatches.set(res.body.id, key);
  return res.body;
}

export async function getBatch(id: string, key: string = PROJECT_A.key): Promise<Batch> {
  const res = await call<Batch>("GET", `/v1/batches/${id}`, { key });
  if (res.status !== 200) {
    throw new Error(`retrieve failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

/** Polls the batch through the API until `predicate` holds (default: a terminal status). */
export async function waitForBatch(
  id: string,
  predicate: (batch: Batch) => boolean = (batch) => TERMINAL.includes(batch.status),
  timeout = 30_000,
  key: string = PROJECT_A.key,
): Promise<Batch> {
  let last: Batch | undefined;
  await vi.waitUntil(
    async () => {
      last = await getBatch(id, key);
      return predicate(last);
    },
    { timeout, interval: 50 },
  );
  return last as Batch;
}

export async function fileLines(fileId: string | null): Promise<Array<Record<string, unknown>>> {
  if (fileId === null) {
    return [];
  }
  const res = await call<string>("GET", `/v1/files/${fileId}/content`);
  if (res.status !== 200) {
    throw new Error(`content failed: ${res.status}`);
  }
  return String(res.body)
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * Starts a batch whose window ends `seconds` from now (shorter than the API's 1-minute minimum) by
 * writing its D1 row and starting its coordinator, as the create service does.
 */
export async function startBatchExpiringIn(seconds: number, fileId: string): Promise<Batch> {
  const deps = createDeps(env);
  const file = await deps.files.get(PROJECT_A.id, fileId);
  const createdAt = nowSeconds();
  // as the create service makes it, with a window shorter than the API's 1-minute minimum
  const batch = newBatchObject(
    newId("batch"),
    { input_file_id: fileId, endpoint: "/v1/chat/completions", completion_window: "1m" },
    createdAt,
    seconds,
  );
  const params = {
    projectId: PROJECT_A.id,
    inputKey: String(file?.r2Key),
    baseModel: null,
    outputExpiresAfterSeconds: 3600,
    webhookUrl: null,
  };
  await deps.batches.insert(PROJECT_A.id, batch, params);
  createdBatches.set(batch.id, PROJECT_A.key);
  return deps.coordinators.get(batch.id).init(batch, params);
}
