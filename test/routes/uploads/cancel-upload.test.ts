import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDeps } from "../../../src/app/deps";
import { runRetention } from "../../../src/cron/retention";
import { UploadSchema } from "../../../src/schemas/upload";
import { call } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { expectError } from "../../helpers/files";
import { PROJECT_B } from "../../helpers/projects";
import { addPart, cancel, complete, expireUpload, partObjects, postPart, startUpload } from "./helpers";

async function partRows(uploadId: string): Promise<number> {
  const { results } = await env.DB.prepare("SELECT id FROM upload_parts WHERE upload_id = ?1")
    .bind(uploadId)
    .all();
  return results.length;
}

describe("POST /v1/uploads/{upload_id}/cancel", () => {
  it("cancels a pending upload and deletes its parts; cancelling again returns it", async () => {
    const upload = await startUpload(20);
    await addPart(upload.id, "0123456789");
    await addPart(upload.id, "0123456789");
    const res = await cancel(upload.id);
    expect(res.status).toBe(200);
    expect(UploadSchema.parse(res.body)).toMatchObject({ id: upload.id, status: "cancelled", file: null });
    expect(await partObjects(upload.id)).toEqual([]);
    expect(await partRows(upload.id)).toBe(0);
    const again = await cancel(upload.id);
    expect(again.status).toBe(200);
    expect(UploadSchema.parse(again.body).status).toBe("cancelled");
  });

  it("refuses to cancel a completed or an expired upload", async () => {
    const done = await startUpload(3);
    const part = await addPart(done.id, "{}\n");
    await complete(done.id, { part_ids: [part.id] });
    expectError(await cancel(done.id), 400, { message: `Cannot cancel Upload ${done.id}: it is completed.` });

    const late = await startUpload(3);
    await expireUpload(late.id);
    expectError(await cancel(late.id), 400, { message: `Cannot cancel Upload ${late.id}: it is expired.` });
  });

  describeAuthCases((key) => cancel("upload_any", key as string));
});

describe("an upload of another project", () => {
  it("is a 404 on every verb, and stays untouched", async () => {
    const upload = await startUpload(3);
    const part = await addPart(upload.id, "{}\n");
    const notFound = { message: `No such Upload object: ${upload.id}`, param: "id" };
    expectError(await postPart(upload.id, "{}\n", { key: PROJECT_B.key }), 404, notFound);
    expectError(await complete(upload.id, { part_ids: [part.id] }, PROJECT_B.key), 404, notFound);
    expectError(await cancel(upload.id, PROJECT_B.key), 404, notFound);
    expect(await partObjects(upload.id)).toHaveLength(1);
    const mine = await complete(upload.id, { part_ids: [part.id] });
    expect(UploadSchema.parse(mine.body).status).toBe("completed");
  });
});

describe("expiry and retention", () => {
  it("an expired upload's parts are deleted by the retention sweep, leaving no bytes", async () => {
    const upload = await startUpload(20);
    await addPart(upload.id, "0123456789");
    await addPart(upload.id, "0123456789");
    await expireUpload(upload.id);
    expect(await partObjects(upload.id)).toHaveLength(2);
    await runRetention(createDeps(env), { now: Date.now() });
    expect(await partObjects(upload.id)).toEqual([]);
    expect(await partRows(upload.id)).toBe(0);
  });

  it("a completed file's parts stay until the file is deleted, then go", async () => {
    const upload = await startUpload(6);
    const parts = [await addPart(upload.id, "{}\n"), await addPart(upload.id, "{}\n")];
    const file = UploadSchema.parse(
      (await complete(upload.id, { part_ids: parts.map((p) => p.id) })).body,
    ).file;
    await expireUpload(upload.id);
    await runRetention(createDeps(env), { now: Date.now() });
    expect(await partObjects(upload.id)).toHaveLength(2);

    expect((await call("DELETE", `/v1/files/${file?.id}`)).status).toBe(200);
    expect(await partObjects(upload.id)).toEqual([]);
    await runRetention(createDeps(env), { now: Date.now() });
    expect(await partRows(upload.id)).toBe(0);
    expect(await env.FILES_BUCKET.head(`files/${file?.id}.manifest.json`)).toBeNull();
  });
});
