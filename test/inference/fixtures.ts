import { StaticCatalogue } from "../../src/inference/catalogue";
import { KNOWN_MODELS } from "../../src/inference/known-models";
import type { BatchEndpoint, InferenceRequest, ResolvedModel } from "../../src/inference/types";

const CATALOGUE = new StaticCatalogue(KNOWN_MODELS);

/** A model of the checked-in catalogue, resolved as a batch line would resolve it. */
export function resolved(id: string): ResolvedModel {
  const model = CATALOGUE.resolve(id);
  if (!model) {
    throw new Error(`${id} is not in the model catalogue`);
  }
  return model;
}

export const LLAMA_8B = resolved("@cf/meta/llama-3.1-8b-instruct-fast");
export const LLAMA_70B = resolved("@cf/meta/llama-3.3-70b-instruct-fp8-fast");
export const GPT_OSS = resolved("@cf/openai/gpt-oss-120b");
export const BGE_SMALL = resolved("@cf/baai/bge-base-en-v1.5");

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
