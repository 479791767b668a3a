import { z } from "zod";
import { newId } from "../domain/ids";
import { nowSeconds } from "../domain/time";
import { asChatRequest, responseObject } from "./responses-api";
import { embeddingTexts, requestedMaxTokens, stopSequences } from "./to-workers-ai";
import {
  type FinishReason,
  InferenceError,
  type InferenceRequest,
  type InferenceSuccess,
  type OpenAiToolCall,
  type TextResult,
} from "./types";

/**
 * Workers AI outputs → OpenAI response objects. Text models answer in one of two shapes: the
 * classic `{response, tool_calls?, usage?}` (with `response` an object in JSON mode), or, for newer
 * models, an OpenAI-style `{choices: [...], usage}`. Both are parsed with zod before use.
 */

/** Workers AI's default `max_tokens` for classic text models, used to recognise truncation. */
const WORKERS_AI_DEFAULT_MAX_TOKENS = 256;

const UsageSchema = z
  .object({
    prompt_tokens: z.number().nonnegative().optional(),
    completion_tokens: z.number().nonnegative().optional(),
    total_tokens: z.number().nonnegative().optional(),
    prompt_tokens_details: z.object({ cached_tokens: z.number().optional() }).nullish(),
    completion_tokens_details: z.object({ reasoning_tokens: z.number().optional() }).nullish(),
  })
  .nullish();

const OpenAiToolCallSchema = z.object({
  id: z.string().optional(),
  type: z.literal("function").optional(),
  function: z.object({
    name: z.string(),
    arguments: z.union([z.string(), z.record(z.string(), z.unknown())]),
  }),
});
const LegacyToolCallSchema = z.object({ name: z.string(), arguments: z.unknown().optional() });
const ToolCallSchema = z.union([OpenAiToolCallSchema, LegacyToolCallSchema]);

const ClassicTextSchema = z
  .object({
    response: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).nullish(),
    tool_calls: z.array(ToolCallSchema).nullish(),
    usage: UsageSchema,
  })
  .refine((output) => output.response != null || (output.tool_calls?.length ?? 0) > 0, {
    message: "neither a response nor tool calls",
  });

const ChoicesTextSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z
          .object({ content: z.string().nullish(), tool_calls: z.array(ToolCallSchema).nullish() })
          .optional(),
        text: z.string().nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: UsageSchema,
});

const EmbeddingsSchema = z.object({
  shape: z.array(z.number()).optional(),
  data: z.array(z.array(z.number())),
  usage: UsageSchema,
});

/**
 * A Responses API object: what models with a Responses-style input (gpt-oss, and its async queue
 * items, which take only `input`) answer for an `input` list.
 */
const ResponsesTextSchema = z.object({
  object: z.literal("response"),
  output: z.array(
    z.looseObject({
      type: z.string(),
      content: z.array(z.looseObject({ type: z.string(), text: z.string().optional() })).nullish(),
      name: z.string().optional(),
      arguments: z.string().optional(),
      call_id: z.string().optional(),
    }),
  ),
  usage: z
    .object({
      input_tokens: z.number().nonnegative().optional(),
      output_tokens: z.number().nonnegative().optional(),
      input_tokens_details: z.object({ cached_tokens: z.number().optional() }).nullish(),
      output_tokens_details: z.object({ reasoning_tokens: z.number().optional() }).nullish(),
    })
    .nullish(),
});

type Usage = z.infer<typeof UsageSchema>;
type ToolCall = z.infer<typeof ToolCallSchema>;

