import { createReadStream, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { localClient, waitForBatchEnd } from "./helpers";

// The local stack runs with WORKERS_AI_ASYNC=auto and the simulator's async batch queue: lines
// that fit gpt-oss-120b's async item go there, completion events come through the local
// `workers-ai-events` queue, and the rest run synchronously.

const MODEL = "@cf/openai/gpt-oss-120b";
const SYSTEM = `You answer questions about the solar system. ${"Be exact and brief. ".repeat(110)}`;

type OutputLine = {
  custom_id: string;
  execution?: "sync" | "async";
  response: { status_code: number; body: OpenAI.Chat.Completions.ChatCompletion };
  error: null;
};

function writeJsonl(lines: unknown[]): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "async-e2e-")), "requests.jsonl");
  writeFileSync(file, `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`);
  return file;
}

async function readLines(client: OpenAI, fileId: string): Promise<OutputLine[]> {
  const text = await (await client.files.content(fileId)).text();
  return text
    .split("\n")
    .filter((row) => row.length > 0)
    .map((row) => JSON.parse(row) as OutputLine);
}

describe("the async batch queue, through the official SDK", () => {
  it("answers a batch partly on the async queue, in input order, with exact counts and cached prompt tokens", async () => {
    const client = localClient();
    const questions = Array.from({ length: 12 }, (_, i) => `How far is planet ${i + 1} from the sun?`);
    const lines = questions.map((question, i) => ({
      custom_id: `q-${i}`,
      method: "POST",
      url: "/v1/chat/completions",
      body: {
        model: MODEL,
        messages: [
          { role: "system", content: SYSTEM },
          { role: "user", content: question },
        ],
        // every third line asks for max_tokens, which gpt-oss's async item cannot carry
        ...(i % 3 === 2 ? { max_tokens: 64 } : {}),
      },
    }));
    const file = await client.files.create({ file: createReadStream(writeJsonl(lines)), purpose: "batch" });
    const created = await client.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });
    const batch = await waitForBatchEnd(client, created.id);

    expect(batch.status).toBe("completed");
    expect(batch.request_counts).toEqual({ total: 12, completed: 12, failed: 0 });
    expect((batch as unknown as { execution: unknown }).execution).toEqual({
      sync: 4,
      async: 8,
      async_requests_pending: 0,
    });
    expect(batch.error_file_id).toBeNull();
    const output = await readLines(client, String(batch.output_file_id));
    expect(output.map((line) => line.custom_id)).toEqual(lines.map((line) => line.custom_id));
    expect(output.map((line) => line.execution)).toEqual(
      lines.map((_, i) => (i % 3 === 2 ? "sync" : "async")),
    );
    for (const line of output) {
      expect(line.response.status_code).toBe(200);
      expect(line.response.body.object).toBe("chat.completion");
      expect(line.response.body.choices[0]?.message.content).toEqual(expect.any(String));
    }
    // lines after the first of each path hit Workers AI's prefix cache for the shared system prompt
    const cached = output.map((line) => line.response.body.usage?.prompt_tokens_details?.cached_tokens ?? 0);
    expect(cached.filter((tokens) => tokens > 0).length).toBeGreaterThanOrEqual(10);
    expect(batch.usage?.input_tokens_details.cached_tokens).toBe(cached.reduce((a, b) => a + b, 0));
  });
});
