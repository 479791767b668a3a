import { describe, expect, it } from "vitest";
import { toWorkersAiInputs } from "../../src/inference/to-workers-ai";
import { InferenceError } from "../../src/inference/types";
import { inferenceRequest, LLAMA_70B } from "./fixtures";

const user = { role: "user", content: "Hi" };

describe("toWorkersAiInputs", () => {
  it.each([
    ["messages pass through", { messages: [user] }, { messages: [{ role: "user", content: "Hi" }] }],
    [
      "developer becomes system",
      { messages: [{ role: "developer", content: "Be brief" }, user] },
      {
        messages: [
          { role: "system", content: "Be brief" },
          { role: "user", content: "Hi" },
        ],
      },
    ],
    [
      "text-only content parts become a string",
      {
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "a" },
              { type: "text", text: "b" },
            ],
          },
        ],
      },
      { messages: [{ role: "user", content: "a\nb" }] },
    ],
    [
      "an assistant tool call keeps its calls and gets empty content",
      {
        messages: [
          user,
          { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function" }] },
          { role: "tool", tool_call_id: "c1", content: "42" },
        ],
      },
      {
        messages: [
          { role: "user", content: "Hi" },
          { role: "assistant", content: "", tool_calls: [{ id: "c1", type: "function" }] },
          { role: "tool", content: "42", tool_call_id: "c1" },
        ],
      },
    ],
    ["max_tokens", { messages: [user], max_tokens: 50 }, { max_tokens: 50 }],
    [
      "max_completion_tokens wins",
      { messages: [user], max_tokens: 50, max_completion_tokens: 70 },
      { max_tokens: 70 },
    ],
    [
      "sampling parameters",
      { messages: [user], temperature: 0.2, top_p: 0.9, frequency_penalty: 0.5, presence_penalty: -0.5 },
      { temperature: 0.2, top_p: 0.9, frequency_penalty: 0.5, presence_penalty: -0.5 },
    ],
    ["top_p 0 is raised to Workers AI's minimum", { messages: [user], top_p: 0 }, { top_p: 0.001 }],
    ["a valid seed passes", { messages: [user], seed: 42 }, { seed: 42 }],
    ["seed 0 maps into 1..9999999999", { messages: [user], seed: 0 }, { seed: 1 }],
    ["a negative seed maps deterministically", { messages: [user], seed: -7 }, { seed: 8 }],
    ["stop as a string", { messages: [user], stop: "END" }, { stop: ["END"] }],
    ["stop as an array", { messages: [user], stop: ["a", "b"] }, { stop: ["a", "b"] }],
    [
      "json_schema unwraps OpenAI's wrapper",
      {
        messages: [user],
        response_format: {
          type: "json_schema",
          json_schema: { name: "x", schema: { type: "object" }, strict: true },
        },
      },
      { response_format: { type: "json_schema", json_schema: { type: "object" } } },
    ],
    [
      "json_object",
      { messages: [user], response_format: { type: "json_object" } },
      { response_format: { type: "json_object" } },
    ],
    [
      "tools and tool_choice",
      { messages: [user], tools: [{ type: "function", function: { name: "f" } }], tool_choice: "required" },
      { tools: [{ type: "function", function: { name: "f" } }], tool_choice: "required" },
    ],
    ["an explicit lora string", { messages: [user], lora: "my-adapter" }, { lora: "my-adapter" }],
    ["raw", { messages: [user], raw: true }, { raw: true }],
  ])("chat: %s", (_label, body, expected) => {
    expect(toWorkersAiInputs(inferenceRequest("/v1/chat/completions", body))).toMatchObject(expected);
  });

  it.each([
    ["text response_format", { response_format: { type: "text" } }, "response_format"],
    ["tool_choice none", { tools: [{ type: "function" }], tool_choice: "none" }, "tools"],
    ["logprobs", { logprobs: true }, "logprobs"],
    ["user", { user: "u1" }, "user"],
  ])("chat drops %s", (_label, extra, dropped) => {
    const inputs = toWorkersAiInputs(
      inferenceRequest("/v1/chat/completions", { messages: [user], ...extra }),
    );
    expect(inputs).not.toHaveProperty(dropped);
  });

  it("sends the adapter a line's model named as `lora`", () => {
    const model = { ...LLAMA_70B, requested: "my-adapter", lora: "my-adapter" };
    const inputs = toWorkersAiInputs(inferenceRequest("/v1/chat/completions", { messages: [user] }, model));
    expect(inputs.lora).toBe("my-adapter");
  });

  it.each([
    ["a string", { prompt: "Once" }, { prompt: "Once" }],
    ["an array of one", { prompt: ["Once"] }, { prompt: "Once" }],
    [
      "with parameters",
      { prompt: "Once", max_tokens: 9, seed: 3 },
      { prompt: "Once", max_tokens: 9, seed: 3 },
    ],
  ])("completions: prompt as %s", (_label, body, expected) => {
    expect(toWorkersAiInputs(inferenceRequest("/v1/completions", body))).toEqual(expected);
  });

  it.each([
    ["a string", { input: "hello" }, { text: ["hello"] }],
    ["an array", { input: ["a", "b"] }, { text: ["a", "b"] }],
  ])("embeddings: input as %s", (_label, body, expected) => {
    expect(toWorkersAiInputs(inferenceRequest("/v1/embeddings", body))).toEqual(expected);
  });

  it.each([
    ["/v1/chat/completions", { messages: [] }],
    ["/v1/chat/completions", { messages: [user], n: 2 }],
    ["/v1/chat/completions", { messages: ["not an object"] }],
    ["/v1/completions", { prompt: ["a", "b"] }],
    ["/v1/completions", { prompt: [1, 2, 3] }],
    ["/v1/embeddings", { input: [[1, 2, 3]] }],
    ["/v1/embeddings", { input: [] }],
  ] as const)("%s refuses %j with a permanent 400", (endpoint, body) => {
    let error: unknown;
    try {
      toWorkersAiInputs(inferenceRequest(endpoint, body));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InferenceError);
    expect(error).toMatchObject({ status: 400, transient: false });
  });
});
