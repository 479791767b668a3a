import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../../src/app/create-app";
import { FileObjectSchema } from "../../../src/schemas/file";
import type { ApiResponse } from "../../helpers/api";
import {
  BATCH_LINE,
  BOUNDARY,
  chunkedStream,
  expectError,
  fileParts,
  multipartBody,
  postFile,
  storageSnapshot,
} from "../../helpers/files";
import { PROJECT_A } from "../../helpers/projects";

const encoder = new TextEncoder();
const MIB = 1024 * 1024;
const TRUNCATED = "The multipart body ended before its closing boundary (the upload was truncated).";

function batchContent(bytes: number): string {
  const line = `${BATCH_LINE}\n`;
  return line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes);
}

/** An app whose upload limits are tiny, so the size checks are testable without 200 MB bodies. */
async function postWithLimits(
  limits: { batchBytes: number; otherBytes: number },
  body: BodyInit,
): Promise<ApiResponse<unknown>> {
  const app = createApp({ uploadLimits: limits });
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request("http://batch.test/v1/files", {
      method: "POST",
      headers: {
        authorization: `Bearer ${PROJECT_A.key}`,
        "content-type": `multipart/form-data; boundary=${BOUNDARY}`,
      },
      body,
    }),
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: res.status, headers: res.headers, body: await res.json() };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("POST /v1/files size limits", () => {
  const limits = { batchBytes: 1000, otherBytes: 2000 };

  it.each([
    ["a batch file over its limit, purpose first", [1001, "batch", "purpose-first"]],
    ["a batch file over its limit, file first", [1001, "batch", "file-first"]],
    ["another purpose over its limit", [2001, "user_data", "purpose-first"]],
    ["a file over every limit before its purpose arrives", [5000, "user_data", "file-first"]],
  ] as const)(
    "answers 400 File is too large. for %s and stores nothing",
    async (_label, [size, purpose, order]) => {
      const before = await storageSnapshot();
      const [file, purposePart] = fileParts({ content: batchContent(size), purpose });
      const parts = order === "purpose-first" ? [purposePart!, file!] : [file!, purposePart!];
      const res = await postWithLimits(limits, chunkedStream(multipartBody(parts), 100));
      expectError(res, 400, { message: "File is too large.", param: null, code: null });
      expect(await storageSnapshot()).toEqual(before);
    },
  );

  it("accepts a file of exactly the limit", async () => {
    const res = await postWithLimits(limits, multipartBody(fileParts({ content: batchContent(1000) })));
    expect(res.status).toBe(200);
    expect(FileObjectSchema.parse(res.body).bytes).toBe(1000);
  });

  it("aborts the R2 multipart upload when the limit is crossed after a part was stored", async () => {
    const before = await storageSnapshot();
    const started = vi.spyOn(env.FILES_BUCKET, "createMultipartUpload");
    const body = chunkedStream(multipartBody(fileParts({ content: batchContent(10 * MIB) })), 256 * 1024);
    const res = await postWithLimits({ batchBytes: 9 * MIB, otherBytes: 9 * MIB }, body);
    expectError(res, 400, { message: "File is too large." });
    expect(started).toHaveBeenCalledTimes(1);
    const upload = await started.mock.results[0]?.value;
    await expect(
      env.FILES_BUCKET.resumeMultipartUpload(upload.key, upload.uploadId).uploadPart(2, "x"),
    ).rejects.toThrow();
    expect(await storageSnapshot()).toEqual(before);
  });
});

describe("POST /v1/files with malformed multipart", () => {
  const valid = new TextDecoder().decode(multipartBody(fileParts({})));
  const cases: Array<[string, { body: BodyInit | null; contentType?: string }, string | RegExp]> = [
    [
      "no multipart Content-Type",
      { body: valid, contentType: "application/json" },
      /expected multipart\/form-data/,
    ],
    ["no boundary parameter", { body: valid, contentType: "multipart/form-data" }, /needs a boundary/],
    [
      "a boundary that is not in the body",
      { body: valid, contentType: "multipart/form-data; boundary=other" },
      /does not contain the multipart boundary/,
    ],
    ["no body", { body: null }, /multipart boundary|no body/],
    ["a body cut inside the file", { body: valid.slice(0, valid.indexOf(BATCH_LINE) + 20) }, TRUNCATED],
    ["a missing closing boundary", { body: valid.slice(0, valid.lastIndexOf(`--${BOUNDARY}--`)) }, TRUNCATED],
    ["a body cut inside part headers", { body: valid.slice(0, valid.indexOf("filename=")) }, TRUNCATED],
    [
      "oversized part headers",
      { body: valid.replace('filename="input.jsonl"', `filename="${"a".repeat(20_000)}.jsonl"`) },
      "The headers of a multipart part are too large.",
    ],
    [
      "a part without a Content-Disposition name",
      { body: valid.replace('Content-Disposition: form-data; name="purpose"', "Content-Type: text/plain") },
      "A multipart part has no Content-Disposition: form-data name.",
    ],
    [
      "an oversized text field",
      { body: valid.replace("\r\n\r\nbatch\r\n", `\r\n\r\n${"b".repeat(70_000)}\r\n`) },
      "The form field 'purpose' is too long.",
    ],
    [
      "more than 100 parts",
      {
        body: new TextDecoder().decode(
          multipartBody([
            ...fileParts({}),
            ...Array.from({ length: 100 }, (_, i) => ({ name: `x${i}`, value: "1" })),
          ]),
        ),
      },
      "A multipart body may have at most 100 parts.",
    ],
  ];

  it.each(cases)("answers 400 for %s and stores nothing", async (_label, request, message) => {
    const before = await storageSnapshot();
    const headers: Record<string, string> = request.contentType
      ? { "content-type": request.contentType }
      : {};
    const bodies =
      request.body === null ? [null] : [request.body, chunkedStream(encoder.encode(String(request.body)), 7)];
    for (const body of bodies) {
      const res = await postFile(body as BodyInit, { headers });
      expectError(res, 400, { message, param: null, code: null });
    }
    expect(await storageSnapshot()).toEqual(before);
  });

  it("accepts a file part with no filename under httpx's default name", async () => {
    const body = multipartBody([
      { name: "purpose", value: "user_data" },
      { name: "file", value: "raw bytes" },
    ]);
    const res = await postFile(body);
    expect(FileObjectSchema.parse(res.body)).toMatchObject({ filename: "upload", bytes: 9 });
  });

  it("ignores unknown form fields", async () => {
    const res = await postFile(multipartBody(fileParts({ extra: [{ name: "future_field", value: "x" }] })));
    expect(res.status).toBe(200);
  });
});
