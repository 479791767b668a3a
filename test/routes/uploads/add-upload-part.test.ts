import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { UploadPartSchema } from "../../../src/schemas/upload";
import { call } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { BOUNDARY, expectError, multipartBody } from "../../helpers/files";
import { addPart, encoder, partObjects, postPart, startUpload } from "./helpers";

const MIB = 1024 * 1024;

/** A multipart body whose `data` field is `bytes` long, produced lazily (never whole in memory). */
function largePartStream(bytes: number): ReadableStream<Uint8Array> {
  const head = encoder.encode(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="data"; filename="blob"\r\n\r\n`,
  );
  const tail = encoder.encode(`\r\n--${BOUNDARY}--\r\n`);
  const block = new Uint8Array(MIB).fill(0x61);
  let sent = 0;
  let stage: "head" | "data" | "tail" | "done" = "head";
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (stage === "head") {
        controller.enqueue(head);
        stage = "data";
      } else if (stage === "data") {
        const n = Math.min(MIB, bytes - sent);
        controller.enqueue(n === MIB ? block : block.subarray(0, n));
        sent += n;
        if (sent === bytes) {
          stage = "tail";
        }
      } else if (stage === "tail") {
        controller.enqueue(tail);
        stage = "done";
      } else {
        controller.close();
      }
    },
  });
}

describe("POST /v1/uploads/{upload_id}/parts", () => {
  it("stores the part as its own object and answers an upload.part", async () => {
    const upload = await startUpload(100);
    const res = await postPart(upload.id, "x".repeat(40));
    expect(res.status).toBe(200);
    const part = UploadPartSchema.parse(res.body);
    expect(part).toMatchObject({ object: "upload.part", upload_id: upload.id });
    expect(part.id).toMatch(/^part_/);
    const object = await env.FILES_BUCKET.get(`uploads/${upload.id}/${part.id}`);
    expect(await object?.text()).toBe("x".repeat(40));
  });

  it("accepts parts in parallel, each stored whole", async () => {
    const upload = await startUpload(4 * 1000);
    const parts = await Promise.all(["a", "b", "c", "d"].map((c) => addPart(upload.id, c.repeat(1000))));
    expect(new Set(parts.map((part) => part.id)).size).toBe(4);
    expect(await partObjects(upload.id)).toHaveLength(4);
  });

  it("streams a part of exactly 64 MiB, and refuses one byte more leaving nothing behind", async () => {
    const upload = await startUpload(64 * MIB);
    const ok = await postPart(upload.id, largePartStream(64 * MIB));
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);

    const tooBig = await postPart(upload.id, largePartStream(64 * MIB + 1));
    expectError(tooBig, 400, { message: /^Part is too large/, param: "data" });
    expect(await partObjects(upload.id)).toEqual([
      `uploads/${upload.id}/${UploadPartSchema.parse(ok.body).id}`,
    ]);
    const rows = await env.DB.prepare("SELECT id FROM upload_parts WHERE upload_id = ?1")
      .bind(upload.id)
      .all();
    expect(rows.results).toHaveLength(1);
  });

  it("refuses a body without a data field, or that is not multipart", async () => {
    const upload = await startUpload(100);
    const noData = await call("POST", `/v1/uploads/${upload.id}/parts`, {
      body: multipartBody([{ name: "other", value: "x" }]),
      headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
    });
    expectError(noData, 400, { param: "data", code: "missing_required_parameter" });
    const json = await call("POST", `/v1/uploads/${upload.id}/parts`, { json: { data: "x" } });
    expectError(json, 400, { message: /multipart\/form-data/ });
    expect(await partObjects(upload.id)).toEqual([]);
  });

  it("answers 404 for an unknown upload", async () => {
    const res = await postPart("upload_nope", "x");
    expectError(res, 404, { message: "No such Upload object: upload_nope", param: "id" });
  });

  describeAuthCases((key) => postPart("upload_any", "x", { key }));
});
