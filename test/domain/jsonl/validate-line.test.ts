import { describe, expect, it } from "vitest";
import {
  checkRequestLine,
  InvalidRequestLineError,
  type LineRules,
  parseRequestLine,
} from "../../../src/domain/jsonl/validate-line";
import type { BatchEndpoint } from "../../../src/inference/types";
import { BGE, chatLine, FakeCatalogue, LLAMA, MISTRAL_LORA } from "./helpers";

const catalogue = new FakeCatalogue();
const rules = (
  endpoint: BatchEndpoint = "/v1/chat/completions",
  baseModel: string | null = null,
): LineRules => ({
  endpoint,
  catalogue,
  baseModel,
});
const chatBody = (body: Record<string, unknown>) => chatLine("r1", { body });
const lineFor = (url: BatchEndpoint, body: Record<string, unknown>) =>
  JSON.stringify({ custom_id: "r1", method: "POST", url, body });

type Case = [label: string, text: string, code: string, message: string, param: string | null];

const CHAT: Case[] = [
  ["not JSON", "{custom_id: r1}", "invalid_json_line", "This line is not parseable as valid JSON.", null],
  [
    "truncated JSON",
    chatLine("r1").slice(0, -1),
    "invalid_json_line",
    "This line is not parseable as valid JSON.",
    null,
  ],
  ["a JSON array", "[1,2]", "invalid_json_line", "This line is not parseable as valid JSON.", null],
  ["a JSON string", '"hello"', "invalid_json_line", "This line is not parseable as valid JSON.", null],
  ["JSON null", "null", "invalid_json_line", "This line is not parseable as valid JSON.", null],
  ...(["custom_id", "method", "url", "body"] as const).map(
    (field): Case => [
      `no ${field}`,
      chatLine("r1", { [field]: undefined }),
      "missing_required_parameter",
      `Missing required parameter: '${field}'.`,
      field,
    ],
  ),
  [
    "a null custom_id",
    chatLine("r1", { custom_id: null }),
    "missing_required_parameter",
    "Missing required parameter: 'custom_id'.",
    "custom_id",
  ],
  [
    "a numeric custom_id",
    chatLine("r1", { custom_id: 7 }),
    "invalid_type",
    "Invalid type for 'custom_id': expected a string, but got an integer instead.",
    "custom_id",
  ],
  [
    "an object custom_id",
    chatLine("r1", { custom_id: { id: 1 } }),
    "invalid_type",
    "Invalid type for 'custom_id': expected a string, but got an object instead.",
    "custom_id",
  ],
  [
    "method GET",
    chatLine("r1", { method: "GET" }),
    "invalid_value",
    "Invalid value: 'GET'. Supported values are: 'POST'.",
    "method",
  ],
  [
    "method post (lower case)",
    chatLine("r1", { method: "post" }),
    "invalid_value",
    "Invalid value: 'post'. Supported values are: 'POST'.",
    "method",
  ],
  [
    "a numeric method",
    chatLine("r1", { method: 1.5 }),
    "invalid_type",
    "Invalid type for 'method': expected a string, but got a decimal instead.",
    "method",
  ],
  [
    "another endpoint's url",
    chatLine("r1", { url: "/v1/embeddings" }),
    "invalid_url",
    "The URL provided for this request does not match the batch endpoint.",
    "url",
  ],
  [
    "a url with a trailing slash",
    chatLine("r1", { url: "/v1/chat/completions/" }),
    "invalid_url",
    "The URL provided for this request does not match the batch endpoint.",
    "url",
  ],
  [
    "an array url",
    chatLine("r1", { url: ["/v1/chat/completions"] }),
    "invalid_type",
    "Invalid type for 'url': expected a string, but got an array instead.",
    "url",
  ],
  [
    "a string body",
    chatLine("r1", { body: "{}" }),
    "invalid_type",
    "Invalid type for 'body': expected an object, but got a string instead.",
    "body",
  ],
  [
    "an array body",
    chatLine("r1", { body: [] }),
    "invalid_type",
    "Invalid type for 'body': expected an object, but got an array instead.",
    "body",
  ],
  [
    "no model",
    chatBody({ messages: [{ role: "user", content: "hi" }] }),
    "invalid_request",
    "Model parameter is required.",
    "body.model",
  ],
  [
    "an empty model",
    chatBody({ model: "", messages: [{ role: "user", content: "hi" }] }),
    "invalid_request",
    "Model parameter is required.",
    "body.model",
  ],
  [
    "a numeric model",
    chatBody({ model: 4, messages: [{ role: "user", content: "hi" }] }),
    "invalid_type",
    "Invalid type for 'body.model': expected a string, but got an integer instead.",
    "body.model",
  ],
  [
    "an unknown model",
    chatBody({ model: "nonexistent-model-xyz", messages: [{ role: "user", content: "hi" }] }),
    "model_not_found",
    "The provided model 'nonexistent-model-xyz' is not supported by the Batch API.",
    "body.model",
  ],
  [
    "an embedding model on chat",
    chatBody({ model: BGE, messages: [{ role: "user", content: "hi" }] }),
    "invalid_request",
    `The model '${BGE}' is a text-embeddings model and cannot be used with /v1/chat/completions.`,
    "body.model",
  ],
  [
    "stream: true",
    chatBody({ model: LLAMA, stream: true, messages: [{ role: "user", content: "hi" }] }),
    "streaming_unsupported",
    "Chat Completions: Streaming is not supported in the Batch API.",
    "body.stream",
  ],
  [
    "no messages",
    chatBody({ model: LLAMA }),
    "invalid_request",
    "Messages parameter is required.",
    "body.messages",
  ],
  [
    "a string for messages",
    chatBody({ model: LLAMA, messages: "hi" }),
    "invalid_type",
    "Invalid type for 'body.messages': expected an array, but got a string instead.",
    "body.messages",
  ],
  [
    "empty messages",
    chatBody({ model: LLAMA, messages: [] }),
    "empty_array",
    "Invalid 'body.messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
    "body.messages",
  ],
];

