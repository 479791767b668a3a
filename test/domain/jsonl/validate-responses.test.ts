import { describe, expect, it } from "vitest";
import { checkRequestLine, type LineRules } from "../../../src/domain/jsonl/validate-line";
import { FakeCatalogue, GPT_OSS, LLAMA } from "./helpers";

const rules: LineRules = { endpoint: "/v1/responses", catalogue: new FakeCatalogue(), baseModel: null };
const line = (body: Record<string, unknown>, url = "/v1/responses") =>
  JSON.stringify({ custom_id: "r1", method: "POST", url, body });
const check = (body: Record<string, unknown>) => checkRequestLine(line(body), rules);

describe("checkRequestLine: /v1/responses lines", () => {
  it.each([
    ["a string input", { model: LLAMA, input: "Hi" }],
    ["message items", { model: LLAMA, input: [{ role: "user", content: "Hi" }], instructions: "Be brief." }],
    [
      "JSON mode on a model with it",
      { model: GPT_OSS, input: "Hi", text: { format: { type: "json_object" } } },
    ],
    ["plain text format on any model", { model: LLAMA, input: "Hi", text: { format: { type: "text" } } }],
    [
      "function tools on a model with function calling",
      { model: GPT_OSS, input: "Hi", tools: [{ type: "function", name: "f", parameters: {} }] },
    ],
  ])("accepts %s", (_label, body) => {
    expect(check(body)).toMatchObject({ ok: true, customId: "r1", model: { id: body.model } });
  });

  it.each([
    [
      "no input",
      { model: LLAMA },
      "missing_required_parameter",
      "Missing required parameter: 'body.input'.",
      "body.input",
    ],
    [
      "a numeric input",
      { model: LLAMA, input: 3 },
      "invalid_type",
      "Invalid type for 'body.input': expected a string or an array, but got an integer instead.",
      "body.input",
    ],
    [
      "an empty input array",
      { model: LLAMA, input: [] },
      "empty_array",
      "Invalid 'body.input': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      "body.input",
    ],
    [
      "stream: true",
      { model: LLAMA, input: "Hi", stream: true },
      "streaming_unsupported",
      "Responses: Streaming is not supported in the Batch API.",
      "body.stream",
    ],
    [
      "JSON mode on a model without it",
      { model: LLAMA, input: "Hi", text: { format: { type: "json_schema", name: "x", schema: {} } } },
      "unsupported_parameter",
      `The model '${LLAMA}' (${LLAMA}) does not support text.format 'json_schema' (JSON mode). GET /v1/models lists each model's capabilities.`,
      "body.text.format",
    ],
    [
      "tools on a model without function calling",
      { model: LLAMA, input: "Hi", tools: [{ type: "function", name: "f" }] },
      "unsupported_parameter",
      `The model '${LLAMA}' (${LLAMA}) does not support tools (function calling). GET /v1/models lists each model's capabilities.`,
      "body.tools",
    ],
    [
      "a built-in tool",
      { model: GPT_OSS, input: "Hi", tools: [{ type: "web_search" }] },
      "unsupported_parameter",
      "Tool type 'web_search' is not supported in the Batch API: only function tools are.",
      "body.tools[0]",
    ],
    [
      "previous_response_id",
      { model: LLAMA, input: "Hi", previous_response_id: "resp_1" },
      "unsupported_parameter",
      "'previous_response_id' is not supported in the Batch API: every line must carry its whole input.",
      "body.previous_response_id",
    ],
    [
      "an embeddings model",
      { model: "@cf/baai/bge-base-en-v1.5", input: "Hi" },
      "invalid_request",
      "The model '@cf/baai/bge-base-en-v1.5' is a text-embeddings model and cannot be used with /v1/responses.",
      "body.model",
    ],
  ])("refuses %s", (_label, body, code, message, param) => {
    expect(check(body)).toEqual({ ok: false, customId: "r1", error: { code, message, param } });
  });

  it("refuses a chat line in a /v1/responses batch", () => {
    const result = checkRequestLine(line({ model: LLAMA, input: "Hi" }, "/v1/chat/completions"), rules);
    expect(result).toMatchObject({ ok: false, error: { code: "invalid_url", param: "url" } });
  });
});
