import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { FileDeletedSchema } from "../../../src/schemas/file";
import { call } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { expectError, insertExpiredFile, uploadFile } from "../../helpers/files";
import { PROJECT_B } from "../../helpers/projects";

describe("DELETE /v1/files/{file_id}", () => {
  it("deletes the row and the bytes, then answers 404 for the file", async () => {
    const file = await uploadFile();
    expect(await env.FILES_BUCKET.head(`files/${file.id}`)).not.toBeNull();
    const res = await call("DELETE", `/v1/files/${file.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    expect(FileDeletedSchema.parse(res.body)).toEqual({ id: file.id, object: "file", deleted: true });
    expect(await env.FILES_BUCKET.head(`files/${file.id}`)).toBeNull();
    const row = await env.DB.prepare("SELECT id FROM files WHERE id = ?1").bind(file.id).first();
    expect(row).toBeNull();
    for (const [method, path] of [
      ["GET", `/v1/files/${file.id}`],
      ["GET", `/v1/files/${file.id}/content`],
      ["DELETE", `/v1/files/${file.id}`],
    ] as const) {
      expectError(await call(method, path), 404, { message: `No such File object: ${file.id}`, param: "id" });
    }
  });

  it.each([
    ["an unknown file id", "file-01J0000000000000000000000Z"],
    ["an id that is not a file id", "not-a-file"],
  ])("answers 404 for %s", async (_label, id) => {
    expectError(await call("DELETE", `/v1/files/${id}`), 404, {
      message: `No such File object: ${id}`,
      param: "id",
    });
  });

  it("answers 404 for another project's file and leaves it in place", async () => {
    const theirs = await uploadFile({ key: PROJECT_B.key });
    expectError(await call("DELETE", `/v1/files/${theirs.id}`), 404, {
      message: `No such File object: ${theirs.id}`,
      param: "id",
      code: null,
    });
    expect((await call("GET", `/v1/files/${theirs.id}`, { key: PROJECT_B.key })).status).toBe(200);
    expect(await env.FILES_BUCKET.head(`files/${theirs.id}`)).not.toBeNull();
  });

  it("answers 404 for a file past its expires_at", async () => {
    const id = await insertExpiredFile();
    expectError(await call("DELETE", `/v1/files/${id}`), 404, { message: `No such File object: ${id}` });
  });

  describeAuthCases((key) => call("DELETE", "/v1/files/file-01J0000000000000000000000Z", { key }));
});
