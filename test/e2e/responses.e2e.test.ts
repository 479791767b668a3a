import fs, { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { localClient, waitForBatchEnd } from "./helpers";

const MODEL = "@cf/openai/gpt-oss-120b";

type ResponseLine = { url: "/v1/responses"; body: OpenAI.Responses.ResponseCreateParamsNonStreaming };

function writeJsonl(lines: Array<ResponseLine & { custom_id: string; method: "POST" }>): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "responses-e2e-")), "requests.jsonl");
  writeFileSync(file, `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`);
  return file;
}

function line(customId: string, body: Omit<ResponseLine["body"], "model">) {
  return {
    custom_id: customId,
    method: "POST" as const,
    url: "/v1/responses" as const,
    body: { model: MODEL, ...body },
  };
}

const WEATHER: OpenAI.Responses.FunctionTool = {
  type: "function",
  name: "get_weather",
  description: "The current weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  strict: true,
};

/** The shape checks a client relying on the SDK's `Response` type would make. */
function expectResponseShape(response: OpenAI.Responses.Response): void {
  expect(response.id).toMatch(/^resp_/);
  expect(response.object).toBe("response");
  expect(response.status).toBe("completed");
  expect(response.model).toBe(MODEL);
  expect(response.created_at).toEqual(expect.any(Number));
  expect(response.error).toBeNull();
  expect(response.incomplete_details).toBeNull();
  expect(response.parallel_tool_calls).toEqual(expect.any(Boolean));
  expect(Array.isArray(response.tools)).toBe(true);
  expect(response.output.length).toBeGreaterThan(0);
  const usage = response.usage as OpenAI.Responses.ResponseUsage;
  expect(usage.input_tokens).toBeGreaterThan(0);
  expect(usage.input_tokens_details.cached_tokens).toEqual(expect.any(Number));
  expect(usage.output_tokens_details.reasoning_tokens).toEqual(expect.any(Number));
  expect(usage.total_tokens).toBe(usage.input_tokens + usage.output_tokens);
}

function outputText(response: OpenAI.Responses.Response): string {
  return response.output
    .filter((item): item is OpenAI.Responses.ResponseOutputMessage => item.type === "message")
    .flatMap((item) => item.content)
    .map((part) => (part.type === "output_text" ? part.text : ""))
    .join("");
}

describe("a /v1/responses batch with the official SDK", () => {
  it("creates the batch and parses every output body as a Response", async () => {
    const client = localClient();
    const lines = [
      line("plain", { input: "Name a colour.", instructions: "Answer in one word.", max_output_tokens: 200 }),
      line("json", {
        input: [{ role: "user", content: "A greeting as JSON" }],
        text: { format: { type: "json_object" } },
      }),
      line("tool", {
        input: "Weather in Oslo?",
        tools: [WEATHER],
        tool_choice: { type: "function", name: "get_weather" },
      }),
    ];
    const file = await client.files.create({
      file: fs.createReadStream(writeJsonl(lines)),
      purpose: "batch",
    });
    const created = await client.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/responses",
      completion_window: "24h",
    });
    expect(created.endpoint).toBe("/v1/responses");
    const batch = await waitForBatchEnd(client, created.id);
    expect(batch.status).toBe("completed");
    expect(batch.request_counts).toEqual({ total: 3, completed: 3, failed: 0 });

    const text = await (await client.files.content(batch.output_file_id as string)).text();
    const results = text
      .trim()
      .split("\n")
      .map(
        (row) => JSON.parse(row) as { custom_id: string; response: { status_code: number; body: unknown } },
      );
    expect(results.map((row) => row.custom_id)).toEqual(["plain", "json", "tool"]);
    const byId = new Map(
      results.map((row) => [row.custom_id, row.response.body as OpenAI.Responses.Response]),
    );
    for (const row of results) {
      expect(row.response.status_code).toBe(200);
      expectResponseShape(row.response.body as OpenAI.Responses.Response);
    }

    const plain = byId.get("plain") as OpenAI.Responses.Response;
    expect(plain.instructions).toBe("Answer in one word.");
    const message = plain.output[0] as OpenAI.Responses.ResponseOutputMessage;
    expect(message).toMatchObject({ type: "message", role: "assistant", status: "completed" });
    expect(message.id).toMatch(/^msg_/);
    expect(message.content[0]).toMatchObject({ type: "output_text", annotations: [] });
    expect(outputText(plain).length).toBeGreaterThan(0);

    expect(JSON.parse(outputText(byId.get("json") as OpenAI.Responses.Response))).toEqual(expect.any(Object));

    const calls = (byId.get("tool") as OpenAI.Responses.Response).output.filter(
      (item): item is OpenAI.Responses.ResponseFunctionToolCall => item.type === "function_call",
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ name: "get_weather", status: "completed" });
    expect(calls[0]?.call_id).toEqual(expect.any(String));
    expect(JSON.parse(calls[0]?.arguments ?? "")).toEqual({ city: expect.any(String) });
  });
});
