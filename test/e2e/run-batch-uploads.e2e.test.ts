import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../cli/run-cli";

// The run-batch CLI sends inputs above RUN_BATCH_PARTS_ABOVE_MB through the Uploads API, parts in
// parallel; lowered here so a small input takes that path against the local stack.

const MODEL = "@cf/meta/llama-3.1-8b-instruct-fast";
const dir = mkdtempSync(path.join(tmpdir(), "run-batch-uploads-e2e-"));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("run-batch with a large input", () => {
  it("uploads it in concurrent parts with progress, then runs the batch", async () => {
    const lines = Array.from({ length: 300 }, (_, i) =>
      JSON.stringify({
        custom_id: `r${i}`,
        method: "POST",
        url: "/v1/chat/completions",
        body: { model: MODEL, messages: [{ role: "user", content: `n ${i}` }], max_tokens: 8 },
      }),
    );
    const file = path.join(dir, "big.jsonl");
    writeFileSync(file, `${lines.join("\n")}\n`);
    const out = path.join(dir, "big-out.jsonl");
    const { code, stderr } = await runCli(["-i", file, "-o", out, "--poll-interval", "0.2"], {
      OPENAI_BASE_URL: `${inject("origin")}/v1`,
      OPENAI_API_KEY: inject("apiKey"),
      // about 40 KB of input: above 0.01 MiB, in parts of 0.005 MiB (5 KiB), 3 at a time
      RUN_BATCH_PARTS_ABOVE_MB: "0.01",
      RUN_BATCH_PART_MB: "0.005",
      RUN_BATCH_PART_CONCURRENCY: "3",
    }).result;
    expect(stderr).toMatch(/uploaded part \d+\/\d+ \(/);
    const parts = Number(/uploaded part \d+\/(\d+)/.exec(stderr)?.[1]);
    expect(parts).toBeGreaterThan(5);
    expect(stderr).toMatch(/completed in \d+s: 300 ok, 0 failed of 300/);
    expect(code).toBe(0);
    const output = readFileSync(out, "utf8").trim().split("\n");
    expect(output.map((line) => JSON.parse(line).custom_id)).toEqual(lines.map((_, i) => `r${i}`));
  });
});
