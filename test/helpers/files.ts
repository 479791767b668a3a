import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { concatBytes } from "../../src/domain/bytes";
import { newId } from "../../src/domain/ids";
import { nowSeconds } from "../../src/domain/time";
import { type FileObject, FileObjectSchema } from "../../src/schemas/file";
import { D1FileStore } from "../../src/storage/d1/files-store";
import { type ApiResponse, call, type ErrorEnvelope } from "./api";
import { PROJECT_A } from "./projects";

export const BOUNDARY = "----test-boundary-7MA4YWxkTrZu0gW";

export const BATCH_LINE = JSON.stringify({
  custom_id: "r1",
  method: "POST",
  url: "/v1/chat/completions",
  body: { model: "@cf/meta/llama-3.1-8b-instruct-fast", messages: [{ role: "user", content: "hi" }] },
});

export type FormPart = {
  name: string;
  value: string | Uint8Array;
  filename?: string;
  contentType?: string;
};

const encoder = new TextEncoder();

/** A raw multipart/form-data body with exactly these parts, in this order. */
export function multipartBody(parts: FormPart[], boundary: string = BOUNDARY): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) {
      head += `; filename="${part.filename}"`;
    }
    head += "\r\n";
    if (part.contentType) {
      head += `Content-Type: ${part.contentType}\r\n`;
    }
    chunks.push(encoder.encode(`${head}\r\n`));
    chunks.push(typeof part.value === "string" ? encoder.encode(part.value) : part.value);
    chunks.push(encoder.encode("\r\n"));
  }
  chunks.push(encoder.encode(`--${boundary}--\r\n`));
  return concatBytes(chunks);
}

/** A body with no known length, as the Node SDK sends it (chunked transfer, no Content-Length). */
export function chunkedStream(bytes: Uint8Array, chunkSize = 1000): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

export function fileParts(options: {
  content?: string | Uint8Array;
  filename?: string;
  purpose?: string;
  extra?: FormPart[];
}): FormPart[] {
  return [
    {
      name: "file",
      value: options.content ?? `${BATCH_LINE}\n`,
      filename: options.filename ?? "input.jsonl",
      contentType: "application/octet-stream",
    },
    { name: "purpose", value: options.purpose ?? "batch" },
    ...(options.extra ?? []),
  ];
}

/** POST /v1/files with a raw multipart body (or a stream of one). */
export function postFile<T = FileObject | ErrorEnvelope>(
  body: BodyInit,
  options: { key?: string | null; headers?: Record<string, string>; boundary?: string } = {},
): Promise<ApiResponse<T>> {
  return call<T>("POST", "/v1/files", {
    key: options.key,
    body,
    headers: {
      "content-type": `multipart/form-data; boundary=${options.boundary ?? BOUNDARY}`,
      ...options.headers,
    },
  });
}

/** Uploads a small valid batch file and returns it, checked against the contract. */
export async function uploadFile(
  options: { content?: string; filename?: string; purpose?: string; key?: string } = {},
): Promise<FileObject> {
  const res = await postFile<FileObject>(multipartBody(fileParts(options)), {
    key: options.key ?? PROJECT_A.key,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return FileObjectSchema.parse(res.body);
}

export type StorageSnapshot = { objects: string[]; rows: string[] };

/** Every file object in R2 and every file row in D1, to prove a rejected upload left nothing. */
export async function storageSnapshot(): Promise<StorageSnapshot> {
  const objects: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.FILES_BUCKET.list({ prefix: "files/", cursor });
    objects.push(...page.objects.map((object) => object.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  const { results } = await env.DB.prepare("SELECT id FROM files ORDER BY id").all<{ id: string }>();
  return { objects: objects.sort(), rows: results.map((row) => row.id) };
}

/** Asserts an OpenAI error envelope with a request id. */
export function expectError(
  res: ApiResponse<unknown>,
  status: number,
  expected: { message?: string | RegExp; param?: string | null; code?: string | null },
): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("x-request-id")).toMatch(/^req_/);
  const { error } = res.body as ErrorEnvelope;
  expect(error.type).toBe("invalid_request_error");
  if (expected.message instanceof RegExp) {
    expect(error.message).toMatch(expected.message);
  } else if (expected.message !== undefined) {
    expect(error.message).toBe(expected.message);
  }
  if (expected.param !== undefined) {
    expect(error.param).toBe(expected.param);
  }
  if (expected.code !== undefined) {
    expect(error.code).toBe(expected.code);
  }
}

/** A file whose `expires_at` has passed but which no sweep has removed yet (row and bytes exist). */
export async function insertExpiredFile(projectId: `proj_${string}` = PROJECT_A.id): Promise<string> {
  const id = newId("file");
  const now = nowSeconds();
  await env.FILES_BUCKET.put(`files/${id}`, `${BATCH_LINE}\n`);
  await new D1FileStore(env.DB).insert({
    id,
    projectId,
    filename: "old.jsonl",
    purpose: "batch",
    bytes: BATCH_LINE.length + 1,
    createdAt: now - 7200,
    expiresAt: now - 1,
  });
  return id;
}
