import { describe, expect, it } from "vitest";
import { asyncItem, asyncItemSchema, cutIntoRequests } from "../../src/inference/async-items";
import { modelSpec } from "../../src/inference/known-models";
import type { ModelSpec } from "../../src/inference/model-spec";
import type { InferenceRequest } from "../../src/inference/types";
import { inferenceRequest, resolved } from "./fixtures";

const GPT_OSS_ID = "@cf/openai/gpt-oss-120b";
const LLAMA_70B_ID = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
const BGE_BASE_ID = "@cf/baai/bge-base-en-v1.5";

function spec(id: string): ModelSpec {
  const found = modelSpec(id);
  if (!found) {
    throw new Error(`${id} is not in the model catalogue`);
  }
  return found;
}

function chatLine(id: string, body: Record<string, unknown>): InferenceRequest {
  return inferenceRequest("/v1/chat/completions", body, resolved(id));
}

/** The async item of a line for model `id`, using the checked-in catalogue's spec. */
function itemFor(id: string, request: InferenceRequest): Record<string, unknown> | null {
  return asyncItem(request, spec(id));
}

const USER = [{ role: "user", content: "Summarise the plot of Hamlet." }];

describe("asyncItemSchema", () => {
  it("finds the item schema of a model on the async queue", () => {
    const schema = asyncItemSchema(spec(LLAMA_70B_ID));
    expect(schema?.properties).toHaveProperty("prompt");
    expect(asyncItemSchema(spec(BGE_BASE_ID))?.properties).toHaveProperty("text");
  });

  it("is null for a model without the async queue, and for no spec", () => {
    expect(spec("@cf/baai/bge-m3").features.asyncQueue).toBe(false);
    expect(asyncItemSchema(spec("@cf/baai/bge-m3"))).toBeNull();
    expect(asyncItemSchema(spec("@cf/meta/llama-3.1-8b-instruct-fast"))).toBeNull();
    expect(asyncItemSchema(undefined)).toBeNull();
  });
});

describe("asyncItem: gpt-oss-120b", () => {
  it("sends the chat messages as the item's input", () => {
    expect(itemFor(GPT_OSS_ID, chatLine(GPT_OSS_ID, { messages: USER }))).toEqual({ input: USER });
  });

  it("carries reasoning_effort as reasoning.effort", () => {
    expect(spec(GPT_OSS_ID).features.reasoningEfforts).toContain("high");
    const item = itemFor(GPT_OSS_ID, chatLine(GPT_OSS_ID, { messages: USER, reasoning_effort: "high" }));
    expect(item).toEqual({ input: USER, reasoning: { effort: "high" } });
  });

  it("leaves a line asking for max_tokens or temperature to the synchronous path", () => {
    // the async item has no place for them: sending it anyway would silently drop them
    expect(itemFor(GPT_OSS_ID, chatLine(GPT_OSS_ID, { messages: USER, max_tokens: 64 }))).toBeNull();
    expect(itemFor(GPT_OSS_ID, chatLine(GPT_OSS_ID, { messages: USER, temperature: 0.2 }))).toBeNull();
  });
});

describe("asyncItem: llama-3.3-70b-instruct-fp8-fast", () => {
  it("sends a single user message as the prompt", () => {
    expect(itemFor(LLAMA_70B_ID, chatLine(LLAMA_70B_ID, { messages: USER }))).toEqual({
      prompt: "Summarise the plot of Hamlet.",
    });
  });

  it("keeps max_tokens, temperature and response_format", () => {
    const item = itemFor(
      LLAMA_70B_ID,
      chatLine(LLAMA_70B_ID, {
        messages: USER,
        max_tokens: 100,
        temperature: 0.3,
        response_format: { type: "json_object" },
      }),
    );
    expect(item).toEqual({
      prompt: "Summarise the plot of Hamlet.",
      max_tokens: 100,
      temperature: 0.3,
      response_format: { type: "json_object" },
    });
  });

  it("leaves a system + user chat to the synchronous path (a prompt cannot hold two turns)", () => {
    const body = { messages: [{ role: "system", content: "Be brief." }, ...USER] };
    expect(itemFor(LLAMA_70B_ID, chatLine(LLAMA_70B_ID, body))).toBeNull();
  });

  it("sends a user message of text parts as the same prompt the synchronous path would send", () => {
    const parts = [{ role: "user", content: [{ type: "text", text: "Hi" }] }];
    expect(itemFor(LLAMA_70B_ID, chatLine(LLAMA_70B_ID, { messages: parts }))).toEqual({ prompt: "Hi" });
  });

  it("leaves a line with a parameter the item lacks (stop) to the synchronous path", () => {
    expect(itemFor(LLAMA_70B_ID, chatLine(LLAMA_70B_ID, { messages: USER, stop: ["\n"] }))).toBeNull();
  });
});

