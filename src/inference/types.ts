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
  /** Routes lines that share a prompt prefix to one model instance (see prefix-affinity.ts). */
  affinityKey?: string | null;
};

export type TokenUsage = {
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
};

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter";
export type OpenAiToolCall = { id: string; type: "function"; function: { name: string; arguments: string } };

/** A text model's answer, read from whichever output shape Workers AI gave (src/inference/to-openai.ts). */
export type TextResult = {
  text: string | null;
  toolCalls: OpenAiToolCall[];
  finishReason: FinishReason;
  promptTokens: number;
  completionTokens: number;
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

/** One item's answer from an async batch request; `index` is its place in the submitted list. */
export type AsyncItemResult = {
  index: number;
  externalReference: string | null;
  success: boolean;
  /** The model output (as the synchronous path returns it) or, when `success` is false, the error. */
  result: unknown;
};

export type AsyncPoll =
  | { state: "pending" }
  /** `usage`: the request's total, when Workers AI gives one. */
  | { state: "done"; items: AsyncItemResult[]; usage: { input: number; output: number } | null };

/**
 * Workers AI's async batch queue (`queueRequest: true`). `poll` throws an `InferenceError` when the
 * whole request failed.
 */
export interface AsyncBatchBackend {
  submit(modelId: string, items: Record<string, unknown>[], affinityKey: string | null): Promise<string>;
  poll(modelId: string, requestId: string): Promise<AsyncPoll>;
}
