/**
 * The vocabulary of models and endpoints that validation, the services and the inference providers
 * share: which endpoints a batch may name, a model's task and limits, and how a line's
 * `body.model` resolves (the catalogue).
 */
export const BATCH_ENDPOINTS = [
  "/v1/responses",
  "/v1/chat/completions",
  "/v1/completions",
  "/v1/embeddings",
] as const;
export type BatchEndpoint = (typeof BATCH_ENDPOINTS)[number];

export type ModelTask = "text-generation" | "text-embeddings";

/** What a model can do, from its published JSON (properties and input schema). */
export type ModelFeatures = {
  /** Workers AI's queued batch requests (`queueRequest: true`). */
  asyncQueue: boolean;
  /** Accepts a LoRA adapter (`lora`). */
  lora: boolean;
  /** Answers `tools` with tool calls. */
  functionCalling: boolean;
  /** Takes `response_format` (JSON mode). */
  jsonMode: boolean;
  reasoning: boolean;
  /** The `reasoning_effort` values it takes; empty when it takes none. */
  reasoningEfforts: string[];
  /** Takes Responses API input (`input`). */
  responses: boolean;
  logprobs: boolean;
  vision: boolean;
  /** Refused on the Workers Free plan (403, code 5035). */
  workersPaid: boolean;
};

export type ModelInfo = {
  /** Workers AI model id, e.g. `@cf/meta/llama-3.3-70b-instruct-fp8-fast`. */
  id: string;
  task: ModelTask;
  /** The rate-limited pool the model's calls count against (`task:text-generation`, `model:<id>`). */
  pool: string;
  /** Requests per minute Workers AI allows this account for the pool. */
  rpm: number;
  /** Whether the model accepts a LoRA adapter (`lora`). */
  lora: boolean;
  features: ModelFeatures;
  contextWindow: number | null;
  price: { unit: string; price: number; currency: string }[] | null;
  /** Unix seconds the model was added to Workers AI, when the catalogue says. */
  created?: number;
};

/** A deployment-chosen name (e.g. `gpt-4o-mini`) for a Workers AI model. */
export type ModelAlias = { alias: string; target: string };

/** A line's model after alias mapping and LoRA naming. */
export type ResolvedModel = {
  /** What the caller wrote in `body.model` (or the batch's base model). */
  requested: string;
  /** The Workers AI model id that runs the request. */
  id: string;
  task: ModelTask;
  pool: string;
  rpm: number;
  features: ModelFeatures;
  /** LoRA adapter name or id, sent as `lora`, or null. */
  lora: string | null;
};

export interface ModelCatalogue {
  /** Every model this deployment serves. */
  list(): ModelInfo[];
  /**
   * Resolves a line's `body.model` (an `@cf/…` id, an alias, or — when `baseModel` is given — a
   * LoRA adapter name on it, `""`/absent meaning the base model). Null when nothing matches.
   */
  resolve(name: string | undefined, baseModel?: string | null): ResolvedModel | null;
  /** The alias map, for `/v1/models`. */
  aliases(): ModelAlias[];
  /** When Workers AI retired this model id (and what it names instead), else null. */
  retirement(name: string): { retiredOn: string; replacement: string | null } | null;
}

/** The model a batch line names in `body.model` (`requested`, as written) and what it resolves to. */
export function lineModel(
  catalogue: ModelCatalogue,
  body: Record<string, unknown>,
  baseModel: string | null,
): { requested: string | undefined; model: ResolvedModel | null } {
  const requested = typeof body.model === "string" ? body.model : undefined;
  return { requested, model: catalogue.resolve(requested, baseModel) };
}
