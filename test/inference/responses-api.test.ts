import { describe, expect, it } from "vitest";
import { responsesToChatBody } from "../../src/inference/responses-api";
import { toOpenAiResponse } from "../../src/inference/to-openai";
import { toWorkersAiInputs } from "../../src/inference/to-workers-ai";
import { InferenceError } from "../../src/inference/types";
import { GPT_OSS, inferenceRequest, LLAMA_8B } from "./fixtures";

const NOW = Date.UTC(2026, 0, 1);
const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
const responses = (body: Record<string, unknown>, model = LLAMA_8B) =>
  inferenceRequest("/v1/responses", body, model);

describe("Responses API requests → Workers AI chat inputs", () => {
  it("turns a string input and instructions into system and user messages", () => {
    const inputs = toWorkersAiInputs(
      responses({
        input: "Hi",
        instructions: "Be brief.",
        max_output_tokens: 50,
        temperature: 0.2,
        top_p: 0.9,
      }),
    );
    expect(inputs).toEqual({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
      ],
      max_tokens: 50,
      temperature: 0.2,
      top_p: 0.9,
    });
  });

  it("turns message items with content parts into chat messages", () => {
    const inputs = toWorkersAiInputs(
      responses({
        input: [
          { role: "developer", content: "Answer in French." },
          { type: "message", role: "user", content: [{ type: "input_text", text: "Hello" }] },
          { role: "assistant", content: [{ type: "output_text", text: "Bonjour" }] },
          { role: "user", content: "Again" },
        ],
      }),
    );
    expect(inputs.messages).toEqual([
      { role: "system", content: "Answer in French." },
      { role: "user", content: "Hello" },
      { role: "assistant", content: "Bonjour" },
      { role: "user", content: "Again" },
    ]);
  });

  it("maps function tools, tool_choice and a previous function call with its output", () => {
    const chat = responsesToChatBody({
      input: [
        { role: "user", content: "Weather in Paris?" },
        { type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
        { type: "function_call_output", call_id: "call_1", output: '{"temp":21}' },
      ],
      tools: [{ type: "function", name: "get_weather", parameters: { type: "object", properties: {} } }],
      tool_choice: { type: "function", name: "get_weather" },
    });
    expect(chat.messages).toEqual([
      { role: "user", content: "Weather in Paris?" },
      {
        role: "assistant",
        content: "",
        tool_calls: [
          {
            id: "call_1",
            type: "function",
            function: { name: "get_weather", arguments: '{"city":"Paris"}' },
          },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: '{"temp":21}' },
    ]);
    expect(chat.tools).toEqual([
      { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: {} } } },
    ]);
    expect(chat.tool_choice).toEqual({ type: "function", function: { name: "get_weather" } });
  });

  it("maps text.format json_schema to Workers AI JSON mode", () => {
    const schema = { type: "object", properties: { name: { type: "string" } } };
    const inputs = toWorkersAiInputs(
      responses({ input: "Hi", text: { format: { type: "json_schema", name: "person", schema } } }, GPT_OSS),
    );
    expect(inputs.response_format).toEqual({ type: "json_schema", json_schema: schema });
    const plain = toWorkersAiInputs(responses({ input: "Hi", text: { format: { type: "text" } } }));
    expect(plain.response_format).toBeUndefined();
  });

  it("refuses input items it cannot translate with a permanent 400", () => {
    const run = () => toWorkersAiInputs(responses({ input: [{ type: "web_search_call", id: "ws_1" }] }));
    expect(run).toThrow(InferenceError);
    expect(run).toThrow(/web_search_call/);
  });
});

describe("Workers AI answers → Responses API objects", () => {
  it("builds a completed response with an output_text message and usage", () => {
    const { body, usage: tokens } = toOpenAiResponse(
      { response: "Hello.", usage },
      responses({ input: "Hi", instructions: "Be brief." }),
      NOW,
    );
    expect(body).toMatchObject({
      object: "response",
      created_at: NOW / 1000,
      status: "completed",
      model: LLAMA_8B.requested,
      instructions: "Be brief.",
      output: [
        {
          type: "message",
          role: "assistant",
          status: "completed",
          content: [{ type: "output_text", text: "Hello.", annotations: [] }],
        },
      ],
      usage: {
        input_tokens: 10,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: 5,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 15,
      },
    });
    expect(body.id).toMatch(/^resp_[0-9A-Z]{26}$/);
    expect((body.output as [{ id: string }])[0].id).toMatch(/^msg_/);
    expect(tokens).toEqual({ inputTokens: 10, outputTokens: 5, cachedTokens: 0, reasoningTokens: 0 });
  });

  it("returns tool calls as function_call items", () => {
    const output = {
      choices: [
        {
          message: {
            content: null,
            tool_calls: [
              {
                id: "call_9",
                type: "function",
                function: { name: "get_weather", arguments: '{"city":"Oslo"}' },
              },
            ],
          },
          finish_reason: "tool_calls",
        },
      ],
      usage: { ...usage, completion_tokens_details: { reasoning_tokens: 3 } },
    };
    const tools = [{ type: "function", name: "get_weather", parameters: { type: "object", properties: {} } }];
    const { body } = toOpenAiResponse(output, responses({ input: "Weather?", tools }, GPT_OSS), NOW);
    expect(body.output).toEqual([
      {
        type: "function_call",
        id: expect.stringMatching(/^fc_/),
        call_id: "call_9",
        name: "get_weather",
        arguments: '{"city":"Oslo"}',
        status: "completed",
      },
    ]);
    expect(body.tools).toEqual(tools);
    expect(body.usage).toMatchObject({ output_tokens_details: { reasoning_tokens: 3 } });
  });

  it("says incomplete with max_output_tokens when the answer was cut", () => {
    const output = { response: "long", usage: { ...usage, completion_tokens: 5 } };
    const { body } = toOpenAiResponse(output, responses({ input: "Hi", max_output_tokens: 5 }), NOW);
    expect(body).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" } });
  });
});