const OTHER_ENDPOINTS: [BatchEndpoint, ...Case][] = [
  [
    "/v1/completions",
    "no prompt",
    lineFor("/v1/completions", { model: LLAMA }),
    "invalid_request",
    "Prompt parameter is required.",
    "body.prompt",
  ],
  [
    "/v1/completions",
    "an object prompt",
    lineFor("/v1/completions", { model: LLAMA, prompt: { text: "hi" } }),
    "invalid_type",
    "Invalid type for 'body.prompt': expected a string or an array, but got an object instead.",
    "body.prompt",
  ],
  [
    "/v1/completions",
    "stream: true",
    lineFor("/v1/completions", { model: LLAMA, prompt: "hi", stream: true }),
    "streaming_unsupported",
    "Completions: Streaming is not supported in the Batch API.",
    "body.stream",
  ],
  [
    "/v1/embeddings",
    "no input",
    lineFor("/v1/embeddings", { model: BGE }),
    "invalid_request",
    "Input parameter is required.",
    "body.input",
  ],
  [
    "/v1/embeddings",
    "an empty input array",
    lineFor("/v1/embeddings", { model: BGE, input: [] }),
    "empty_array",
    "Invalid 'body.input': empty array. Expected an array with minimum length 1, but got an empty array instead.",
    "body.input",
  ],
  [
    "/v1/embeddings",
    "a boolean input",
    lineFor("/v1/embeddings", { model: BGE, input: true }),
    "invalid_type",
    "Invalid type for 'body.input': expected a string or an array, but got a boolean instead.",
    "body.input",
  ],
  [
    "/v1/embeddings",
    "a chat model",
    lineFor("/v1/embeddings", { model: LLAMA, input: "hi" }),
    "invalid_request",
    `The model '${LLAMA}' is a text-generation model and cannot be used with /v1/embeddings.`,
    "body.model",
  ],
  [
    "/v1/embeddings",
    "a chat url in an embeddings batch",
    chatLine("r1"),
    "invalid_url",
    "The URL provided for this request does not match the batch endpoint.",
    "url",
  ],
];

