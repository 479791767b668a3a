import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { type Upload, type UploadPart, UploadPartSchema, UploadSchema } from "../../../src/schemas/upload";
import { type ApiResponse, call, type ErrorEnvelope } from "../../helpers/api";
import { BOUNDARY, multipartBody } from "../../helpers/files";
import { PROJECT_A } from "../../helpers/projects";

export const encoder = new TextEncoder();

export function createUploadRequest(
  body: Record<string, unknown>,
  options: { key?: string | null; headers?: Record<string, string> } = {},
): Promise<ApiResponse<Upload | ErrorEnvelope>> {
  return call("POST", "/v1/uploads", { json: body, ...options });
}

/** Creates a pending `batch` upload of `bytes` and returns it, checked against the contract. */
export async function startUpload(
  bytes: number,
  options: { key?: string; purpose?: string; filename?: string } = {},
): Promise<Upload> {
  const res = await createUploadRequest(
    {
      bytes,
      filename: options.filename ?? "input.jsonl",
      mime_type: "text/jsonl",
      purpose: options.purpose ?? "batch",
    },
    { key: options.key ?? PROJECT_A.key },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return UploadSchema.parse(res.body);
}

/** POST a part with the bytes in the multipart field `data` (or a raw body, e.g. a stream). */
export function postPart(
  uploadId: string,
  data: string | Uint8Array | ReadableStream<Uint8Array>,
  options: { key?: string | null } = {},
): Promise<ApiResponse<UploadPart | ErrorEnvelope>> {
  const body =
    data instanceof ReadableStream
      ? data
      : multipartBody([
          { name: "data", value: data, filename: "blob", contentType: "application/octet-stream" },
        ]);
  return call("POST", `/v1/uploads/${uploadId}/parts`, {
    key: options.key,
    body,
    headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
  });
}

export async function addPart(
  uploadId: string,
  data: string | Uint8Array,
  key: string = PROJECT_A.key,
): Promise<UploadPart> {
  const res = await postPart(uploadId, data, { key });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return UploadPartSchema.parse(res.body);
}

export function complete(
  uploadId: string,
  body: Record<string, unknown>,
  key: string = PROJECT_A.key,
): Promise<ApiResponse<Upload | ErrorEnvelope>> {
  return call("POST", `/v1/uploads/${uploadId}/complete`, { key, json: body });
}

export function cancel(
  uploadId: string,
  key: string = PROJECT_A.key,
): Promise<ApiResponse<Upload | ErrorEnvelope>> {
  return call("POST", `/v1/uploads/${uploadId}/cancel`, { key });
}

/** The part objects of an upload that are in R2. */
export async function partObjects(uploadId: string): Promise<string[]> {
  const page = await env.FILES_BUCKET.list({ prefix: `uploads/${uploadId}/` });
  return page.objects.map((object) => object.key).sort();
}

/** Moves an upload's expiry into the past, as an hour passing would. */
export async function expireUpload(uploadId: string): Promise<void> {
  await env.DB.prepare("UPDATE uploads SET expires_at = expires_at - 7200 WHERE id = ?1")
    .bind(uploadId)
    .run();
}

/** Batch lines `from`..`to - 1`, each ending with a newline. */
export function batchLines(from: number, to: number): string {
  let out = "";
  for (let i = from; i < to; i++) {
    out += `${JSON.stringify({
      custom_id: `req-${i}`,
      method: "POST",
      url: "/v1/chat/completions",
      body: {
        model: "@cf/meta/llama-3.1-8b-instruct-fast",
        messages: [{ role: "user", content: `question ${i}` }],
      },
    })}\n`;
  }
  return out;
}
