import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mergeResults } from "../../cli/lib/output.mjs";

const dir = mkdtempSync(path.join(tmpdir(), "run-batch-output-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function success(customId: string): string {
  return JSON.stringify({
    id: `batch_req_${customId}`,
    custom_id: customId,
    response: { status_code: 200, request_id: `req_${customId}`, body: { id: `chatcmpl-${customId}` } },
    error: null,
  });
}

function failure(customId: string): string {
  return JSON.stringify({
    id: `batch_req_${customId}`,
    custom_id: customId,
    response: null,
    error: { code: "batch_cancelled", message: "The batch was cancelled before this request executed." },
  });
}

function write(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, lines.map((l) => `${l}\n`).join(""));
  return file;
}

function ids(file: string): string[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l).custom_id);
}

const order = new Map(["r1", "r2", "r3", "r4", "r5"].map((id, i) => [id, i]));

describe("mergeResults", () => {
  it("writes successes and errors in input order whatever order the server used", async () => {
    const out = write("out-1.jsonl", [success("r4"), success("r1"), success("r3")]);
    const err = write("err-1.jsonl", [failure("r5"), failure("r2")]);
    const target = path.join(dir, "merged-1.jsonl");
    const report = await mergeResults({
      order,
      sources: [
        { path: out, kind: "success" },
        { path: err, kind: "error" },
      ],
      outputPath: target,
    });
    expect(ids(target)).toEqual(["r1", "r2", "r3", "r4", "r5"]);
    // Both error lines are requests the cancelled batch never ran.
    expect(report).toEqual({ succeeded: 3, failed: 2, missing: [], unmatched: 0, notRun: 2 });
    // Lines are copied, not re-serialised: the bytes are the server's.
    expect(readFileSync(target, "utf8").split("\n")[1]).toBe(failure("r2"));
  });

  it("splits errors into the error file when asked, each in input order", async () => {
    const out = write("out-2.jsonl", [success("r3"), success("r1")]);
    const err = write("err-2.jsonl", [failure("r4"), failure("r2"), failure("r5")]);
    const outputPath = path.join(dir, "merged-2.jsonl");
    const errorPath = path.join(dir, "errors-2.jsonl");
    await mergeResults({
      order,
      sources: [
        { path: out, kind: "success" },
        { path: err, kind: "error" },
      ],
      outputPath,
      errorPath,
    });
    expect(ids(outputPath)).toEqual(["r1", "r3"]);
    expect(ids(errorPath)).toEqual(["r2", "r4", "r5"]);
  });

  it("reports requests with no result and keeps lines it cannot place at the end", async () => {
    const out = write("out-3.jsonl", [success("stranger"), success("r2"), success("r2"), "", success("r1")]);
    const target = path.join(dir, "merged-3.jsonl");
    const report = await mergeResults({
      order,
      sources: [{ path: out, kind: "success" }],
      outputPath: target,
    });
    expect(ids(target)).toEqual(["r1", "r2", "stranger", "r2"]);
    expect(report).toEqual({
      succeeded: 4,
      failed: 0,
      missing: ["r3", "r4", "r5"],
      unmatched: 2,
      notRun: 0,
    });
  });

  it("writes an empty output when the server produced no files", async () => {
    const target = path.join(dir, "merged-4.jsonl");
    const report = await mergeResults({ order, sources: [], outputPath: target });
    expect(readFileSync(target, "utf8")).toBe("");
    expect(report.missing).toHaveLength(5);
  });
});
