import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { FilePurpose } from "../../../src/domain/files";
import { newId } from "../../../src/domain/ids";
import { nowSeconds } from "../../../src/domain/time";
import { D1FileStore, type NewFile } from "../../../src/storage/d1/files-store";
import { PROJECT_A, PROJECT_B } from "../../helpers/projects";

const store = new D1FileStore(env.DB);

function newFile(overrides: Partial<NewFile> = {}): NewFile {
  const now = nowSeconds();
  return {
    id: newId("file"),
    projectId: PROJECT_A.id,
    filename: "a.jsonl",
    purpose: "batch",
    bytes: 10,
    createdAt: now,
    expiresAt: now + 3600,
    ...overrides,
  };
}

// ids are time-ordered to the millisecond: a strictly increasing clock keeps the expected order exact
let clock = Date.now();

async function seed(count: number, overrides: Partial<NewFile> = {}): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = newId("file", ++clock);
    await store.insert(newFile({ id, ...overrides }));
    ids.push(id);
  }
  return ids;
}

describe("D1FileStore", () => {
  it("inserts and reads a file within its project only", async () => {
    const file = newFile();
    const result = await store.insert(file);
    expect(result).toEqual({
      inserted: true,
      file: { ...file, status: "processed", r2Key: `files/${file.id}` },
    });
    expect(await store.get(PROJECT_A.id, file.id)).toEqual(result.inserted && result.file);
    expect(await store.get(PROJECT_B.id, file.id)).toBeNull();
  });

  it("hides a file from every read once expires_at has passed", async () => {
    const file = newFile({ expiresAt: 1000 });
    await store.insert(file);
    expect(await store.get(PROJECT_A.id, file.id, 999)).not.toBeNull();
    expect(await store.get(PROJECT_A.id, file.id, 1000)).toBeNull();
    expect(
      (await store.list(PROJECT_A.id, { limit: 100, order: "desc", now: 1000 })).map((f) => f.id),
    ).not.toContain(file.id);
    expect(await store.delete(PROJECT_A.id, file.id, 1000)).toBeNull();
    expect(await store.delete(PROJECT_A.id, file.id, 999)).toBe("removed");
  });

  it("lists by id in both orders, after a cursor, by purpose, with one extra row", async () => {
    const project = PROJECT_B.id;
    const ids = await seed(4, { projectId: project });
    const other = await seed(1, { projectId: project, purpose: "user_data" });
    const desc = await store.list(project, { limit: 2, order: "desc", purpose: "batch" as FilePurpose });
    expect(desc.map((f) => f.id)).toEqual([ids[3], ids[2], ids[1]]);
    const asc = await store.list(project, { limit: 10, order: "asc", after: ids[1], purpose: "batch" });
    expect(asc.map((f) => f.id)).toEqual([ids[2], ids[3]]);
    const all = await store.list(project, { limit: 10, order: "desc", after: other[0] });
    expect(all.map((f) => f.id)).toEqual([...ids].reverse());
  });

  it("deletes only within the project", async () => {
    const file = newFile();
    await store.insert(file);
    expect(await store.delete(PROJECT_B.id, file.id)).toBeNull();
    expect(await store.delete(PROJECT_A.id, file.id)).toBe("removed");
    expect(await store.delete(PROJECT_A.id, file.id)).toBeNull();
  });

  it("registers a generated file and returns its record", async () => {
    const file = newFile({ purpose: "batch_output", filename: "batch_x_output.jsonl" });
    const record = await store.registerGenerated(file);
    expect(record).toMatchObject({ id: file.id, purpose: "batch_output", r2Key: `files/${file.id}` });
  });

  describe("idempotency keys", () => {
    it("lets the first claim win and reports it to the second, which leaves no row", async () => {
      const key = crypto.randomUUID();
      const first = newFile();
      const second = newFile();
      expect(await store.insert(first, { key, requestHash: "h1" })).toMatchObject({ inserted: true });
      expect(await store.insert(second, { key, requestHash: "h2" })).toEqual({
        inserted: false,
        existingId: first.id,
      });
      expect(await store.get(PROJECT_A.id, second.id)).toBeNull();
      expect((await store.findByIdempotencyKey(PROJECT_A.id, key))?.id).toBe(first.id);
      expect(await store.findByIdempotencyKey(PROJECT_B.id, key)).toBeNull();
    });

    it("forgets a key whose file was deleted or has expired", async () => {
      for (const end of ["deleted", "expired"] as const) {
        const key = crypto.randomUUID();
        const first = newFile(end === "expired" ? { expiresAt: nowSeconds() - 1 } : {});
        await store.insert(first, { key, requestHash: "h" });
        if (end === "deleted") {
          await store.delete(PROJECT_A.id, first.id);
        }
        expect(await store.findByIdempotencyKey(PROJECT_A.id, key)).toBeNull();
        const second = newFile();
        expect(await store.insert(second, { key, requestHash: "h" }), end).toMatchObject({ inserted: true });
      }
    });
  });
});