/** ≈ 4 characters per token: the estimate when Workers AI reports no usage. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function unexpectedOutput(error: z.ZodError): InferenceError {
  // the same input would most likely get the same shape again, so this is not retried
  return new InferenceError(`Workers AI returned an unexpected output: ${error.issues[0]?.message ?? ""}`, {
    status: 502,
    code: "invalid_upstream_response",
    transient: false,
  });
}

function toOpenAiToolCall(call: ToolCall, index: number): OpenAiToolCall {
  const id = "id" in call && call.id ? call.id : `call_${index}_${newId("request").slice(4)}`;
  const fn = "function" in call ? call.function : { name: call.name, arguments: call.arguments ?? {} };
  const args = typeof fn.arguments === "string" ? fn.arguments : JSON.stringify(fn.arguments);
  return { id, type: "function", function: { name: fn.name, arguments: args } };
}

function mapFinishReason(reason: string | null | undefined): FinishReason {
  return reason === "length" || reason === "tool_calls" || reason === "content_filter" ? reason : "stop";
}

/** Cuts text at the first stop sequence, as OpenAI does (the sequence itself is not returned). */
function cutAtStop(text: string, stops: string[]): { text: string; cut: boolean } {
  let end = -1;
  for (const stop of stops) {
    const at = text.indexOf(stop);
    if (at >= 0 && (end < 0 || at < end)) {
      end = at;
    }
  }
  return end < 0 ? { text, cut: false } : { text: text.slice(0, end), cut: true };
}

function promptText(request: InferenceRequest): string {
  const { body } = request;
  return Array.isArray(body.messages) ? JSON.stringify(body.messages) : JSON.stringify(body.prompt ?? "");
}

function usageNumbers(usage: Usage, request: InferenceRequest, text: string) {
  return {
    promptTokens: usage?.prompt_tokens ?? estimateTokens(promptText(request)),
    completionTokens: usage?.completion_tokens ?? estimateTokens(text),
    cachedTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
    reasoningTokens: usage?.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}

function parseResponsesOutput(
  output: z.infer<typeof ResponsesTextSchema>,
  request: InferenceRequest,
): TextResult {
  const texts = output.output
    .filter((item) => item.type === "message")
    .flatMap((item) => item.content ?? [])
    .filter((part) => part.type === "output_text")
    .map((part) => part.text ?? "");
  const toolCalls = output.output
    .filter((item) => item.type === "function_call" && item.name)
    .map((item, index) =>
      toOpenAiToolCall(
        {
          id: item.call_id,
          type: "function",
          function: { name: item.name ?? "", arguments: item.arguments ?? "{}" },
        },
        index,
      ),
    );
  const text = texts.length > 0 ? texts.join("") : null;
  const usage = output.usage;
  return {
    text,
    toolCalls,
    finishReason: toolCalls.length > 0 ? "tool_calls" : "stop",
    ...usageNumbers(
      usage
        ? {
            prompt_tokens: usage.input_tokens,
            completion_tokens: usage.output_tokens,
            prompt_tokens_details: usage.input_tokens_details,
            completion_tokens_details: usage.output_tokens_details,
          }
        : null,
      request,
      text ?? "",
    ),
  };
}

function parseTextOutput(output: unknown, request: InferenceRequest): TextResult {
  const responses = ResponsesTextSchema.safeParse(output);
  if (responses.success) {
    return parseResponsesOutput(responses.data, request);
  }
  const choices = ChoicesTextSchema.safeParse(output);
  if (choices.success) {
    const [choice] = choices.data.choices;
    const text = choice?.message?.content ?? choice?.text ?? null;
    const toolCalls = (choice?.message?.tool_calls ?? []).map(toOpenAiToolCall);
    return {
      text,
      toolCalls,
      finishReason: toolCalls.length > 0 ? "tool_calls" : mapFinishReason(choice?.finish_reason),
      ...usageNumbers(choices.data.usage, request, text ?? ""),
    };
  }
  const classic = ClassicTextSchema.safeParse(typeof output === "string" ? { response: output } : output);
  if (!classic.success) {
    throw unexpectedOutput(classic.error);
  }
  const { response, tool_calls, usage } = classic.data;
  const raw = typeof response === "string" ? response : response ? JSON.stringify(response) : "";
  const toolCalls = (tool_calls ?? []).map(toOpenAiToolCall);
  const numbers = usageNumbers(usage, request, raw);
  const { text, cut } = cutAtStop(raw, stopSequences(request.body));
  const maxTokens = requestedMaxTokens(request.body) ?? WORKERS_AI_DEFAULT_MAX_TOKENS;
  let finishReason: FinishReason = "stop";
  if (toolCalls.length > 0) {
    finishReason = "tool_calls";
  } else if (!cut && numbers.completionTokens >= maxTokens) {
    finishReason = "length";
  }
  return { text: toolCalls.length > 0 && text === "" ? null : text, toolCalls, finishReason, ...numbers };
}

/** OpenAI's chat/completions usage, with the prompt-cache hits and reasoning tokens it itemizes. */
function openAiUsage(result: TextResult) {
  return {
    prompt_tokens: result.promptTokens,
    completion_tokens: result.completionTokens,
    total_tokens: result.promptTokens + result.completionTokens,
    prompt_tokens_details: { cached_tokens: result.cachedTokens },
    completion_tokens_details: { reasoning_tokens: result.reasoningTokens },
  };
}

function tokenUsage(result: TextResult): InferenceSuccess["usage"] {
  return {
    inputTokens: result.promptTokens,
    outputTokens: result.completionTokens,
    cachedTokens: result.cachedTokens,
    reasoningTokens: result.reasoningTokens,
  };
}

function chatCompletion(output: unknown, request: InferenceRequest, now: number): InferenceSuccess {
  const result = parseTextOutput(output, request);
  const message: Record<string, unknown> = { role: "assistant", content: result.text, refusal: null };
  if (result.toolCalls.length > 0) {
    message.tool_calls = result.toolCalls;
  }
  return {
    body: {
      id: newId("chatCompletion", now),
      object: "chat.completion",
      created: nowSeconds(now),
      model: request.model.requested,
      choices: [{ index: 0, message, logprobs: null, finish_reason: result.finishReason }],
      usage: openAiUsage(result),
      system_fingerprint: null,
    },
    usage: tokenUsage(result),
  };
}

function textCompletion(output: unknown, request: InferenceRequest, now: number): InferenceSuccess {
  const result = parseTextOutput(output, request);
  return {
    body: {
      id: newId("completion", now),
      object: "text_completion",
      created: nowSeconds(now),
      model: request.model.requested,
      choices: [{ index: 0, text: result.text ?? "", logprobs: null, finish_reason: result.finishReason }],
      usage: openAiUsage(result),
      system_fingerprint: null,
    },
    usage: tokenUsage(result),
  };
}

/** OpenAI's `encoding_format: "base64"`: the float32 little-endian bytes, base64-encoded. */
function toBase64(vector: number[]): string {
  const bytes = new Uint8Array(new Float32Array(vector).buffer);
  let binary = "";
  for (const byte of bytes) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary);
}

