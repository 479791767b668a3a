import fs, { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { localClient, waitForBatchEnd } from "./helpers";

// JSON mode and tools in a /v1/chat/completions batch, read back with the official SDK's types.

const MODEL = "@cf/openai/gpt-oss-120b";

type ChatBody = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;

function line(customId: string, body: Omit<ChatBody, "model">) {
  return {
    custom_id: customId,
    method: "POST",
    url: "/v1/chat/completions",
    body: { model: MODEL, ...body },
  };
}

const WEATHER: OpenAI.Chat.ChatCompletionTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "The current weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

async function runBatch(client: OpenAI, lines: ReturnType<typeof line>[]) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "chat-features-e2e-")), "requests.jsonl");
  writeFileSync(file, `${lines.map((entry) => JSON.stringify(entry)).join("\n")}\n`);
  const uploaded = await client.files.create({ file: fs.createReadStream(file), purpose: "batch" });
  const created = await client.batches.create({
    input_file_id: uploaded.id,
    endpoint: "/v1/chat/completions",
    completion_window: "24h",
  });
  const batch = await waitForBatchEnd(client, created.id);
  expect(batch).toMatchObject({ status: "completed", request_counts: { failed: 0 } });
  const text = await (await client.files.content(batch.output_file_id as string)).text();
  return text
    .trim()
    .split("\n")
    .map((row) => JSON.parse(row) as { custom_id: string; response: { body: OpenAI.Chat.ChatCompletion } });
}

describe("chat completions features with the official SDK", () => {
  it("answers every JSON-mode line with content that parses as JSON", async () => {
    const client = localClient();
    const lines = [
      line("object", {
        messages: [{ role: "user", content: "A greeting as JSON" }],
        response_format: { type: "json_object" },
      }),
      line("schema", {
        messages: [{ role: "user", content: "A city and its country" }],
        response_format: {
          type: "json_schema",
          json_schema: {
            name: "place",
            schema: {
              type: "object",
              properties: { city: { type: "string" }, country: { type: "string" } },
              required: ["city", "country"],
            },
          },
        },
      }),
    ];
    const results = await runBatch(client, lines);
    expect(results.map((row) => row.custom_id)).toEqual(["object", "schema"]);
    for (const row of results) {
      const completion = row.response.body;
      expect(completion.object).toBe("chat.completion");
      const content = completion.choices[0]?.message.content ?? "";
      expect(() => JSON.parse(content)).not.toThrow();
      expect(typeof JSON.parse(content)).toBe("object");
    }
  });

  it("returns tool_calls for a line that forces a function", async () => {
    const client = localClient();
    const results = await runBatch(client, [
      line("tool", {
        messages: [{ role: "user", content: "Weather in Oslo?" }],
        tools: [WEATHER],
        tool_choice: { type: "function", function: { name: "get_weather" } },
      }),
    ]);
    const choice = results[0]?.response.body.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    const call = choice?.message.tool_calls?.[0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    expect(call).toMatchObject({ type: "function", function: { name: "get_weather" } });
    expect(call.id).toEqual(expect.any(String));
    expect(() => JSON.parse(call.function.arguments)).not.toThrow();
  });
});
