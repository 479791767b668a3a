import { describe, expect, it } from "vitest";
import { isBlank, LineSplitter, type RawLine, readLines } from "../../../src/domain/jsonl/line-reader";
import { collectLines, decode, encode, streamOf } from "./helpers";

const CHUNKINGS = [[1], [2], [3], [1, 7, 2], [5, 64], [65536]];

/** What each yielded range holds in the original bytes must be exactly the yielded text. */
function expectExactRanges(bytes: Uint8Array, lines: RawLine[]): void {
  for (const line of lines) {
    if (line.kind === "text") {
      expect(decode(bytes.subarray(line.start, line.end))).toBe(line.text);
    }
  }
}

const summary = (lines: RawLine[]) =>
  lines.map((l) => ({ line: l.line, start: l.start, end: l.end, text: l.kind === "text" ? l.text : l.kind }));

describe("readLines", () => {
  it.each(CHUNKINGS)("reads LF lines with exact offsets in chunks of %j bytes", async (...sizes) => {
    const bytes = encode('{"a":1}\n{"b":22}\n{"c":333}\n');
    const lines = await collectLines(streamOf(bytes, sizes));
    expect(summary(lines)).toEqual([
      { line: 1, start: 0, end: 7, text: '{"a":1}' },
      { line: 2, start: 8, end: 16, text: '{"b":22}' },
      { line: 3, start: 17, end: 26, text: '{"c":333}' },
    ]);
    expectExactRanges(bytes, lines);
  });

  it.each(CHUNKINGS)("excludes the CR of CRLF from the range in chunks of %j bytes", async (...sizes) => {
    const bytes = encode('{"a":1}\r\n{"b":2}\r\n{"c":3}');
    const lines = await collectLines(streamOf(bytes, sizes));
    expect(summary(lines)).toEqual([
      { line: 1, start: 0, end: 7, text: '{"a":1}' },
      { line: 2, start: 9, end: 16, text: '{"b":2}' },
      { line: 3, start: 18, end: 25, text: '{"c":3}' },
    ]);
  });

  it.each(CHUNKINGS)("skips a UTF-8 BOM but keeps file offsets, in chunks of %j bytes", async (...sizes) => {
    const bytes = encode('\uFEFF{"a":1}\n{"b":2}');
    expect(bytes.subarray(0, 3)).toEqual(new Uint8Array([0xef, 0xbb, 0xbf]));
    const lines = await collectLines(streamOf(bytes, sizes));
    expect(summary(lines)).toEqual([
      { line: 1, start: 3, end: 10, text: '{"a":1}' },
      { line: 2, start: 11, end: 18, text: '{"b":2}' },
    ]);
  });

  it("keeps a U+FEFF that is not at the start of the file, so it stays invalid JSON", async () => {
    const lines = await collectLines(streamOf(encode('{"a":1}\n\uFEFF{"b":2}\n')));
    expect(lines[1]).toMatchObject({ kind: "text", text: '\uFEFF{"b":2}', start: 8, end: 18 });
  });

  it.each(CHUNKINGS)("counts blank lines without yielding them, in chunks of %j bytes", async (...sizes) => {
    const bytes = encode('\n  \n{"a":1}\n\t \r\n\r\n{"b":2}\n\n \n');
    const lines = await collectLines(streamOf(bytes, sizes));
    expect(summary(lines)).toEqual([
      { line: 3, start: 4, end: 11, text: '{"a":1}' },
      { line: 6, start: 18, end: 25, text: '{"b":2}' },
    ]);
    expectExactRanges(bytes, lines);
  });

  it.each([
    ["an empty file", ""],
    ["only a BOM", "\uFEFF"],
    ["only blank lines", "\n \r\n\t\n"],
    ["a BOM and blank lines", "\uFEFF\n\n"],
  ])("yields nothing for %s", async (_label, text) => {
    for (const sizes of CHUNKINGS) {
      expect(await collectLines(streamOf(encode(text), sizes))).toEqual([]);
    }
  });

  it("reads a last line without a newline, and a short file of two bytes", async () => {
    expect(summary(await collectLines(streamOf(encode("{}\n[]"), [1])))).toEqual([
      { line: 1, start: 0, end: 2, text: "{}" },
      { line: 2, start: 3, end: 5, text: "[]" },
    ]);
    expect(summary(await collectLines(streamOf(encode("{}"), [1])))).toEqual([
      { line: 1, start: 0, end: 2, text: "{}" },
    ]);
  });

  it("decodes multi-byte characters split across chunks", async () => {
    const text = '{"t":"héllo 😀 世界"}';
    const bytes = encode(`${text}\n${text}`);
    const lines = await collectLines(streamOf(bytes, [1]));
    expect(lines.map((l) => (l.kind === "text" ? l.text : l.kind))).toEqual([text, text]);
    expectExactRanges(bytes, lines);
  });

  it("reports invalid UTF-8 instead of replacing it", async () => {
    const bytes = new Uint8Array([...encode('{"a":"'), 0xff, 0xfe, ...encode('"}\n{}')]);
    const lines = await collectLines(streamOf(bytes, [3]));
    expect(summary(lines)).toEqual([
      { line: 1, start: 0, end: 10, text: "invalid_utf8" },
      { line: 2, start: 11, end: 13, text: "{}" },
    ]);
  });

  // Each stream read costs a promise, so tiny reads use a smaller line; LineSplitter below takes
  // a multi-MB line one byte at a time without the stream.
  it.each([
    [128, [1]],
    [1024, [7]],
    [3072, [61]],
    [3072, [4096]],
    [3072, [65536]],
    [3072, [1000, 1, 65535, 3]],
  ])("reassembles a %i KiB line read in chunks of %j bytes", async (kib, sizes) => {
    const big = `{"custom_id":"big","pad":"${"x".repeat(kib * 1024)}"}`;
    const bytes = encode(`{"a":1}\r\n${big}\r\n{"b":2}`);
    const lines = await collectLines(streamOf(bytes, sizes));
    expect(lines.map((l) => [l.line, l.start, l.end])).toEqual([
      [1, 0, 7],
      [2, 9, 9 + big.length],
      [3, 11 + big.length, 18 + big.length],
    ]);
    expect(lines[1]?.kind === "text" && lines[1].text === big).toBe(true);
    expectExactRanges(bytes, lines);
  });

  it.each([[1], [3], [100], [65536]])(
    "reports a line over the limit with its exact range and goes on, in chunks of %j",
    async (...sizes) => {
      const bytes = encode(`{"a":1}\n${"y".repeat(5000)}\r\n{"b":2}\n${"z".repeat(1001)}`);
      const lines = await collectLines(streamOf(bytes, sizes), { maxLineBytes: 1000 });
      expect(summary(lines)).toEqual([
        { line: 1, start: 0, end: 7, text: '{"a":1}' },
        { line: 2, start: 8, end: 5008, text: "too_large" },
        { line: 3, start: 5010, end: 5017, text: '{"b":2}' },
        { line: 4, start: 5018, end: 6019, text: "too_large" },
      ]);
    },
  );

  it("accepts a line of exactly the limit, with or without its CR", async () => {
    const line = `"${"q".repeat(998)}"`;
    for (const eol of ["\n", "\r\n"]) {
      const lines = await collectLines(streamOf(encode(line + eol + line), [1, 333]), { maxLineBytes: 1000 });
      expect(lines.map((l) => l.kind)).toEqual(["text", "text"]);
    }
  });

  it("cancels the stream when the caller stops early", async () => {
    let cancelled = false;
    const bytes = encode("{}\n".repeat(10_000));
    const stream = streamOf(bytes, [30], { onCancel: () => (cancelled = true) });
    for await (const line of readLines(stream)) {
      if (line.line === 5) {
        break;
      }
    }
    expect(cancelled).toBe(true);
    expect(stream.pulled()).toBeLessThan(100);
  });

  it("propagates a stream error", async () => {
    const stream = streamOf(encode("{}\n".repeat(100)), [10], { failAt: 50 });
    await expect(collectLines(stream)).rejects.toThrow("network went away");
  });
});