function embeddings(output: unknown, request: InferenceRequest): InferenceSuccess {
  const parsed = EmbeddingsSchema.safeParse(output);
  if (!parsed.success) {
    throw unexpectedOutput(parsed.error);
  }
  const texts = embeddingTexts(request.body);
  if (parsed.data.data.length !== texts.length) {
    throw new InferenceError(
      `Workers AI returned ${parsed.data.data.length} embeddings for ${texts.length} inputs.`,
      {
        status: 502,
        code: "invalid_upstream_response",
        transient: false,
      },
    );
  }
  const base64 = request.body.encoding_format === "base64";
  const promptTokens =
    parsed.data.usage?.prompt_tokens ?? texts.reduce((sum, t) => sum + estimateTokens(t), 0);
  return {
    body: {
      object: "list",
      data: parsed.data.data.map((vector, index) => ({
        object: "embedding",
        index,
        embedding: base64 ? toBase64(vector) : vector,
      })),
      model: request.model.requested,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    },
    usage: { inputTokens: promptTokens, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0 },
  };
}

/** The OpenAI response for a line, from what `env.AI.run` returned for it. */
export function toOpenAiResponse(
  output: unknown,
  request: InferenceRequest,
  now: number = Date.now(),
): InferenceSuccess {
  switch (request.endpoint) {
    case "/v1/responses":
      return responseObject(parseTextOutput(output, asChatRequest(request)), request, now);
    case "/v1/chat/completions":
      return chatCompletion(output, request, now);
    case "/v1/completions":
      return textCompletion(output, request, now);
    case "/v1/embeddings":
      return embeddings(output, request);
  }
}