describe("asyncItem: embeddings and models without the queue", () => {
  it("sends bge-base inputs as a text list", () => {
    const line = inferenceRequest("/v1/embeddings", { input: ["alpha", "beta"] }, resolved(BGE_BASE_ID));
    expect(itemFor(BGE_BASE_ID, line)).toEqual({ text: ["alpha", "beta"] });
  });

  it("leaves an embeddings line the item schema refuses (over 100 texts) to the synchronous path", () => {
    const input = Array.from({ length: 101 }, (_, i) => `text ${i}`);
    const line = inferenceRequest("/v1/embeddings", { input }, resolved(BGE_BASE_ID));
    expect(itemFor(BGE_BASE_ID, line)).toBeNull();
  });

  it("is null for bge-m3 and llama-3.1-8b-instruct-fast, which have no async queue", () => {
    const m3 = inferenceRequest("/v1/embeddings", { input: ["alpha"] }, resolved("@cf/baai/bge-m3"));
    expect(itemFor("@cf/baai/bge-m3", m3)).toBeNull();
    const fast = "@cf/meta/llama-3.1-8b-instruct-fast";
    expect(itemFor(fast, chatLine(fast, { messages: USER }))).toBeNull();
  });
});

describe("asyncItem: bodies the synchronous path refuses", () => {
  it("returns null rather than throwing, so the synchronous path words the error", () => {
    for (const id of [GPT_OSS_ID, LLAMA_70B_ID]) {
      expect(() => itemFor(id, chatLine(id, { messages: [] }))).not.toThrow();
      expect(itemFor(id, chatLine(id, { messages: [] }))).toBeNull();
      expect(itemFor(id, chatLine(id, { messages: USER, n: 2 }))).toBeNull();
    }
  });
});

describe("cutIntoRequests", () => {
  type Entry = { line: number; item: Record<string, unknown> };
  const entry = (line: number, text: string): Entry => ({ line, item: { prompt: text } });
  const bytes = (e: Entry): number => new TextEncoder().encode(JSON.stringify(e.item)).byteLength;

  it("keeps input order and caps the items per request", () => {
    const entries = Array.from({ length: 7 }, (_, i) => entry(i, `p${i}`));
    const requests = cutIntoRequests(entries, 3, 1_000_000);
    expect(requests.map((r) => r.map((e) => e.line))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it("keeps each request within the byte limit", () => {
    const entries = Array.from({ length: 10 }, (_, i) => entry(i, "x".repeat(10 + i * 7)));
    const maxBytes = 120;
    const requests = cutIntoRequests(entries, 100, maxBytes);
    expect(requests.flat().map((e) => e.line)).toEqual(entries.map((e) => e.line));
    expect(requests.length).toBeGreaterThan(1);
    for (const request of requests) {
      expect(request.reduce((sum, e) => sum + bytes(e) + 1, 0)).toBeLessThanOrEqual(maxBytes);
    }
  });

  it("gives an item bigger than the limit a request of its own", () => {
    const entries = [entry(0, "a"), entry(1, "b".repeat(500)), entry(2, "c")];
    expect(cutIntoRequests(entries, 10, 100).map((r) => r.map((e) => e.line))).toEqual([[0], [1], [2]]);
  });

  it("returns no requests for no items", () => {
    expect(cutIntoRequests([], 3, 100)).toEqual([]);
  });
});
