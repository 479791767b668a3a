import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readLines } from "../../cli/lib/jsonl.mjs";

async function collect(file: string) {
  const lines = [];
  for await (const line of readLines(file)) {
    lines.push(line);
  }
  return lines;
}

describe("readLines", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "run-batch-jsonl-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("numbers every line, blank ones included, and strips CRLF", async () => {
    const file = path.join(dir, "crlf.jsonl");
    writeFileSync(file, '{"a":1}\r\n\r\n{"b":"é"}\n{"c":3}');
    const lines = await collect(file);
    expect(lines.map((l) => [l.number, l.text])).toEqual([
      [1, '{"a":1}'],
      [2, ""],
      [3, '{"b":"é"}'],
      [4, '{"c":3}'],
    ]);
  });

  it("gives byte offsets that read back each line, across read chunks", async () => {
    const file = path.join(dir, "big.jsonl");
    // Multi-byte text and lines longer than a read chunk make off-by-one byte errors show.
    const rows = Array.from({ length: 40 }, (_, i) => JSON.stringify({ i, pad: "ü€".repeat(i * 997) }));
    writeFileSync(file, `${rows.join("\n")}\n`);
    const bytes = readFileSync(file);
    const lines = await collect(file);
    expect(lines).toHaveLength(rows.length);
    for (const [i, line] of lines.entries()) {
      expect(line.text).toBe(rows[i]);
      expect(bytes.subarray(line.offset, line.offset + line.length).toString("utf8")).toBe(rows[i]);
    }
  });

  it("leaves a UTF-8 BOM at the start of the file out of line 1, and only there", async () => {
    const file = path.join(dir, "bom.jsonl");
    writeFileSync(file, '\uFEFF{"a":1}\n\uFEFF{"b":2}\n');
    const bytes = readFileSync(file);
    const lines = await collect(file);
    expect(lines.map((l) => l.text)).toEqual(['{"a":1}', '\uFEFF{"b":2}']);
    expect(bytes.subarray(lines[0]!.offset, lines[0]!.offset + lines[0]!.length).toString("utf8")).toBe(
      '{"a":1}',
    );
  });
});
