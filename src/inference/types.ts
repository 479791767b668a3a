/**
 * The inference provider contract: one interface in front of Workers AI (`env.AI`) and the local
 * simulator. Requests and responses are OpenAI-shaped; errors are `InferenceError`s that say
 * whether retrying can help.
 */
export const BATCH_ENDPOINTS = ["/v1/chat/completions", "/v1/completions", "/v1/embeddings"] as const;
export type BatchEndpoint = (typeof BATCH_ENDPOINTS)[number];

export type ModelTask = "text-generation" | "text-embeddings";

export type ModelInfo = {
  /** Workers AI model id, e.g. `@cf/meta/llama-3.1-8b-instruct`. */
  id: string;
  task: ModelTask;
  /** Requests per minute Workers AI allows this account for the model. */
  rpm: number;
  /** Whether the model accepts a LoRA adapter (`lora`). */
  lora: boolean;
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
  rpm: number;
  /** LoRA adapter name or id, sent as `lora`, or null. */
  lora: string | null;
};

export type InferenceRequest = {
  endpoint: BatchEndpoint;
  /** The line's OpenAI request body, as the user wrote it. */
  body: Record<string, unknown>;
  model: ResolvedModel;
};

export type TokenUsage = {
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
};

export type InferenceSuccess = {
  /** The OpenAI response object (`chat.completion`, `text_completion`, or an embeddings `list`). */
  body: Record<string, unknown>;
  usage: TokenUsage;
};

/** A failed model call. `status` is the HTTP status the error maps to, `code` Workers AI's code. */
export class InferenceError extends Error {
  override readonly name = "InferenceError";
  readonly status: number;
  readonly code: string;
  readonly transient: boolean;

  constructor(
    message: string,
    options: { status: number; code: string; transient: boolean; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.status = options.status;
    this.code = options.code;
    this.transient = options.transient;
  }
}

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
}

export interface InferenceProvider {
  run(request: InferenceRequest): Promise<InferenceSuccess>;
  catalogue(): Promise<ModelCatalogue>;
}
