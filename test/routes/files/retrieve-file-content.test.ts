import { describe, expect, it } from "vitest";
import { call } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { BATCH_LINE, expectError, insertExpiredFile, uploadFile } from "../../helpers/files";
import { PROJECT_B } from "../../helpers/projects";

const CONTENT = `${BATCH_LINE}\n${BATCH_LINE.replace("r1", "r2")}\n`;
const SIZE = new TextEncoder().encode(CONTENT).length;

describe("GET /v1/files/{file_id}/content", () => {
  it("streams the bytes, ignoring the SDKs' Accept: application/binary", async () => {
    const file = await uploadFile({ content: CONTENT, filename: "in.jsonl" });
    const res = await call<string>("GET", `/v1/files/${file.id}/content`, {
      headers: { accept: "application/binary" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toBe(CONTENT);
    expect(res.headers.get("content-length")).toBe(String(SIZE));
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(res.headers.get("content-disposition")).toContain('filename="in.jsonl"');
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
  });

  it("keeps a non-ASCII filename in the Content-Disposition header", async () => {
    const file = await uploadFile({ filename: "données-été.jsonl" });
    const res = await call("GET", `/v1/files/${file.id}/content`);
    expect(res.headers.get("content-disposition")).toContain(
      "filename*=UTF-8''donn%C3%A9es-%C3%A9t%C3%A9.jsonl",
    );
  });

  it.each([
    ["bytes=0-9", 0, 9],
    ["bytes=10-", 10, SIZE - 1],
    ["bytes=-5", SIZE - 5, SIZE - 1],
    [`bytes=5-${SIZE + 100}`, 5, SIZE - 1],
  ])("answers Range %s with 206 and Content-Range", async (range, first, last) => {
    const file = await uploadFile({ content: CONTENT });
    const res = await call<string>("GET", `/v1/files/${file.id}/content`, { headers: { range } });
    expect(res.status).toBe(206);
    expect(res.body).toBe(new TextDecoder().decode(new TextEncoder().encode(CONTENT).slice(first, last + 1)));
    expect(res.headers.get("content-range")).toBe(`bytes ${first}-${last}/${SIZE}`);
    expect(res.headers.get("content-length")).toBe(String(last - first + 1));
  });

  it.each(["bytes=0-1,4-5", "items=0-1", "bytes=9-2", "garbage"])(
    "ignores Range %s and sends it all",
    async (range) => {
      const file = await uploadFile({ content: CONTENT });
      const res = await call<string>("GET", `/v1/files/${file.id}/content`, { headers: { range } });
      expect(res.status).toBe(200);
      expect(res.body).toBe(CONTENT);
    },
  );

  it.each([`bytes=${SIZE}-`, "bytes=-0"])("answers 416 for the unsatisfiable Range %s", async (range) => {
    const file = await uploadFile({ content: CONTENT });
    const res = await call("GET", `/v1/files/${file.id}/content`, { headers: { range } });
    expectError(res, 416, { param: "Range", code: null });
    expect(res.headers.get("content-range")).toBe(`bytes */${SIZE}`);
  });

  it.each([
    ["an unknown file id", "file-01J0000000000000000000000Z"],
    ["an id that is not a file id", "nope"],
  ])("answers 404 for %s", async (_label, id) => {
    expectError(await call("GET", `/v1/files/${id}/content`), 404, {
      message: `No such File object: ${id}`,
      param: "id",
      code: null,
    });
  });

  it("answers 404 for another project's file", async () => {
    const theirs = await uploadFile({ key: PROJECT_B.key });
    expectError(await call("GET", `/v1/files/${theirs.id}/content`), 404, {
      message: `No such File object: ${theirs.id}`,
    });
  });

  it("answers 404 for a file past its expires_at", async () => {
    const id = await insertExpiredFile();
    expectError(await call("GET", `/v1/files/${id}/content`), 404, { message: `No such File object: ${id}` });
  });

  describeAuthCases((key) => call("GET", "/v1/files/file-01J0000000000000000000000Z/content", { key }));
});
