import { describe, expect, it } from "vitest";
import {
  type ChunkBounds,
  ChunkMismatchError,
  type ChunkPlan,
  ChunkPlanner,
  DEFAULT_CHUNK_BOUNDS,
  splitChunk,
} from "../../../src/domain/jsonl/chunk-planner";
import { collectLines, encode, streamOf } from "./helpers";

async function plan(bytes: Uint8Array, bounds: Partial<ChunkBounds> = {}): Promise<ChunkPlan[]> {
  const planner = new ChunkPlanner(bounds);
  for (const line of await collectLines(streamOf(bytes))) {
    planner.add(line);
  }
  return planner.finish();
}

/** Lines of exactly `size` bytes each (before the newline), numbered in their text. */
function fixedLines(count: number, size: number, eol = "\n"): Uint8Array {
  const lines = Array.from({ length: count }, (_, i) => `{"n":${String(i).padStart(4, "0")},"p":"`);
  return encode(lines.map((head) => `${head.padEnd(size - 2, "x")}"}${eol}`).join(""));
}

describe("ChunkPlanner", () => {
  it("defaults to 64 requests or 1 MiB per chunk", () => {
    expect(DEFAULT_CHUNK_BOUNDS).toEqual({ maxRequests: 64, maxBytes: 1024 * 1024 });
  });

  it("cuts after maxRequests requests", async () => {
    const chunks = await plan(fixedLines(10, 20), { maxRequests: 3 });
    expect(chunks).toEqual([
      { index: 0, byteStart: 0, byteEnd: 62, firstLine: 1, firstRequest: 0, requestCount: 3 },
      { index: 1, byteStart: 63, byteEnd: 125, firstLine: 4, firstRequest: 3, requestCount: 3 },
      { index: 2, byteStart: 126, byteEnd: 188, firstLine: 7, firstRequest: 6, requestCount: 3 },
      { index: 3, byteStart: 189, byteEnd: 209, firstLine: 10, firstRequest: 9, requestCount: 1 },
    ]);
  });

  it("cuts before a request that would pass maxBytes", async () => {
    // 100-byte lines: two fit in 250 bytes (0..201), a third would end at 302.
    const chunks = await plan(fixedLines(5, 100), { maxBytes: 250 });
    expect(chunks.map((c) => [c.byteStart, c.byteEnd, c.requestCount])).toEqual([
      [0, 201, 2],
      [202, 403, 2],
      [404, 504, 1],
    ]);
  });

  it("gives a request larger than maxBytes a chunk of its own", async () => {
    const bytes = encode(`{"a":1}\n{"big":"${"b".repeat(500)}"}\n{"c":3}\n{"d":4}\n`);
    const chunks = await plan(bytes, { maxBytes: 100 });
    expect(chunks.map((c) => [c.firstLine, c.requestCount, c.byteEnd - c.byteStart])).toEqual([
      [1, 1, 7],
      [2, 1, 510],
      [3, 2, 15],
    ]);
  });

  it("keeps blank lines inside a chunk's range but not between chunks", async () => {
    const bytes = encode('{"a":1}\n\n{"b":2}\n\n\n{"c":3}\n');
    const chunks = await plan(bytes, { maxRequests: 2 });
    expect(chunks).toEqual([
      { index: 0, byteStart: 0, byteEnd: 16, firstLine: 1, firstRequest: 0, requestCount: 2 },
      { index: 1, byteStart: 19, byteEnd: 26, firstLine: 6, firstRequest: 2, requestCount: 1 },
    ]);
  });

  it.each([{ maxRequests: 0 }, { maxBytes: 0 }])("rejects bounds %j", (bounds) => {
    expect(() => new ChunkPlanner(bounds)).toThrow(RangeError);
  });
});

describe("splitChunk", () => {
  const file = encode('\uFEFF{"a":1}\r\n\r\n  \n{"b":2}\r\n{"c":3}\n\n{"d":4}');

  it("re-splits every chunk into the requests validation saw, with lines and positions", async () => {
    for (const maxRequests of [1, 2, 3, 4]) {
      const chunks = await plan(file, { maxRequests });
      const requests = chunks.flatMap((chunk) =>
        splitChunk(file.slice(chunk.byteStart, chunk.byteEnd), chunk),
      );
      expect(requests).toEqual([
        { line: 1, requestIndex: 0, text: '{"a":1}' },
        { line: 4, requestIndex: 1, text: '{"b":2}' },
        { line: 5, requestIndex: 2, text: '{"c":3}' },
        { line: 7, requestIndex: 3, text: '{"d":4}' },
      ]);
    }
  });

  it("throws ChunkMismatchError when the bytes are not the planned range", async () => {
    const chunk = (await plan(file, { maxRequests: 2 }))[0]!;
    const bytes = file.slice(chunk.byteStart, chunk.byteEnd);
    expect(() => splitChunk(file.slice(chunk.byteStart, chunk.byteEnd + 1), chunk)).toThrow(
      ChunkMismatchError,
    );
    expect(() => splitChunk(bytes, { ...chunk, requestCount: 3 })).toThrow(ChunkMismatchError);
    const one = { index: 0, byteStart: 0, byteEnd: 5, firstLine: 1, firstRequest: 0, requestCount: 1 };
    expect(() => splitChunk(encode("{}\n{}"), one)).toThrow(ChunkMismatchError);
    expect(() => splitChunk(encode("\n{}  "), one)).toThrow(ChunkMismatchError);
    expect(() => splitChunk(new Uint8Array([0x22, 0xff, 0x22, 0x20, 0x20]), one)).toThrow(ChunkMismatchError);
    expect(splitChunk(encode("{}\n  "), one)).toEqual([{ line: 1, requestIndex: 0, text: "{}" }]);
  });
});