describe("checkRequestLine", () => {
  it.each(CHAT)("rejects %s on /v1/chat/completions", (_label, text, code, message, param) => {
    const check = checkRequestLine(text, rules());
    expect(check.ok).toBe(false);
    expect(!check.ok && check.error).toEqual({ code, message, param });
  });

  it.each(OTHER_ENDPOINTS)("rejects on %s: %s", (endpoint, _label, text, code, message, param) => {
    const check = checkRequestLine(text, rules(endpoint));
    expect(check.ok).toBe(false);
    expect(!check.ok && check.error).toEqual({ code, message, param });
  });

  it.each([
    ["/v1/chat/completions", chatLine("a")],
    [
      "/v1/chat/completions",
      chatBody({ model: "llama-3.1-8b", stream: false, messages: [{ role: "user" }] }),
    ],
    ["/v1/completions", lineFor("/v1/completions", { model: LLAMA, prompt: "" })],
    ["/v1/completions", lineFor("/v1/completions", { model: LLAMA, prompt: ["a", "b"] })],
    ["/v1/embeddings", lineFor("/v1/embeddings", { model: BGE, input: "hi" })],
    ["/v1/embeddings", lineFor("/v1/embeddings", { model: BGE, input: ["a", "b"] })],
  ] as const)("accepts a valid line on %s", (endpoint, text) => {
    expect(checkRequestLine(text, rules(endpoint))).toMatchObject({ ok: true });
  });

  it("checks required fields before types, in the order custom_id, method, url, body", () => {
    const text = JSON.stringify({ custom_id: 1, method: "GET", body: "x" });
    expect(checkRequestLine(text, rules())).toMatchObject({ error: { param: "url" } });
  });

  it("returns the custom_id of a bad line, for duplicate detection", () => {
    expect(checkRequestLine(chatLine("keep-me", { url: "/nope" }), rules())).toMatchObject({
      ok: false,
      customId: "keep-me",
    });
  });

  it("resolves an alias to its model and keeps what the line asked for", () => {
    const check = checkRequestLine(
      chatBody({ model: "llama-3.1-8b", messages: [{ role: "user" }] }),
      rules(),
    );
    expect(check).toMatchObject({
      ok: true,
      customId: "r1",
      model: {
        requested: "llama-3.1-8b",
        id: LLAMA,
        task: "text-generation",
        pool: "task:text-generation",
        rpm: 300,
        lora: null,
      },
    });
  });

  it("cuts a hostile model name short in the message", () => {
    const check = checkRequestLine(chatBody({ model: "m".repeat(100_000), messages: [{}] }), rules());
    expect(check.ok).toBe(false);
    const message = check.ok ? "" : check.error.message;
    expect(message).toBe(`The provided model '${"m".repeat(200)}…' is not supported by the Batch API.`);
  });

  describe("with a batch base model", () => {
    it.each([
      ["no model", { messages: [{ role: "user" }] }],
      ["a null model", { model: null, messages: [{ role: "user" }] }],
      ["an empty model", { model: "", messages: [{ role: "user" }] }],
    ])("runs a line with %s on the base model", (_label, body) => {
      expect(checkRequestLine(chatBody(body), rules("/v1/chat/completions", MISTRAL_LORA))).toMatchObject({
        ok: true,
        model: { id: MISTRAL_LORA, lora: null },
      });
    });

    it("resolves another name as a LoRA adapter on the base model", () => {
      const body = { model: "my-adapter", messages: [{ role: "user" }] };
      expect(checkRequestLine(chatBody(body), rules("/v1/chat/completions", MISTRAL_LORA))).toMatchObject({
        ok: true,
        model: { id: MISTRAL_LORA, lora: "my-adapter", requested: "my-adapter" },
      });
    });

    it("still reports an unknown name when the base model takes no adapters", () => {
      const body = { model: "my-adapter", messages: [{ role: "user" }] };
      expect(checkRequestLine(chatBody(body), rules("/v1/chat/completions", LLAMA))).toMatchObject({
        ok: false,
        error: { code: "model_not_found", param: "body.model" },
      });
    });
  });
});

describe("parseRequestLine", () => {
  it("returns the custom_id and body of a validated line", () => {
    expect(parseRequestLine(chatLine("x-1"))).toEqual({
      customId: "x-1",
      body: { model: LLAMA, messages: [{ role: "user", content: "hello x-1" }] },
    });
  });

  it.each(["not json", "[]", chatLine("x", { body: "s" }), chatLine("x", { custom_id: 3 })])(
    "throws InvalidRequestLineError for %s",
    (text) => {
      expect(() => parseRequestLine(text)).toThrow(InvalidRequestLineError);
    },
  );
});
