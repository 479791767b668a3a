import { describe, expect, it } from "vitest";
import { BatchSchema } from "../../src/schemas/batch";
import { CHAT_MODEL, createBatch, fileLines, jsonl, uploadJsonl, waitForBatch } from "../helpers/batches";

const GPT_OSS = "@cf/openai/gpt-oss-120b";
const WEATHER_TOOL = {
  type: "function",
  name: "get_weather",
  description: "The weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

const line = (customId: string, body: Record<string, unknown>) => ({
  custom_id: customId,
  method: "POST",
  url: "/v1/responses",
  body,
});

type OutputLine = {
  custom_id: string;
  response: { status_code: number; body: Record<string, unknown> } | null;
  error: unknown;
};

describe("a /v1/responses batch", () => {
  // one model per batch: gpt-oss has JSON mode and function calling
  it("runs Responses API lines and writes response objects in input order", async () => {
    const lines = [
      line("text", { model: GPT_OSS, input: "Tell me a fact", instructions: "Be brief." }),
      line("items", {
        model: GPT_OSS,
        input: [
          { role: "user", content: [{ type: "input_text", text: "Hello" }] },
          { role: "assistant", content: [{ type: "output_text", text: "Hi!" }] },
          { role: "user", content: "How are you?" },
        ],
        max_output_tokens: 100,
        temperature: 0.5,
      }),
      line("json", { model: GPT_OSS, input: "A JSON greeting", text: { format: { type: "json_object" } } }),
      line("tool", {
        model: GPT_OSS,
        input: "Weather in Oslo?",
        tools: [WEATHER_TOOL],
        tool_choice: { type: "function", name: "get_weather" },
      }),
    ];
    const batch = await createBatch(await uploadJsonl(jsonl(lines)), { endpoint: "/v1/responses" });
    expect(batch.endpoint).toBe("/v1/responses");
    const done = BatchSchema.parse(await waitForBatch(batch.id));
    expect(done.errors).toBeNull();
    expect(done).toMatchObject({
      status: "completed",
      endpoint: "/v1/responses",
      error_file_id: null,
      request_counts: { total: 4, completed: 4, failed: 0 },
    });

    const output = (await fileLines(done.output_file_id)) as OutputLine[];
    expect(output.map((entry) => entry.custom_id)).toEqual(["text", "items", "json", "tool"]);
    for (const entry of output) {
      expect(entry.error).toBeNull();
      expect(entry.response?.status_code).toBe(200);
      const body = entry.response?.body ?? {};
      expect(body).toMatchObject({ object: "response", status: "completed" });
      expect(body.id).toMatch(/^resp_/);
      const usage = body.usage as { input_tokens: number; output_tokens: number; total_tokens: number };
      expect(usage.total_tokens).toBe(usage.input_tokens + usage.output_tokens);
      expect(usage.input_tokens).toBeGreaterThan(0);
    }
    type Item = { type: string; content?: { text: string }[] };
    const [text, , json, tool] = output.map((entry) => entry.response?.body ?? {});
    const items = (body: Record<string, unknown> | undefined) => (body?.output ?? []) as Item[];
    expect(text).toMatchObject({
      model: GPT_OSS,
      instructions: "Be brief.",
      output: [
        { type: "message", role: "assistant", status: "completed", content: [{ type: "output_text" }] },
      ],
    });
    const jsonText = items(json).find((item) => item.type === "message")?.content?.[0]?.text;
    expect(JSON.parse(jsonText ?? "")).toEqual(expect.any(Object));
    const calls = items(tool).filter((item) => item.type === "function_call");
    expect(calls).toEqual([
      expect.objectContaining({ type: "function_call", name: "get_weather", status: "completed" }),
    ]);
    const args = JSON.parse((calls[0] as unknown as { arguments: string }).arguments);
    expect(args).toEqual({ city: expect.any(String) });
  });

  it("fails validation for lines in the wrong shape, before running any", async () => {
    const lines = [
      line("ok", { model: CHAT_MODEL, input: "hi" }),
      line("no-input", { model: CHAT_MODEL }),
      line("json-on-llama", { model: CHAT_MODEL, input: "hi", text: { format: { type: "json_object" } } }),
    ];
    const batch = await createBatch(await uploadJsonl(jsonl(lines)), { endpoint: "/v1/responses" });
    const done = BatchSchema.parse(await waitForBatch(batch.id));
    expect(done.status).toBe("failed");
    expect(done.errors?.data).toEqual([
      expect.objectContaining({ code: "missing_required_parameter", param: "body.input", line: 2 }),
      expect.objectContaining({ code: "unsupported_parameter", param: "body.text.format", line: 3 }),
    ]);
  });
});
