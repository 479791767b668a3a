import { describe, expect, it } from "vitest";
import { FileObjectSchema } from "../../../src/schemas/file";
import { call } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { expectError, insertExpiredFile, uploadFile } from "../../helpers/files";
import { PROJECT_B } from "../../helpers/projects";

describe("GET /v1/files/{file_id}", () => {
  it("returns the file object as uploaded", async () => {
    const uploaded = await uploadFile({ filename: "mine.jsonl" });
    const res = await call("GET", `/v1/files/${uploaded.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    expect(FileObjectSchema.parse(res.body)).toEqual(uploaded);
  });

  it.each([
    ["an unknown file id", "file-01J0000000000000000000000Z"],
    ["an id that is not a file id", "batch_abc"],
    ["a URL-encoded oddity", "file-%20x"],
  ])("answers 404 No such File object for %s", async (_label, id) => {
    const res = await call("GET", `/v1/files/${id}`);
    expectError(res, 404, {
      message: `No such File object: ${decodeURIComponent(id)}`,
      param: "id",
      code: null,
    });
  });

  it("answers another project's file exactly like a missing one", async () => {
    const theirs = await uploadFile({ key: PROJECT_B.key });
    const res = await call("GET", `/v1/files/${theirs.id}`);
    expectError(res, 404, { message: `No such File object: ${theirs.id}`, param: "id", code: null });
    expect((await call("GET", `/v1/files/${theirs.id}`, { key: PROJECT_B.key })).status).toBe(200);
  });

  it("answers 404 for a file past its expires_at", async () => {
    const id = await insertExpiredFile();
    expectError(await call("GET", `/v1/files/${id}`), 404, {
      message: `No such File object: ${id}`,
      param: "id",
    });
  });

  describeAuthCases((key) => call("GET", "/v1/files/file-01J0000000000000000000000Z", { key }));
});
