import { describe, expect, it } from "vitest";
import { UploadSchema } from "../../../src/schemas/upload";
import { describeAuthCases } from "../../helpers/auth";
import { expectError } from "../../helpers/files";
import { PROJECT_B } from "../../helpers/projects";
import { createUploadRequest, startUpload } from "./helpers";

const BATCH = { bytes: 1000, filename: "input.jsonl", mime_type: "text/jsonl", purpose: "batch" };
const MB = 1024 * 1024;

describe("POST /v1/uploads", () => {
  it("creates a pending upload that expires an hour later", async () => {
    const res = await createUploadRequest(BATCH);
    expect(res.status).toBe(200);
    const upload = UploadSchema.parse(res.body);
    expect(upload).toMatchObject({
      object: "upload",
      bytes: 1000,
      filename: "input.jsonl",
      purpose: "batch",
      status: "pending",
      file: null,
    });
    expect(upload.id).toMatch(/^upload_/);
    expect(upload.expires_at - upload.created_at).toBe(3600);
  });

  it("accepts any purpose's files up to that purpose's limit", async () => {
    const upload = await startUpload(300 * MB, { purpose: "user_data", filename: "notes.bin" });
    expect(upload.status).toBe("pending");
  });

  it.each([
    ["a batch file over 200 MB", { ...BATCH, bytes: 200 * MB + 1 }, /^File is too large\./, "bytes"],
    [
      "more than 8 GB",
      { ...BATCH, purpose: "user_data", bytes: 8 * 1024 * MB + 1 },
      /at most 8589934592 bytes/,
      "bytes",
    ],
    [
      "a batch file not named .jsonl",
      { ...BATCH, filename: "input.txt" },
      "Invalid file format for Batch API. Must be .jsonl",
      "filename",
    ],
    [
      "a batch file whose MIME type is not JSON Lines",
      { ...BATCH, mime_type: "text/plain" },
      /mime_type 'application\/jsonl' or 'text\/jsonl'/,
      "mime_type",
    ],
    ["an empty batch file", { ...BATCH, bytes: 0 }, /the file is empty/, "bytes"],
    ["an unknown purpose", { ...BATCH, purpose: "batch_output" }, undefined, "purpose"],
    ["a missing filename", { bytes: 10, mime_type: "text/jsonl", purpose: "batch" }, undefined, "filename"],
  ])("refuses %s up front", async (_label, body, message, param) => {
    const res = await createUploadRequest(body);
    expectError(res, 400, { message, param });
  });

  it("accepts text/jsonl with parameters and application/jsonl", async () => {
    for (const mime of ["text/jsonl; charset=utf-8", "application/jsonl"]) {
      const res = await createUploadRequest({ ...BATCH, mime_type: mime });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
  });

  it("returns the first upload for a repeated Idempotency-Key, and refuses it with another body", async () => {
    const headers = { "idempotency-key": `create-${crypto.randomUUID()}` };
    const first = UploadSchema.parse((await createUploadRequest(BATCH, { headers })).body);
    const again = await createUploadRequest(BATCH, { headers });
    expect(again.status).toBe(200);
    expect(UploadSchema.parse(again.body).id).toBe(first.id);

    const other = await createUploadRequest({ ...BATCH, bytes: 2000 }, { headers });
    expectError(other, 409, { code: "idempotency_key_reused" });
    expect(other.headers.get("x-should-retry")).toBe("false");
  });

  it("keeps Idempotency-Keys per project", async () => {
    const headers = { "idempotency-key": `shared-${crypto.randomUUID()}` };
    const a = UploadSchema.parse((await createUploadRequest(BATCH, { headers })).body);
    const b = await createUploadRequest(BATCH, { headers, key: PROJECT_B.key });
    expect(b.status).toBe(200);
    expect(UploadSchema.parse(b.body).id).not.toBe(a.id);
  });

  describeAuthCases((key) => createUploadRequest(BATCH, { key }));
});
