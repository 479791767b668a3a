import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { R2FileContentStore } from "../../../src/storage/r2/file-contents";
import { segmentsOf } from "../../../src/storage/r2/part-reader";

const parts = [
  { key: "a", bytes: 10 },
  { key: "empty", bytes: 0 },
  { key: "b", bytes: 5 },
  { key: "c", bytes: 20 },
];

describe("segmentsOf", () => {
  it("reads whole parts without a range, skipping empty ones", () => {
    expect(segmentsOf(parts)).toEqual([
      { key: "a", range: null },
      { key: "b", range: null },
      { key: "c", range: null },
    ]);
  });

  it("maps a range that spans parts onto a range of each", () => {
    expect(segmentsOf(parts, { offset: 8, length: 10 })).toEqual([
      { key: "a", range: { offset: 8, length: 2 } },
      { key: "b", range: null },
      { key: "c", range: { offset: 0, length: 3 } },
    ]);
    expect(segmentsOf(parts, { offset: 15, length: 100 })).toEqual([{ key: "c", range: null }]);
    expect(segmentsOf(parts, { offset: 35, length: 1 })).toEqual([]);
  });
});

describe("a file made of parts", () => {
  it("reads like one object, whole or by range, and is deleted with its parts", async () => {
    const store = new R2FileContentStore(env.FILES_BUCKET);
    await env.FILES_BUCKET.put("uploads/t/p1", "hello ");
    await env.FILES_BUCKET.put("uploads/t/p2", "");
    await env.FILES_BUCKET.put("uploads/t/p3", "world");
    const fileId = "file-part-reader-test";
    await store.writeManifest(fileId, [
      { key: "uploads/t/p1", bytes: 6 },
      { key: "uploads/t/p2", bytes: 0 },
      { key: "uploads/t/p3", bytes: 5 },
    ]);
    const whole = await store.read(fileId);
    expect(whole?.size).toBe(11);
    expect(await new Response(whole?.body).text()).toBe("hello world");
    const ranged = await store.read(fileId, { offset: 4, length: 4 });
    expect(await new Response(ranged?.body).text()).toBe("o wo");

    await store.delete(fileId);
    expect(await store.read(fileId)).toBeNull();
    const left = await env.FILES_BUCKET.list({ prefix: "uploads/t/" });
    expect(left.objects).toEqual([]);
  });

  it("ends the stream with an error when a part is missing", async () => {
    const store = new R2FileContentStore(env.FILES_BUCKET);
    await store.writeManifest("file-missing-part", [{ key: "uploads/gone/p", bytes: 3 }]);
    const content = await store.read("file-missing-part");
    await expect(new Response(content?.body).text()).rejects.toThrow();
  });
});
