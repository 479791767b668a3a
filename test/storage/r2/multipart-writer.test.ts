import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  DEFAULT_PART_SIZE,
  MIN_PART_SIZE,
  PartBufferPool,
  R2MultipartWriter,
} from "../../../src/storage/r2/multipart-writer";

const MIB = 1024 * 1024;

/** Deterministic bytes, so a round trip proves order as well as length. */
function pattern(length: number, seed = 7): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    bytes[i] = (i * 31 + seed + (i >> 16)) & 0xff;
  }
  return bytes;
}

async function writeInChunks(writer: R2MultipartWriter, bytes: Uint8Array, chunk: number): Promise<void> {
  for (let offset = 0; offset < bytes.length; offset += chunk) {
    await writer.write(bytes.subarray(offset, offset + chunk));
  }
}

// digests, not the bytes: deep equality on many MiB of typed array exhausts the test isolate's heap
async function digest(bytes: Uint8Array | ArrayBuffer): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))]
    .map((b) => b.toString(16))
    .join("");
}

async function stored(key: string): Promise<string | null> {
  const object = await env.FILES_BUCKET.get(key);
  return object ? digest(await object.arrayBuffer()) : null;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("R2MultipartWriter", () => {
  it("uploads 12 MiB as two parts and the bytes round-trip", async () => {
    const key = `test/${crypto.randomUUID()}`;
    const bytes = pattern(12 * MIB);
    const writer = new R2MultipartWriter(env.FILES_BUCKET, key);
    await writeInChunks(writer, bytes, 64 * 1024 + 3);
    expect(writer.bytesWritten).toBe(bytes.length);
    expect(await stored(key)).toBeNull();
    expect(await writer.close()).toEqual({ bytes: 12 * MIB, parts: 2 });
    expect(await stored(key)).toBe(await digest(bytes));
  });

  it.each([
    ["one byte short of a part", DEFAULT_PART_SIZE - 1, 1],
    ["exactly one part", DEFAULT_PART_SIZE, 1],
    ["one byte over a part", DEFAULT_PART_SIZE + 1, 2],
    ["exactly two parts", 2 * DEFAULT_PART_SIZE, 2],
    ["a little over two parts, in one write", 2 * DEFAULT_PART_SIZE + 5, 3],
  ])("stores %s with %i R2 part(s)", async (_label, length, parts) => {
    const key = `test/${crypto.randomUUID()}`;
    const put = vi.spyOn(env.FILES_BUCKET, "put");
    const bytes = pattern(length, length);
    const writer = new R2MultipartWriter(env.FILES_BUCKET, key);
    await writeInChunks(writer, bytes, length > 2 * DEFAULT_PART_SIZE ? length : 1 * MIB);
    expect(await writer.close()).toEqual({ bytes: length, parts });
    expect(put).toHaveBeenCalledTimes(parts === 1 ? 1 : 0);
    expect(await stored(key)).toBe(await digest(bytes));
  });

  it("stores an empty object with a single put", async () => {
    const key = `test/${crypto.randomUUID()}`;
    const writer = new R2MultipartWriter(env.FILES_BUCKET, key, {
      httpMetadata: { contentType: "application/jsonl" },
    });
    expect(await writer.close()).toEqual({ bytes: 0, parts: 1 });
    const object = await env.FILES_BUCKET.head(key);
    expect(object?.size).toBe(0);
    expect(object?.httpMetadata?.contentType).toBe("application/jsonl");
  });

  it("honours a custom part size", async () => {
    const key = `test/${crypto.randomUUID()}`;
    const bytes = pattern(11 * MIB);
    const writer = new R2MultipartWriter(env.FILES_BUCKET, key, { partSize: MIN_PART_SIZE });
    await writer.write(bytes);
    expect(await writer.close()).toEqual({ bytes: bytes.length, parts: 3 });
    expect(await stored(key)).toBe(await digest(bytes));
  });

  it("aborts the multipart upload, leaving no object", async () => {
    const key = `test/${crypto.randomUUID()}`;
    const created = vi.spyOn(env.FILES_BUCKET, "createMultipartUpload");
    const writer = new R2MultipartWriter(env.FILES_BUCKET, key);
    await writer.write(pattern(DEFAULT_PART_SIZE + 10));
    await writer.abort();
    await writer.abort();
    expect(await stored(key)).toBeNull();
    const upload = await created.mock.results[0]?.value;
    await expect(
      env.FILES_BUCKET.resumeMultipartUpload(key, upload.uploadId).uploadPart(1, "x"),
    ).rejects.toThrow();
    await expect(writer.write(new Uint8Array(1))).rejects.toThrow("already aborted");
  });

  it("surfaces a failed part upload on the next write or close, then aborts cleanly", async () => {
    const key = `test/${crypto.randomUUID()}`;
    const bucket = env.FILES_BUCKET;
    const real = bucket.createMultipartUpload.bind(bucket);
    let aborted = false;
    vi.spyOn(bucket, "createMultipartUpload").mockImplementation(async (k, options) => {
      const upload = await real(k, options);
      return {
        key: upload.key,
        uploadId: upload.uploadId,
        uploadPart: (n: number, value: ArrayBufferView) =>
          n === 2 ? Promise.reject(new Error("R2 unavailable")) : upload.uploadPart(n, value),
        complete: (parts: R2UploadedPart[]) => upload.complete(parts),
        abort: async () => {
          aborted = true;
          await upload.abort();
        },
      } as R2MultipartUpload;
    });
    const writer = new R2MultipartWriter(bucket, key);
    await writer.write(pattern(2 * DEFAULT_PART_SIZE + 1));
    await expect(writer.close()).rejects.toThrow("R2 unavailable");
    await writer.abort();
    expect(aborted).toBe(true);
    expect(await stored(key)).toBeNull();
  });

  it("refuses writes after close, and abort after close keeps the object", async () => {
    const key = `test/${crypto.randomUUID()}`;
    const writer = new R2MultipartWriter(env.FILES_BUCKET, key);
    await writer.write(pattern(10));
    await writer.close();
    await expect(writer.write(pattern(1))).rejects.toThrow("already closed");
    await expect(writer.close()).rejects.toThrow("already closed");
    await writer.abort();
    expect(await stored(key)).toBe(await digest(pattern(10)));
  });

  it("reuses part buffers across writers, and only the bytes written reach the object", async () => {
    const pool = new PartBufferPool(2);
    const write = async (bytes: Uint8Array, chunk: number) => {
      const key = `test/${crypto.randomUUID()}`;
      const writer = new R2MultipartWriter(env.FILES_BUCKET, key, { bufferPool: pool });
      await writeInChunks(writer, bytes, chunk);
      await writer.close();
      expect(await stored(key)).toBe(await digest(bytes));
    };
    // a single put, then two parts of a multipart upload, give their buffers back
    await write(pattern(10, 1), 10);
    expect(pool.idleCount(DEFAULT_PART_SIZE)).toBe(1);
    await write(pattern(12 * MIB, 2), 1 * MIB);
    expect(pool.idleCount(DEFAULT_PART_SIZE)).toBe(2);
    // the reused buffers still hold the 12 MiB past the bytes written now
    await write(pattern(20, 3), 7);
    await write(pattern(DEFAULT_PART_SIZE + 3, 4), 3 * MIB);
    expect(pool.idleCount(DEFAULT_PART_SIZE)).toBe(2);
  });

  it("keeps at most maxIdle buffers, and gets back a part's buffer in flight on abort", async () => {
    const pool = new PartBufferPool(1);
    const closed = new R2MultipartWriter(env.FILES_BUCKET, `test/${crypto.randomUUID()}`, {
      bufferPool: pool,
    });
    await closed.write(pattern(2 * DEFAULT_PART_SIZE + 1));
    await closed.close();
    expect(pool.idleCount(DEFAULT_PART_SIZE)).toBe(1);

    const roomy = new PartBufferPool(4);
    const aborted = new R2MultipartWriter(env.FILES_BUCKET, `test/${crypto.randomUUID()}`, {
      bufferPool: roomy,
    });
    // the first part is in flight once the byte after it arrives
    await aborted.write(pattern(DEFAULT_PART_SIZE + 1));
    await aborted.abort();
    expect(roomy.idleCount(DEFAULT_PART_SIZE)).toBe(2);
  });

  it.each([MIN_PART_SIZE - 1, MIN_PART_SIZE + 0.5, 0])("rejects a part size of %i bytes", (partSize) => {
    expect(() => new R2MultipartWriter(env.FILES_BUCKET, "k", { partSize })).toThrow(RangeError);
  });
});
