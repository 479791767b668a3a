import type { ModelInfo, ModelTask } from "./types";

/**
 * What this deployment knows about Workers AI models without asking the binding: the fallback
 * catalogue when `env.AI.models()` fails, the documented per-model rate limits (the catalogue
 * API does not report them), and the LoRA-capable models (not every one carries a `lora`
 * property in the catalogue). Sources: cloudflare-docs `workers-ai/platform/limits.mdx` and
 * `workers-ai/features/fine-tunes/loras.mdx`.
 */

const DEFAULT_RPM: Record<ModelTask, number> = {
  "text-generation": 300,
  "text-embeddings": 3000,
};

const RPM_EXCEPTIONS: Record<string, number> = {
  "@hf/thebloke/mistral-7b-instruct-v0.1-awq": 400,
  "@cf/microsoft/phi-2": 720,
  "@cf/qwen/qwen1.5-0.5b-chat": 1500,
  "@cf/qwen/qwen1.5-1.8b-chat": 720,
  "@cf/qwen/qwen1.5-14b-chat-awq": 150,
  "@cf/tinyllama/tinyllama-1.1b-chat-v1.0": 720,
  "@cf/baai/bge-large-en-v1.5": 1500,
};

const LORA_MODELS = new Set([
  "@cf/meta/llama-3.2-11b-vision-instruct",
  "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
  "@cf/meta/llama-guard-3-8b",
  "@cf/deepseek-ai/deepseek-r1-distill-qwen-32b",
  "@cf/qwen/qwen2.5-coder-32b-instruct",
  "@cf/qwen/qwq-32b",
  "@cf/mistralai/mistral-small-3.1-24b-instruct",
  "@cf/google/gemma-3-12b-it",
  "@cf/mistral/mistral-7b-instruct-v0.2-lora",
  "@cf/google/gemma-2b-it-lora",
  "@cf/google/gemma-7b-it-lora",
  "@cf/meta-llama/llama-2-7b-chat-hf-lora",
]);

/** Requests per minute Workers AI allows an account for this model. */
export function documentedRpm(id: string, task: ModelTask): number {
  return RPM_EXCEPTIONS[id] ?? DEFAULT_RPM[task];
}

export function isKnownLoraModel(id: string): boolean {
  return LORA_MODELS.has(id);
}

const TEXT_GENERATION = [
  "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
  "@cf/meta/llama-3.1-8b-instruct",
  "@cf/meta/llama-3.1-8b-instruct-fast",
  "@cf/meta/llama-3.1-8b-instruct-fp8",
  "@cf/meta/llama-3.1-8b-instruct-awq",
  "@cf/meta/llama-3.2-3b-instruct",
  "@cf/meta/llama-3.2-1b-instruct",
  "@cf/meta/llama-4-scout-17b-16e-instruct",
  "@cf/mistralai/mistral-small-3.1-24b-instruct",
  "@cf/google/gemma-3-12b-it",
  "@cf/qwen/qwen2.5-coder-32b-instruct",
  "@cf/qwen/qwq-32b",
  "@cf/qwen/qwen3-30b-a3b-fp8",
  "@cf/deepseek-ai/deepseek-r1-distill-qwen-32b",
  "@cf/openai/gpt-oss-120b",
  "@cf/openai/gpt-oss-20b",
  "@cf/mistral/mistral-7b-instruct-v0.2-lora",
];

const TEXT_EMBEDDINGS = [
  "@cf/baai/bge-small-en-v1.5",
  "@cf/baai/bge-base-en-v1.5",
  "@cf/baai/bge-large-en-v1.5",
  "@cf/baai/bge-m3",
];

export function modelInfo(id: string, task: ModelTask, extra: Partial<ModelInfo> = {}): ModelInfo {
  return { id, task, rpm: documentedRpm(id, task), lora: isKnownLoraModel(id), ...extra };
}

/** The fallback catalogue. */
export const KNOWN_MODELS: readonly ModelInfo[] = [
  ...TEXT_GENERATION.map((id) => modelInfo(id, "text-generation")),
  ...TEXT_EMBEDDINGS.map((id) => modelInfo(id, "text-embeddings")),
];

/**
 * Aliases used when `MODEL_ALIASES` is not set, so code written for OpenAI runs unchanged. The
 * served model is visible in `/v1/models` (`root`), never hidden.
 */
export const DEFAULT_MODEL_ALIASES: Readonly<Record<string, string>> = {
  "gpt-4o-mini": "@cf/meta/llama-3.1-8b-instruct-fp8",
  "gpt-4o": "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
  "text-embedding-3-small": "@cf/baai/bge-base-en-v1.5",
  "text-embedding-3-large": "@cf/baai/bge-large-en-v1.5",
};
