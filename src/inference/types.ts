/**
 * The inference provider contract: one interface in front of Workers AI (`env.AI`) and the local
 * simulator. Requests and responses are OpenAI-shaped; errors are `InferenceError`s that say
 * whether retrying can help.
 */
import type { BatchEndpoint, ModelCatalogue, ResolvedModel } from "../domain/models";

export {
  BATCH_ENDPOINTS,
  type BatchEndpoint,
  type ModelAlias,
  type ModelCatalogue,
  type ModelInfo,
  type ModelTask,
  type ResolvedModel,
} from "../domain/models";

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

export interface InferenceProvider {
  run(request: InferenceRequest): Promise<InferenceSuccess>;
  catalogue(): Promise<ModelCatalogue>;
}
