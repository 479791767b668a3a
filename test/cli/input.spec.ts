import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CliError, EXIT } from "../../cli/lib/errors.mjs";
import { checkInput } from "../../cli/lib/input.mjs";

const CHAT = "/v1/chat/completions";
const MODEL = "@cf/meta/llama-3.1-8b-instruct-fast";
const dir = mkdtempSync(path.join(tmpdir(), "run-batch-input-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function line(customId: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    custom_id: customId,
    method: "POST",
    url: CHAT,
    body: { model: MODEL, messages: [{ role: "user", content: `hi ${String(customId)}` }] },
    ...extra,
  });
}

function inputFile(text: string): { file: string; rewritePath: string } {
  n += 1;
  const file = path.join(dir, `in-${n}.jsonl`);
  writeFileSync(file, text);
  return { file, rewritePath: path.join(dir, `filled-${n}.jsonl`) };
}

async function problems(text: string, flags: { model?: string; endpoint?: string } = {}): Promise<string[]> {
  const { file, rewritePath } = inputFile(text);
  try {
    await checkInput(file, { model: flags.model ?? null, endpoint: flags.endpoint ?? null, rewritePath });
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(EXIT.usage);
    expect((err as CliError).message).toMatch(/nothing was uploaded/);
    expect(existsSync(rewritePath)).toBe(false);
    return (err as CliError).details;
  }
  throw new Error("expected the input to be rejected");
}

describe("checkInput", () => {
  it("accepts a valid file as is and maps custom_ids to input positions", async () => {
    const { file, rewritePath } = inputFile(`${line("a")}\n${line("b")}\n\n${line("c")}\n`);
    const plan = await checkInput(file, { model: null, endpoint: null, rewritePath });
    expect(plan).toMatchObject({ requests: 3, endpoint: CHAT, filled: 0, uploadPath: file });
    expect([...plan.order]).toEqual([
      ["a", 0],
      ["b", 1],
      ["c", 2],
    ]);
  });

  it("names the line that is not JSON or not an object", async () => {
    expect(await problems(`${line("a")}\n{"custom_id": "b",\n[1,2]\n"text"\n`)).toEqual([
      "line 2: not valid JSON",
      "line 3: not a JSON object",
      "line 4: not a JSON object",
    ]);
  });

  it("names lines without a usable custom_id", async () => {
    const noId = JSON.stringify({ method: "POST", url: CHAT, body: { model: MODEL } });
    expect(await problems(`${line("a")}\n${noId}\n${line(7)}\n${line("")}\n`)).toEqual([
      "line 2: missing 'custom_id'",
      "line 3: 'custom_id' must be a string",
      "line 4: 'custom_id' must not be empty",
    ]);
  });

  it("names both lines of a duplicate custom_id, counting blank lines", async () => {
    expect(await problems(`${line("a")}\n\n${line("b")}\n${line("a")}\n`)).toEqual([
      "line 4: duplicate custom_id 'a' (first used on line 1)",
    ]);
  });

  it("names the line whose url differs from the first one", async () => {
    expect(await problems(`${line("a")}\n${line("b", { url: "/v1/embeddings" })}\n`)).toEqual([
      "line 2: url '/v1/embeddings' differs from '/v1/chat/completions' on line 1 (a batch has one endpoint)",
    ]);
  });

  it("checks every url against --endpoint when given", async () => {
    expect(await problems(`${line("a")}\n`, { endpoint: "/v1/embeddings" })).toEqual([
      "line 1: url '/v1/chat/completions' does not match --endpoint '/v1/embeddings'",
    ]);
  });

  it("asks for --model when a line has no body.model", async () => {
    const noModel = JSON.stringify({ custom_id: "b", method: "POST", url: CHAT, body: { messages: [] } });
    const noBody = JSON.stringify({ custom_id: "c", method: "POST", url: CHAT });
    expect(await problems(`${line("a")}\n${noModel}\n${noBody}\n`)).toEqual([
      "line 2: body.model is empty; pass --model to set the base model",
      "line 3: 'body' must be a JSON object",
    ]);
  });

  it("rejects an input with no requests", async () => {
    expect(await problems("\n\n")).toEqual(["the input has no requests"]);
  });

  it("reports at most 20 problems and counts the rest", async () => {
    const details = await problems("x\n".repeat(25));
    expect(details).toHaveLength(21);
    expect(details[0]).toBe("line 1: not valid JSON");
    expect(details[20]).toBe("… and 5 more");
  });

  it("fills body.model and url into a copy, leaving other lines byte for byte", async () => {
    const noModel = JSON.stringify({ custom_id: "b", method: "POST", body: { model: "", messages: [] } });
    const kept = `{ "custom_id": "a",  "method": "POST", "url": "${CHAT}", "body": {"model": "other"} }`;
    const { file, rewritePath } = inputFile(`${kept}\r\n${noModel}\n`);
    const plan = await checkInput(file, { model: MODEL, endpoint: CHAT, rewritePath });
    expect(plan).toMatchObject({ requests: 2, endpoint: CHAT, filled: 1, uploadPath: rewritePath });
    const lines = readFileSync(rewritePath, "utf8").split("\n");
    expect(lines[0]).toBe(kept);
    expect(JSON.parse(lines[1]!)).toEqual({
      custom_id: "b",
      method: "POST",
      body: { model: MODEL, messages: [] },
      url: CHAT,
    });
    expect(lines[2]).toBe("");
  });

  it("accepts a UTF-8 BOM before the first line, which the server accepts too", async () => {
    const { file, rewritePath } = inputFile(`\uFEFF${line("a")}\n${line("b")}\n`);
    const plan = await checkInput(file, { model: null, endpoint: null, rewritePath });
    expect(plan).toMatchObject({ requests: 2, uploadPath: file });
    expect([...plan.order.keys()]).toEqual(["a", "b"]);
  });

  it("uploads the original when --model had nothing to fill", async () => {
    const { file, rewritePath } = inputFile(`${line("a")}\n`);
    const plan = await checkInput(file, { model: MODEL, endpoint: null, rewritePath });
    expect(plan.uploadPath).toBe(file);
    expect(existsSync(rewritePath)).toBe(false);
  });
});
