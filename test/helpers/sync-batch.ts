import { type ApiResponse, call } from "./api";

export const CHAT_MODEL = "@cf/meta/llama-3.1-8b-instruct-fast";
export const EMBEDDING_MODEL = "@cf/baai/bge-base-en-v1.5";

export type SyncBatchPath = "responses" | "chat/completions" | "completions" | "embeddings";
export type Row = [string | number, Record<string, unknown>];

export function chatBody(content: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: CHAT_MODEL, messages: [{ role: "user", content }], ...extra };
}

/**
 * A prompt seen by no other test: the simulator counts `[sim:fail=…xN]` attempts per exact request
 * for the life of the isolate, so a reused prompt would not fail again.
 */
export function uniquePrompt(text: string): string {
  return `${text} ${crypto.randomUUID()}`;
}

export function syncBatch<T = { data: Row[] }>(
  path: SyncBatchPath,
  body: unknown,
  options: { key?: string | null } = {},
): Promise<ApiResponse<T>> {
  return call<T>("POST", `/v1/batch/${path}`, { json: body, key: options.key });
}
