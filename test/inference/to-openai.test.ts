import { describe, expect, it } from "vitest";
import { toOpenAiResponse } from "../../src/inference/to-openai";
import { InferenceError } from "../../src/inference/types";
import { BGE_SMALL, chat, inferenceRequest } from "./fixtures";

const NOW = Date.UTC(2026, 0, 1);
const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };

describe("toOpenAiResponse: chat completions", () => {
  it("builds a chat.completion from {response, usage}", () => {
    const { body, usage: tokens } = toOpenAiResponse({ response: "Hello.", usage }, chat("Hi"), NOW);
    expect(body).toMatchObject({
      object: "chat.completion",
      created: NOW / 1000,
      model: "@cf/meta/llama-3.1-8b-instruct-fast",
      choices: [{ index: 0, message: { role: "assistant", content: "Hello." }, finish_reason: "stop" }],
      usage,
    });
    expect(body.id).toMatch(/^chatcmpl-[0-9A-Z]{26}$/);
    expect(tokens).toEqual({ inputTokens: 10, outputTokens: 5, cachedTokens: 0, reasoningTokens: 0 });
  });

  it("reports the requested name (alias or adapter), not the Workers AI id", () => {
    const request = chat("Hi");
    request.model = { ...request.model, requested: "gpt-4o-mini" };
    expect(toOpenAiResponse({ response: "x", usage }, request, NOW).body.model).toBe("gpt-4o-mini");
  });

  it.each([
    ["completion tokens reach max_tokens", { max_tokens: 5 }, 5, "length"],
    ["completion tokens under max_tokens", { max_tokens: 6 }, 5, "stop"],
    ["max_completion_tokens counts too", { max_completion_tokens: 5 }, 5, "length"],
    ["no max_tokens: Workers AI's default 256", {}, 256, "length"],
  ])("finish_reason when %s", (_label, extra, completion, reason) => {
    const output = { response: "text", usage: { ...usage, completion_tokens: completion } };
    const body = toOpenAiResponse(output, chat("Hi", extra), NOW).body as {
      choices: [{ finish_reason: string }];
    };
    expect(body.choices[0].finish_reason).toBe(reason);
  });

  it("cuts at the first stop sequence and says stop", () => {
    const output = { response: "one two END three", usage: { ...usage, completion_tokens: 5 } };
    const body = toOpenAiResponse(output, chat("Hi", { stop: ["END", "two"], max_tokens: 5 }), NOW).body;
    expect(body.choices).toEqual([
      {
        index: 0,
        message: { role: "assistant", content: "one ", refusal: null },
        logprobs: null,
        finish_reason: "stop",
      },
    ]);
  });

  it("stringifies a JSON-mode object response", () => {
    const body = toOpenAiResponse({ response: { name: "India" }, usage }, chat("Hi"), NOW).body as {
      choices: [{ message: { content: string } }];
    };
    expect(JSON.parse(body.choices[0].message.content)).toEqual({ name: "India" });
  });

  it.each([
    ["Workers AI's {name, arguments}", { name: "lookup", arguments: { q: "x" } }],
    [
      "OpenAI's {id, type, function}",
      { id: "call_1", type: "function", function: { name: "lookup", arguments: '{"q":"x"}' } },
    ],
  ])("maps tool calls given as %s", (_label, call) => {
    const body = toOpenAiResponse({ response: "", tool_calls: [call], usage }, chat("Hi"), NOW).body as {
      choices: [{ message: Record<string, unknown>; finish_reason: string }];
    };
    const [choice] = body.choices;
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toEqual([
      {
        id: expect.stringMatching(/^call_/),
        type: "function",
        function: { name: "lookup", arguments: '{"q":"x"}' },
      },
    ]);
  });

  it("reads OpenAI-shaped outputs of newer models", () => {
    const output = {
      choices: [{ message: { role: "assistant", content: "Hey" }, finish_reason: "length" }],
      usage: { ...usage, prompt_tokens_details: { cached_tokens: 4 } },
    };
    const { body, usage: tokens } = toOpenAiResponse(output, chat("Hi"), NOW);
    expect(body.choices).toMatchObject([{ message: { content: "Hey" }, finish_reason: "length" }]);
    expect(tokens.cachedTokens).toBe(4);
  });

  it("estimates usage at ≈4 characters per token when Workers AI sends none", () => {
    const body = toOpenAiResponse({ response: "12345678" }, chat("Hi"), NOW).body as {
      usage: { completion_tokens: number; prompt_tokens: number };
    };
    expect(body.usage.completion_tokens).toBe(2);
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it.each([
    ["an async-queue answer", { request_id: "abc" }],
    ["a number", 42],
    ["null", null],
  ])("refuses %s as a permanent 502", (_label, output) => {
    expect(() => toOpenAiResponse(output, chat("Hi"), NOW)).toThrow(InferenceError);
    try {
      toOpenAiResponse(output, chat("Hi"), NOW);
    } catch (err) {
      expect(err).toMatchObject({ status: 502, code: "invalid_upstream_response", transient: false });
    }
  });
});

describe("toOpenAiResponse: completions", () => {
  it("builds a text_completion", () => {
    const request = inferenceRequest("/v1/completions", { prompt: "Once" });
    const { body } = toOpenAiResponse({ response: " upon a time", usage }, request, NOW);
    expect(body).toMatchObject({
      object: "text_completion",
      choices: [{ index: 0, text: " upon a time", logprobs: null, finish_reason: "stop" }],
      usage,
    });
    expect(body.id).toMatch(/^cmpl-/);
  });
});

describe("toOpenAiResponse: embeddings", () => {
  const output = {
    shape: [2, 3],
    data: [
      [0.1, 0.2, 0.3],
      [0.4, 0.5, 0.6],
    ],
  };

  it("builds an embeddings list, one item per input in order", () => {
    const request = inferenceRequest("/v1/embeddings", { input: ["aaaa", "bbbbbbbb"] }, BGE_SMALL);
    const { body, usage: tokens } = toOpenAiResponse(output, request, NOW);
    expect(body).toEqual({
      object: "list",
      data: [
        { object: "embedding", index: 0, embedding: [0.1, 0.2, 0.3] },
        { object: "embedding", index: 1, embedding: [0.4, 0.5, 0.6] },
      ],
      model: "@cf/baai/bge-base-en-v1.5",
      usage: { prompt_tokens: 3, total_tokens: 3 },
    });
    expect(tokens).toEqual({ inputTokens: 3, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0 });
  });

  it("encodes base64 as float32 little-endian, as OpenAI does", () => {
    const request = inferenceRequest("/v1/embeddings", { input: "a", encoding_format: "base64" }, BGE_SMALL);
    const { body } = toOpenAiResponse({ shape: [1, 2], data: [[1, -2]] }, request, NOW);
    const [item] = body.data as [{ embedding: string }];
    const bytes = Uint8Array.from(atob(item.embedding), (c) => c.charCodeAt(0));
    expect([...new Float32Array(bytes.buffer)]).toEqual([1, -2]);
  });

  it("refuses a count that does not match the inputs", () => {
    const request = inferenceRequest("/v1/embeddings", { input: "only one" }, BGE_SMALL);
    expect(() => toOpenAiResponse(output, request, NOW)).toThrow(/2 embeddings for 1 inputs/);
  });
});
