import { describe, expect, it } from "vitest";
import { checkRequestLine } from "../../src/domain/jsonl/validate-line";
import { StaticCatalogue } from "../../src/inference/catalogue";
import { fitInputsToSchema } from "../../src/inference/fit-inputs";
import { KNOWN_MODELS, MODEL_SPECS } from "../../src/inference/known-models";
import { checkInput } from "../../src/inference/simulator/validate-input";
import { toWorkersAiInputs } from "../../src/inference/to-workers-ai";
import type { BatchEndpoint } from "../../src/inference/types";

/**
 * What the provider sends for OpenAI bodies is accepted by each model's published input schema
 * (the data under data/workers-ai-models/), and what a model cannot do is refused at validation.
 */

const catalogue = new StaticCatalogue(KNOWN_MODELS);
const messages = [
  { role: "developer", content: "Be brief." },
  { role: "user", content: [{ type: "text", text: "Weather in Paris?" }] },
];
const weatherTool = {
  type: "function",
  function: {
    name: "weather",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

const CHAT_BODIES: [string, Record<string, unknown>][] = [
  ["plain chat", { messages }],
  [
    "OpenAI sampling ranges",
    { messages, temperature: 2, top_p: 0, frequency_penalty: -1.5, presence_penalty: 2, seed: 0 },
  ],
  ["max_completion_tokens and stop", { messages, max_completion_tokens: 64, stop: ["\n\n"] }],
  [
    "an assistant tool call and its result",
    {
      messages: [
        ...messages,
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c1", type: "function", function: { name: "weather", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "c1", content: "sunny" },
      ],
    },
  ],
];

function inputsFor(id: string, endpoint: BatchEndpoint, body: Record<string, unknown>) {
  const model = catalogue.resolve(id);
  if (!model) {
    throw new Error(`${id} is not catalogued`);
  }
  const spec = MODEL_SPECS.find((s) => s.id === id);
  return fitInputsToSchema(toWorkersAiInputs({ endpoint, body, model }), spec);
}

const textModels = MODEL_SPECS.filter((spec) => spec.task === "text-generation" && spec.schema);

describe.each(textModels.map((spec) => [spec.id, spec] as const))("%s", (id, spec) => {
  const schema = spec.schema?.input ?? {};

  it.each(CHAT_BODIES)("accepts the translated %s", (_label, body) => {
    expect(checkInput(schema, inputsFor(id, "/v1/chat/completions", body))).toEqual({ valid: true });
  });

  it("accepts a completions prompt", () => {
    const inputs = inputsFor(id, "/v1/completions", {
      prompt: "Once upon",
      max_tokens: 16,
      temperature: 0.2,
    });
    expect(checkInput(schema, inputs)).toEqual({ valid: true });
  });

  it.runIf(spec.features.functionCalling)("accepts OpenAI tools without descriptions", () => {
    const inputs = inputsFor(id, "/v1/chat/completions", {
      messages,
      tools: [weatherTool],
      tool_choice: "auto",
    });
    expect(checkInput(schema, inputs)).toEqual({ valid: true });
  });

  it.runIf(spec.features.jsonMode)("accepts json_schema and json_object response formats", () => {
    for (const response_format of [
      { type: "json_object" },
      {
        type: "json_schema",
        json_schema: { name: "w", schema: { type: "object", properties: { t: { type: "number" } } } },
      },
    ]) {
      expect(
        checkInput(schema, inputsFor(id, "/v1/chat/completions", { messages, response_format })),
      ).toEqual({ valid: true });
    }
  });
});

describe("embedding models", () => {
  it.each(
    MODEL_SPECS.filter((spec) => spec.task === "text-embeddings").map((spec) => [spec.id, spec] as const),
  )("%s accepts a string and a list of strings", (id, spec) => {
    for (const input of ["hello", ["a", "b"]]) {
      const inputs = inputsFor(id, "/v1/embeddings", { input });
      expect(checkInput(spec.schema?.input ?? {}, inputs)).toEqual({ valid: true });
    }
  });
});

describe("features a model lacks are a per-line 400 at validation", () => {
  const check = (model: string, extra: Record<string, unknown>) =>
    checkRequestLine(
      JSON.stringify({
        custom_id: "r",
        method: "POST",
        url: "/v1/chat/completions",
        body: { model, messages, ...extra },
      }),
      { endpoint: "/v1/chat/completions", catalogue, baseModel: null },
    );

  it.each([
    [
      "@cf/meta/llama-3.1-8b-instruct-fast",
      { response_format: { type: "json_object" } },
      "response_format",
      /JSON mode/,
    ],
    ["@cf/mistral/mistral-7b-instruct-v0.2-lora", { tools: [weatherTool] }, "tools", /function calling/],
    [
      "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
      { reasoning_effort: "high" },
      "reasoning_effort",
      /reasoning_effort/,
    ],
    [
      "@cf/openai/gpt-oss-120b",
      { reasoning_effort: "minimal" },
      "reasoning_effort",
      /reasoning_effort 'minimal'/,
    ],
    ["@cf/openai/gpt-oss-120b", { logprobs: true }, "logprobs", /logprobs/],
  ])("%s refuses %o", (model, extra, param, feature) => {
    const result = check(model, extra);
    expect(result).toMatchObject({
      ok: false,
      error: { code: "unsupported_parameter", param: `body.${param}` },
    });
    const message = result.ok ? "" : result.error.message;
    expect(message).toContain(model);
    expect(message).toMatch(feature);
  });

  it.each([
    [
      "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
      { response_format: { type: "json_object" }, tools: [weatherTool] },
    ],
    ["@cf/openai/gpt-oss-120b", { reasoning_effort: "low", logprobs: false }],
    ["@cf/meta/llama-3.1-8b-instruct-fast", { tools: [weatherTool], tool_choice: "none" }],
  ])("%s accepts %o", (model, extra) => {
    expect(check(model, extra).ok).toBe(true);
  });
});