describe("LineSplitter", () => {
  it("numbers lines and offsets from the given base, as a chunk re-split needs", () => {
    const splitter = new LineSplitter({ baseOffset: 1000, firstLine: 40 });
    const lines = [...splitter.push(encode('{"a":1}\n\n{"b":2}')), ...splitter.end()];
    expect(summary(lines)).toEqual([
      { line: 40, start: 1000, end: 1007, text: '{"a":1}' },
      { line: 42, start: 1009, end: 1016, text: '{"b":2}' },
    ]);
  });

  it("reassembles a 3 MiB line pushed one byte at a time", () => {
    const big = `{"pad":"${"x".repeat(3 * 1024 * 1024)}"}`;
    const bytes = encode(`${big}\r\n{}`);
    const splitter = new LineSplitter();
    const lines: RawLine[] = [];
    for (let i = 0; i < bytes.byteLength; i++) {
      lines.push(...splitter.push(bytes.subarray(i, i + 1)));
    }
    lines.push(...splitter.end());
    expect(lines.map((l) => [l.kind, l.line, l.start, l.end])).toEqual([
      ["text", 1, 0, big.length],
      ["text", 2, big.length + 2, big.length + 4],
    ]);
    expect(lines[0]?.kind === "text" && lines[0].text === big).toBe(true);
  });

  it("does not skip a BOM unless asked to", () => {
    const splitter = new LineSplitter();
    const [line] = [...splitter.push(encode("\uFEFF{}")), ...splitter.end()];
    expect(line).toMatchObject({ kind: "text", text: "\uFEFF{}", start: 0 });
  });
});

describe("isBlank", () => {
  it.each([
    ["", true],
    [" \t\r", true],
    [" x ", false],
    ["\u00a0", false],
  ])("isBlank(%j) is %s", (text, expected) => {
    expect(isBlank(encode(text))).toBe(expected);
  });
});
