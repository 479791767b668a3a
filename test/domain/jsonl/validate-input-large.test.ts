import { describe, expect, it } from "vitest";
import { splitChunk } from "../../../src/domain/jsonl/chunk-planner";
import { validateInput } from "../../../src/domain/jsonl/validate-input";
import { parseRequestLine } from "../../../src/domain/jsonl/validate-line";
import { chatLine, encode, FakeCatalogue, LLAMA, streamOf } from "./helpers";

const MIB = 1024 * 1024;

/**
 * About 20 MB: a BOM, ~9,000 requests of varied sizes with mixed LF/CRLF endings, blank lines
 * between them, and two multi-MB requests; no trailing newline.
 */
function generateFile(): { bytes: Uint8Array; expected: { line: number; customId: string }[] } {
  const parts = ["\uFEFF"];
  const expected: { line: number; customId: string }[] = [];
  let line = 1;
  for (let i = 0; i < 9000; i++) {
    if (i % 97 === 5) {
      parts.push(i % 2 ? "  \n" : "\r\n");
      line += 1;
    }
    const size = i === 10 ? 3 * MIB : i === 4321 ? 5 * MIB : 40 + ((i * 7919) % 2500);
    const customId = `req-${i}-${"é".repeat(i % 5)}`;
    const body = { model: LLAMA, messages: [{ role: "user", content: "x".repeat(size) }] };
    parts.push(chatLine(customId, { body }) + (i === 8999 ? "" : i % 3 ? "\n" : "\r\n"));
    expected.push({ line, customId });
    line += 1;
  }
  return { bytes: encode(parts.join("")), expected };
}

describe("validateInput on a large file", () => {
  it("plans chunks whose range reads give back every request, in order, with its line", async () => {
    const { bytes, expected } = generateFile();
    expect(bytes.byteLength).toBeGreaterThan(19 * MIB);

    const result = await validateInput(streamOf(bytes, [7919, 1, 65521, 3, 262144]), {
      endpoint: "/v1/chat/completions",
      catalogue: new FakeCatalogue(),
    });
    if (!result.ok) {
      expect.fail(JSON.stringify(result.errors.slice(0, 3)));
    }
    expect(result.total).toBe(expected.length);

    expect(result.chunks[0]?.byteStart).toBe(3);
    let next = 0;
    let previousEnd = -1;
    for (const chunk of result.chunks) {
      expect(chunk.firstRequest).toBe(next);
      expect(chunk.byteStart).toBeGreaterThan(previousEnd);
      expect(chunk.requestCount).toBeLessThanOrEqual(64);
      if (chunk.requestCount > 1) {
        expect(chunk.byteEnd - chunk.byteStart).toBeLessThanOrEqual(MIB);
      }
      for (const request of splitChunk(bytes.slice(chunk.byteStart, chunk.byteEnd), chunk)) {
        expect(request.requestIndex).toBe(next);
        expect({ line: request.line, customId: parseRequestLine(request.text).customId }).toEqual(
          expected[next],
        );
        next += 1;
      }
      previousEnd = chunk.byteEnd;
    }
    expect(next).toBe(expected.length);
    expect(previousEnd).toBe(bytes.byteLength);
    const big = result.chunks.filter((chunk) => chunk.byteEnd - chunk.byteStart > MIB);
    expect(big.map((chunk) => [chunk.firstRequest, chunk.requestCount])).toEqual([
      [10, 1],
      [4321, 1],
    ]);
  });
});
