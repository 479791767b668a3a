import type { BatchEndpoint, InferenceRequest, ResolvedModel } from "../../src/inference/types";

export const LLAMA_8B: ResolvedModel = {
  requested: "@cf/meta/llama-3.1-8b-instruct-fp8",
  id: "@cf/meta/llama-3.1-8b-instruct-fp8",
  task: "text-generation",
  rpm: 300,
  lora: null,
};

export const LLAMA_70B: ResolvedModel = {
  requested: "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
  id: "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
  task: "text-generation",
  rpm: 300,
  lora: null,
};

export const BGE_SMALL: ResolvedModel = {
  requested: "@cf/baai/bge-small-en-v1.5",
  id: "@cf/baai/bge-small-en-v1.5",
  task: "text-embeddings",
  rpm: 3000,
  lora: null,
};

export function inferenceRequest(
  endpoint: BatchEndpoint,
  body: Record<string, unknown>,
  model: ResolvedModel = endpoint === "/v1/embeddings" ? BGE_SMALL : LLAMA_8B,
): InferenceRequest {
  return { endpoint, body, model };
}

export function chat(content: string, extra: Record<string, unknown> = {}): InferenceRequest {
  return inferenceRequest("/v1/chat/completions", { messages: [{ role: "user", content }], ...extra });
}
