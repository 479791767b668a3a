import { describe, expect, it } from "vitest";
import { concatBytes } from "../../src/domain/bytes";
import {
  boundaryFromContentType,
  DEFAULT_MULTIPART_LIMITS,
  MultipartError,
  type MultipartLimits,
  type MultipartPart,
  parseMultipart,
} from "../../src/http/multipart-parser";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const B = "frontier";

type Parsed = { part: MultipartPart; body: string; streamed: boolean };

/** The body in chunks of the given sizes (the last size repeats). */
function streamOf(bytes: Uint8Array, sizes: number[]): ReadableStream<Uint8Array> {
  let offset = 0;
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      const size = sizes[Math.min(i++, sizes.length - 1)] ?? 1;
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

/** Parses, streaming parts that have a filename and collecting the others as fields. */
async function parse(
  body: string | Uint8Array,
  sizes: number[] = [1 << 20],
  limits: MultipartLimits = DEFAULT_MULTIPART_LIMITS,
): Promise<Parsed[]> {
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  const parsed: Parsed[] = [];
  await parseMultipart(
    streamOf(bytes, sizes),
    B,
    {
      onPart(part) {
        if (part.filename === null) {
          return null;
        }
        const chunks: Uint8Array[] = [];
        return {
          write: (chunk) => {
            chunks.push(chunk.slice());
          },
          end: () => {
            parsed.push({ part, body: decoder.decode(concatBytes(chunks)), streamed: true });
          },
        };
      },
      onField(name, value) {
        parsed.push({ part: { name, filename: null, contentType: null }, body: value, streamed: false });
      },
    },
    limits,
  );
  return parsed;
}

const FILE_BODY = `{"a":1}\r\n--${B}x not a delimiter\r\n--${B}\tno\r\n\r\r\n-${B}\n`;
const BODY = [
  `--${B}\r\n`,
  `Content-Disposition: form-data; name="file"; filename="a.jsonl"\r\nContent-Type: application/x-ndjson\r\n\r\n`,
  FILE_BODY,
  `\r\n--${B}\r\n`,
  `Content-Disposition: form-data; name="purpose"\r\n\r\nbatch`,
  `\r\n--${B}--\r\nepilogue`,
].join("");

describe("parseMultipart", () => {
  it("streams a file part and collects a field", async () => {
    expect(await parse(BODY)).toEqual([
      {
        part: { name: "file", filename: "a.jsonl", contentType: "application/x-ndjson" },
        body: FILE_BODY,
        streamed: true,
      },
      { part: { name: "purpose", filename: null, contentType: null }, body: "batch", streamed: false },
    ]);
  });

  it("gives the same result whatever the chunk boundaries", async () => {
    const expected = await parse(BODY);
    for (const size of [1, 2, 3, 5, 7, 11, 13, 17, 64]) {
      expect(await parse(BODY, [size]), `chunks of ${size}`).toEqual(expected);
    }
    for (let split = 1; split < BODY.length; split++) {
      expect(await parse(BODY, [split, BODY.length]), `split at ${split}`).toEqual(expected);
    }
  });

  it("keeps binary content intact, including CR, LF and dashes at chunk edges", async () => {
    const content = Uint8Array.from({ length: 4096 }, (_, i) => [13, 10, 45, 0, 255][i % 5] ?? 0);
    const head = encoder.encode(
      `--${B}\r\nContent-Disposition: form-data; name="f"; filename="x.bin"\r\n\r\n`,
    );
    const tail = encoder.encode(`\r\n--${B}--`);
    const chunks: Uint8Array[] = [];
    await parseMultipart(streamOf(concatBytes([head, content, tail]), [333]), B, {
      onPart: () => ({ write: (chunk) => void chunks.push(chunk.slice()) }),
    });
    expect(concatBytes(chunks)).toEqual(content);
  });

  it("reads empty parts, a preamble, transport padding and no trailing CRLF", async () => {
    const body = `ignored preamble\r\n--${B}  \r\nContent-Disposition: form-data; name="empty"\r\n\r\n\r\n--${B}\r\nContent-Disposition: form-data; name="f"; filename=""\r\n\r\n\r\n--${B}--`;
    expect(await parse(body)).toEqual([
      { part: { name: "empty", filename: null, contentType: null }, body: "", streamed: false },
      { part: { name: "f", filename: "", contentType: null }, body: "", streamed: true },
    ]);
  });

  it.each([
    ['name="file"; filename="a;b \\"c\\".jsonl"', "file", 'a;b "c".jsonl'],
    ["name=file; filename=plain.jsonl", "file", "plain.jsonl"],
    ['name="f"; filename="x.jsonl"; filename*=UTF-8\'\'%C3%A9t%C3%A9.jsonl', "f", "été.jsonl"],
    ['name="f"; filename="C:\\Users\\me\\a.jsonl"', "f", "a.jsonl"],
    ['name="f"; filename="/tmp/dir/a.jsonl"', "f", "a.jsonl"],
    ['NAME="f"; FILENAME="UPPER.JSONL"', "f", "UPPER.JSONL"],
  ])("reads Content-Disposition form-data; %s", async (params, name, filename) => {
    const body = `--${B}\r\ncontent-disposition: form-data; ${params}\r\n\r\nx\r\n--${B}--\r\n`;
    const [first] = await parse(body);
    expect(first?.part).toMatchObject({ name, filename });
  });

  it("waits for the sink before reading on (backpressure)", async () => {
    const events: string[] = [];
    const body = encoder.encode(BODY);
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        events.push("read");
        controller.enqueue(body.slice(offset, offset + 40));
        offset += 40;
        if (offset >= body.length) {
          controller.close();
        }
      },
    });
    await parseMultipart(stream, B, {
      onPart: () => ({
        write: async () => {
          events.push("write-start");
          await new Promise<void>((resolve) => queueMicrotask(resolve));
          events.push("write-end");
        },
      }),
    });
    const writes = events.filter((e) => e !== "read");
    for (let i = 0; i < writes.length; i += 2) {
      expect(writes.slice(i, i + 2)).toEqual(["write-start", "write-end"]);
    }
  });

  it.each([
    ["a truncated body", BODY.slice(0, BODY.indexOf("batch")), /truncated/],
    ["a missing closing boundary", BODY.slice(0, BODY.lastIndexOf(`--${B}--`)), /truncated/],
    ["a body cut inside a delimiter", BODY.slice(0, BODY.lastIndexOf(`--${B}--`) + 4), /truncated/],
    ["no boundary at all", "just some text", /does not contain the multipart boundary/],
    ["an empty body", "", /does not contain the multipart boundary/],
    ["a part with no headers", `--${B}\r\n\r\nx\r\n--${B}--`, /no Content-Disposition/],
    [
      "a disposition that is not form-data",
      `--${B}\r\nContent-Disposition: attachment; name="a"\r\n\r\nx\r\n--${B}--`,
      /no Content-Disposition/,
    ],
    [
      "oversized part headers",
      `--${B}\r\nX-Pad: ${"p".repeat(20_000)}\r\n\r\nx\r\n--${B}--`,
      /headers .* too large/,
    ],
    ["endless part headers", `--${B}\r\nX-Pad: ${"p".repeat(20_000)}`, /headers .* too large/],
    ["a long preamble", `${"p".repeat(20_000)}\r\n--${B}--`, /does not contain the multipart boundary/],
  ])("rejects %s with a MultipartError", async (_label, body, message) => {
    for (const sizes of [[1 << 20], [3]]) {
      const result = parse(body, sizes);
      await expect(result).rejects.toThrow(MultipartError);
      await expect(result).rejects.toThrow(message);
    }
  });

  it("caps text fields and the number of parts", async () => {
    const limits = { maxHeaderBytes: 1024, maxFieldBytes: 4, maxParts: 2 };
    const field = (value: string) => `--${B}\r\nContent-Disposition: form-data; name="f"\r\n\r\n${value}\r\n`;
    await expect(parse(`${field("12345")}--${B}--`, [2], limits)).rejects.toThrow(
      "The form field 'f' is too long.",
    );
    await expect(parse(`${field("1234")}--${B}--`, [2], limits)).resolves.toHaveLength(1);
    await expect(parse(`${field("1")}${field("2")}${field("3")}--${B}--`, [2], limits)).rejects.toThrow(
      "A multipart body may have at most 2 parts.",
    );
  });

  it("rejects a missing body", async () => {
    await expect(parseMultipart(null, B, { onPart: () => null })).rejects.toThrow("The request has no body.");
  });

  it("passes a sink's error through and leaves the rest of the body to the caller", async () => {
    const stream = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(encoder.encode(BODY)),
    });
    const failing = parseMultipart(stream, B, {
      onPart: () => ({
        write: () => {
          throw new Error("disk full");
        },
      }),
    });
    await expect(failing).rejects.toThrow("disk full");
    expect(stream.locked).toBe(false);
  });
});

describe("boundaryFromContentType", () => {
  it.each([
    ["multipart/form-data; boundary=abc", "abc"],
    ['Multipart/Form-Data; charset=utf-8; boundary="a b:c"', "a b:c"],
    [
      "multipart/form-data;boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
      "----WebKitFormBoundary7MA4YWxkTrZu0gW",
    ],
    ["multipart/form-data; boundary=openai-123", "openai-123"],
  ])("reads %s", (header, boundary) => {
    expect(boundaryFromContentType(header)).toBe(boundary);
  });

  it.each([
    [undefined, /expected multipart\/form-data/],
    ["application/json", /expected multipart\/form-data/],
    ["multipart/mixed; boundary=a", /expected multipart\/form-data/],
    ["multipart/form-data", /needs a boundary/],
    ["multipart/form-data; boundary=", /needs a boundary/],
    [`multipart/form-data; boundary=${"b".repeat(71)}`, /needs a boundary/],
  ])("rejects %s", (header, message) => {
    expect(() => boundaryFromContentType(header)).toThrow(message);
  });
});
