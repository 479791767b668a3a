import { describe, expect, it } from "vitest";
import { type FileList, FileListSchema } from "../../../src/schemas/file";
import { call } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { expectError, insertExpiredFile, uploadFile } from "../../helpers/files";
import { PROJECT_B } from "../../helpers/projects";

async function list(query: string, key?: string): Promise<FileList> {
  const res = await call("GET", `/v1/files${query}`, { key });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return FileListSchema.parse(res.body);
}

/** Every page of a listing, following `after=<last id>` the way the SDKs do. */
async function listAll(query: string, key?: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let pages = 0;
  let after = "";
  for (;;) {
    const page = await list(`${query}${after ? `&after=${after}` : ""}`, key);
    pages++;
    ids.push(...page.data.map((file) => file.id));
    expect(page.first_id).toBe(page.data[0]?.id ?? null);
    expect(page.last_id).toBe(page.data.at(-1)?.id ?? null);
    if (!page.has_more) {
      return { ids, pages };
    }
    after = page.last_id ?? "";
  }
}

describe("GET /v1/files", () => {
  it("lists the project's files newest first, in pages that always say has_more", async () => {
    const mine: string[] = [];
    for (let i = 0; i < 5; i++) {
      mine.push((await uploadFile({ key: PROJECT_B.key })).id);
    }
    // ids are ULIDs, so id order is creation order (to the millisecond)
    const oldestFirst = [...mine].sort();
    const { ids, pages } = await listAll("?limit=2", PROJECT_B.key);
    expect(ids).toEqual([...oldestFirst].reverse());
    expect(pages).toBe(3);
    expect((await listAll("?limit=2&order=asc", PROJECT_B.key)).ids).toEqual(oldestFirst);
  });

  it("returns everything in one page by default, with the list envelope", async () => {
    const file = await uploadFile();
    const page = await list("");
    expect(page).toMatchObject({ object: "list", has_more: false });
    expect(page.data.map((f) => f.id)).toContain(file.id);
    expect(page.data.find((f) => f.id === file.id)).toEqual(file);
  });

  it("filters by purpose", async () => {
    const batch = await uploadFile({ purpose: "batch" });
    const userData = await uploadFile({ purpose: "user_data", filename: "u.bin" });
    const page = await list("?purpose=user_data");
    expect(page.data.every((f) => f.purpose === "user_data")).toBe(true);
    expect(page.data.map((f) => f.id)).toContain(userData.id);
    expect(page.data.map((f) => f.id)).not.toContain(batch.id);
  });

  it("never lists another project's files or expired files", async () => {
    const theirs = await uploadFile({ key: PROJECT_B.key });
    const expired = await insertExpiredFile();
    const { ids } = await listAll("?limit=100");
    expect(ids).not.toContain(theirs.id);
    expect(ids).not.toContain(expired);
  });

  it("answers an empty list with null cursors for a cursor past the end", async () => {
    const page = await list("?after=file-00000000000000000000000000");
    expect(page).toEqual({ object: "list", data: [], first_id: null, last_id: null, has_more: false });
  });

  it.each([
    ["limit=0", "limit"],
    ["limit=10001", "limit"],
    ["limit=abc", "limit"],
    ["limit=1.5", "limit"],
    ["order=sideways", "order"],
    ["purpose=nonsense", "purpose"],
  ])("answers 400 for %s", async (query, param) => {
    const res = await call("GET", `/v1/files?${query}`);
    expectError(res, 400, { param });
  });

  describeAuthCases((key) => call("GET", "/v1/files", { key }));
});
