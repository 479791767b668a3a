import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { FileObjectSchema } from "../../../src/schemas/file";
import { UploadSchema } from "../../../src/schemas/upload";
import { call } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { expectError } from "../../helpers/files";
import { addPart, batchLines, cancel, complete, partObjects, postPart, startUpload } from "./helpers";

async function md5Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("MD5", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** An upload of `content` cut into `pieces`, added in reverse order; part ids in file order. */
async function uploadInPieces(
  content: string,
  pieces: number,
): Promise<{ uploadId: string; partIds: string[] }> {
  const size = Math.ceil(content.length / pieces);
  const chunks = Array.from({ length: pieces }, (_, i) => content.slice(i * size, (i + 1) * size));
  const upload = await startUpload(content.length);
  const partIds: string[] = new Array(pieces);
  for (let i = pieces - 1; i >= 0; i--) {
    partIds[i] = (await addPart(upload.id, chunks[i] as string)).id;
  }
  return { uploadId: upload.id, partIds };
}

describe("POST /v1/uploads/{upload_id}/complete", () => {
  it("makes a file of the parts in the order named, whatever order they arrived in", async () => {
    const content = batchLines(0, 40);
    const { uploadId, partIds } = await uploadInPieces(content, 3);
    const res = await complete(uploadId, { part_ids: partIds, md5: await md5Hex(content) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const upload = UploadSchema.parse(res.body);
    expect(upload.status).toBe("completed");
    const file = FileObjectSchema.parse(upload.file);
    expect(file).toMatchObject({
      bytes: content.length,
      filename: "input.jsonl",
      purpose: "batch",
      status: "processed",
    });
    expect(file.expires_at).toBe((file.created_at as number) + 30 * 24 * 3600);

    const download = await call<string>("GET", `/v1/files/${file.id}/content`);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-length")).toBe(String(content.length));
    expect(download.body).toBe(content);
    const listed = await call<{ data: { id: string }[] }>("GET", "/v1/files?purpose=batch");
    expect(listed.body.data.map((f) => f.id)).toContain(file.id);
  });

  it("gives the file the expires_after the upload was created with", async () => {
    const created = await call<{ id: string }>("POST", "/v1/uploads", {
      json: {
        bytes: 3,
        filename: "input.jsonl",
        mime_type: "application/jsonl",
        purpose: "batch",
        expires_after: { anchor: "created_at", seconds: 7200 },
      },
    });
    const part = await addPart(created.body.id, "{}\n");
    const file = FileObjectSchema.parse(
      UploadSchema.parse((await complete(created.body.id, { part_ids: [part.id] })).body).file,
    );
    expect(file.expires_at).toBe(file.created_at + 7200);
  });

  it("serves byte ranges that span parts", async () => {
    const content = batchLines(0, 30);
    const { uploadId, partIds } = await uploadInPieces(content, 4);
    const file = FileObjectSchema.parse(
      UploadSchema.parse((await complete(uploadId, { part_ids: partIds })).body).file,
    );
    const start = Math.floor(content.length / 4) - 10;
    const end = Math.floor((3 * content.length) / 4) + 10;
    const ranged = await call<string>("GET", `/v1/files/${file.id}/content`, {
      headers: { range: `bytes=${start}-${end}` },
    });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get("content-range")).toBe(`bytes ${start}-${end}/${content.length}`);
    expect(ranged.body).toBe(content.slice(start, end + 1));
    const suffix = await call<string>("GET", `/v1/files/${file.id}/content`, {
      headers: { range: "bytes=-5" },
    });
    expect(suffix.body).toBe(content.slice(-5));
  });

  it("deletes the parts it was not told about", async () => {
    const upload = await startUpload(10);
    const kept = await addPart(upload.id, "{}\n{}\n{}\n{");
    const extra = await addPart(upload.id, "spare bytes");
    // "{}\n{}\n{}\n{" is 10 bytes
    const res = await complete(upload.id, { part_ids: [kept.id] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await partObjects(upload.id)).toEqual([`uploads/${upload.id}/${kept.id}`]);
    expect(await partObjects(upload.id)).not.toContain(`uploads/${upload.id}/${extra.id}`);
  });

  it("returns the completed upload when the same completion is repeated, and refuses another", async () => {
    const content = batchLines(0, 5);
    const { uploadId, partIds } = await uploadInPieces(content, 2);
    const first = UploadSchema.parse((await complete(uploadId, { part_ids: partIds })).body);
    const again = await complete(uploadId, { part_ids: partIds });
    expect(again.status).toBe(200);
    expect(UploadSchema.parse(again.body).file?.id).toBe(first.file?.id);
    const reordered = await complete(uploadId, { part_ids: [...partIds].reverse() });
    expectError(reordered, 400, { message: `Cannot complete Upload ${uploadId}: it is completed.` });
  });

  it.each([
    [
      "the parts do not add up to bytes",
      (parts: string[]) => ({ part_ids: parts.slice(1) }),
      /hold \d+ bytes, but the Upload was created with bytes=/,
      "part_ids",
    ],
    [
      "a part id is unknown",
      (parts: string[]) => ({ part_ids: [...parts, "part_unknown"] }),
      /No such Part in Upload upload_\w+: part_unknown\./,
      "part_ids",
    ],
    [
      "a part is named twice",
      (parts: string[]) => ({ part_ids: [...parts, parts[0]] }),
      /is named more than once/,
      "part_ids",
    ],
    [
      "the md5 does not match",
      (parts: string[]) => ({ part_ids: parts, md5: "0".repeat(32) }),
      /does not match the uploaded Parts/,
      "md5",
    ],
    ["part_ids is empty", (_parts: string[]) => ({ part_ids: [] as string[] }), undefined, "part_ids"],
  ])("refuses it when %s, and the upload stays pending", async (_label, body, message, param) => {
    const content = batchLines(0, 6);
    const { uploadId, partIds } = await uploadInPieces(content, 2);
    expectError(await complete(uploadId, body(partIds)), 400, { message, param });
    // still pending: the right completion works afterwards
    expect((await complete(uploadId, { part_ids: partIds })).status).toBe(200);
  });

  it("refuses a part of another upload", async () => {
    const mine = await uploadInPieces(batchLines(0, 2), 1);
    const other = await uploadInPieces(batchLines(0, 2), 1);
    const res = await complete(mine.uploadId, { part_ids: other.partIds });
    expectError(res, 400, { message: `No such Part in Upload ${mine.uploadId}: ${other.partIds[0]}.` });
  });

  it("gives batch files the checks of POST /v1/files: the first line must be a JSON object", async () => {
    const upload = await startUpload(12);
    const part = await addPart(upload.id, "not json\n{}\n");
    const res = await complete(upload.id, { part_ids: [part.id] });
    expectError(res, 400, { message: /the first line is not a JSON object/ });
  });

  it("refuses parts and completion after completion, cancel or expiry", async () => {
    const done = await uploadInPieces(batchLines(0, 2), 1);
    await complete(done.uploadId, { part_ids: done.partIds });
    expectError(await postPart(done.uploadId, "x"), 400, {
      message: `Cannot add parts to Upload ${done.uploadId}: it is completed.`,
    });

    const cancelled = await uploadInPieces(batchLines(0, 2), 1);
    expect((await cancel(cancelled.uploadId)).status).toBe(200);
    expectError(await postPart(cancelled.uploadId, "x"), 400, { message: /it is cancelled\.$/ });
    expectError(await complete(cancelled.uploadId, { part_ids: cancelled.partIds }), 400, {
      message: /it is cancelled\.$/,
    });

    const late = await uploadInPieces(batchLines(0, 2), 1);
    await env.DB.prepare("UPDATE uploads SET expires_at = expires_at - 7200 WHERE id = ?1")
      .bind(late.uploadId)
      .run();
    expectError(await postPart(late.uploadId, "x"), 400, { message: /it is expired\.$/ });
    expectError(await complete(late.uploadId, { part_ids: late.partIds }), 400, {
      message: /it is expired\.$/,
    });
  });

  describeAuthCases((key) =>
    call("POST", "/v1/uploads/upload_any/complete", { key, json: { part_ids: ["part_x"] } }),
  );
});
