import { newId } from "../domain/ids";
import { nowSeconds } from "../domain/time";
import type { InferenceRequest, InferenceSuccess, TextResult } from "./types";
import { invalidRequest } from "./workers-ai-errors";

/**
 * OpenAI's Responses API (`/v1/responses`) on Workers AI text-generation models. A line's body is
 * first rewritten as the Chat Completions body it means (`responsesToChatBody`), which the chat
 * translation turns into Workers AI `messages` input; the model's answer, parsed like a chat
 * answer, comes back as a Responses API object (`responseObject`).
 */

type Body = Record<string, unknown>;

function isObject(value: unknown): value is Body {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Responses content parts → chat content: text parts as one string, images as `image_url` parts. */
function chatContent(content: unknown, at: string): unknown {
  if (typeof content === "string") {
    return content;
  }
  if (!Array.isArray(content)) {
    throw invalidRequest(`'${at}.content' must be a string or an array of content parts.`);
  }
  const parts = content.map((part, index) => {
    if (!isObject(part)) {
      throw invalidRequest(`'${at}.content[${index}]' must be an object.`);
    }
    if ((part.type === "input_text" || part.type === "output_text") && typeof part.text === "string") {
      return { type: "text", text: part.text };
    }
    if (part.type === "input_image" && typeof part.image_url === "string") {
      return { type: "image_url", image_url: { url: part.image_url } };
    }
    throw invalidRequest(
      `'${at}.content[${index}]' has type '${String(part.type)}', which this Batch API does not support (input_text, output_text and input_image with an image_url are).`,
      "unsupported_value",
    );
  });
  return parts;
}

/** The fields of `fields` that are set. */
function defined(fields: Body): Body {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined && value !== null),
  );
}

type ChatMessage = Body & { role: string };

/** One Responses input item as chat messages (function calls merge into the assistant turn before). */
function addItem(messages: ChatMessage[], item: unknown, index: number): void {
  const at = `input[${index}]`;
  if (!isObject(item)) {
    throw invalidRequest(`'${at}' must be an object.`);
  }
  const type = item.type ?? "message";
  if (type === "message" && typeof item.role === "string") {
    messages.push({ role: item.role, content: chatContent(item.content, at) });
    return;
  }
  if (type === "function_call") {
    const call = {
      id: String(item.call_id ?? item.id ?? `call_${index}`),
      type: "function",
      function: { name: String(item.name ?? ""), arguments: String(item.arguments ?? "{}") },
    };
    const last = messages.at(-1);
    if (last?.role === "assistant" && Array.isArray(last.tool_calls)) {
      last.tool_calls.push(call);
    } else {
      messages.push({ role: "assistant", content: "", tool_calls: [call] });
    }
    return;
  }
  if (type === "function_call_output") {
    const output = typeof item.output === "string" ? item.output : JSON.stringify(item.output ?? "");
    messages.push({ role: "tool", tool_call_id: String(item.call_id ?? ""), content: output });
    return;
  }
  if (type === "reasoning") {
    return; // a previous turn's reasoning: the chat models take none back
  }
  throw invalidRequest(
    `'${at}' has type '${String(type)}', which this Batch API does not support (message, function_call, function_call_output and reasoning items are).`,
    "unsupported_value",
  );
}

/** `instructions` and `input` as chat `messages`. */
export function responsesMessages(body: Body): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (typeof body.instructions === "string" && body.instructions !== "") {
    messages.push({ role: "system", content: body.instructions });
  }
  if (typeof body.input === "string") {
    messages.push({ role: "user", content: body.input });
  } else if (Array.isArray(body.input)) {
    for (const [index, item] of body.input.entries()) {
      addItem(messages, item, index);
    }
  } else {
    throw invalidRequest("'input' must be a string or an array of input items.");
  }
  if (messages.every((message) => message.role === "system")) {
    throw invalidRequest("'input' must hold at least one message.");
  }
  return messages;
}

/** `text.format` as chat `response_format`; `{type: "text"}` and none mean plain text. */
function responseFormat(text: unknown): Body | undefined {
  const format = isObject(text) && isObject(text.format) ? text.format : undefined;
  if (format?.type === "json_object") {
    return { type: "json_object" };
  }
  if (format?.type === "json_schema") {
    const { name, schema, strict, description } = format;
    return { type: "json_schema", json_schema: defined({ name, schema, strict, description }) };
  }
  return undefined;
}

/** Responses function tools (`{type, name, parameters}`) as chat tools (`{type, function: {…}}`). */
function chatTool(tool: unknown, index: number): Body {
  if (!isObject(tool) || tool.type !== "function" || typeof tool.name !== "string") {
    throw invalidRequest(
      `'tools[${index}]' must be a function tool ({"type": "function", "name": …}); built-in tools are not supported.`,
      "unsupported_value",
    );
  }
  const { name, description, parameters, strict } = tool;
  return { type: "function", function: defined({ name, description, parameters, strict }) };
}

function chatToolChoice(choice: unknown): unknown {
  if (isObject(choice) && choice.type === "function" && typeof choice.name === "string") {
    return { type: "function", function: { name: choice.name } };
  }
  return choice ?? undefined;
}

/** The Chat Completions body a Responses API body means. Throws a permanent 400 for unusable bodies. */
export function responsesToChatBody(body: Body): Body {
  const chat: Body = {
    messages: responsesMessages(body),
    ...defined({ model: body.model, temperature: body.temperature, top_p: body.top_p, lora: body.lora }),
  };
  if (typeof body.max_output_tokens === "number") {
    chat.max_completion_tokens = body.max_output_tokens;
  }
  const format = responseFormat(body.text);
  if (format) {
    chat.response_format = format;
  }
  if (Array.isArray(body.tools) && body.tools.length > 0) {
    chat.tools = body.tools.map(chatTool);
    const choice = chatToolChoice(body.tool_choice);
    if (choice !== undefined) {
      chat.tool_choice = choice;
    }
  }
  if (isObject(body.reasoning) && typeof body.reasoning.effort === "string") {
    chat.reasoning_effort = body.reasoning.effort;
  }
  return chat;
}

/** The request as the chat translation sees it. */
export function asChatRequest(request: InferenceRequest): InferenceRequest {
  return { ...request, endpoint: "/v1/chat/completions", body: responsesToChatBody(request.body) };
}

function outputItems(result: TextResult, now: number): Body[] {
  const items: Body[] = [];
  if (result.text !== null && (result.text !== "" || result.toolCalls.length === 0)) {
    items.push({
      type: "message",
      id: newId("responseMessage", now),
      role: "assistant",
      status: result.finishReason === "length" ? "incomplete" : "completed",
      content: [{ type: "output_text", text: result.text, annotations: [] }],
    });
  }
  for (const call of result.toolCalls) {
    items.push({
      type: "function_call",
      id: newId("functionCall", now),
      call_id: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
      status: "completed",
    });
  }
  return items;
}

/** The Responses API object for a line, from its chat-parsed answer. */
export function responseObject(result: TextResult, request: InferenceRequest, now: number): InferenceSuccess {
  const { body } = request;
  const truncated = result.finishReason === "length";
  const format = isObject(body.text) && isObject(body.text.format) ? body.text.format : { type: "text" };
  const numberOr = (value: unknown, fallback: number) => (typeof value === "number" ? value : fallback);
  return {
    body: {
      id: newId("response", now),
      object: "response",
      created_at: nowSeconds(now),
      completed_at: truncated ? null : nowSeconds(now),
      status: truncated ? "incomplete" : "completed",
      error: null,
      incomplete_details: truncated ? { reason: "max_output_tokens" } : null,
      instructions: typeof body.instructions === "string" ? body.instructions : null,
      max_output_tokens: typeof body.max_output_tokens === "number" ? body.max_output_tokens : null,
      model: request.model.requested,
      output: outputItems(result, now),
      parallel_tool_calls: body.parallel_tool_calls !== false,
      previous_response_id: null,
      reasoning: isObject(body.reasoning) ? body.reasoning : null,
      temperature: numberOr(body.temperature, 1),
      text: { format },
      tool_choice: body.tool_choice ?? "auto",
      tools: Array.isArray(body.tools) ? body.tools : [],
      top_p: numberOr(body.top_p, 1),
      truncation: "disabled",
      metadata: isObject(body.metadata) ? body.metadata : {},
      usage: {
        input_tokens: result.promptTokens,
        input_tokens_details: { cached_tokens: result.cachedTokens },
        output_tokens: result.completionTokens,
        output_tokens_details: { reasoning_tokens: result.reasoningTokens },
        total_tokens: result.promptTokens + result.completionTokens,
      },
    },
    usage: {
      inputTokens: result.promptTokens,
      outputTokens: result.completionTokens,
      cachedTokens: result.cachedTokens,
      reasoningTokens: result.reasoningTokens,
    },
  };
}
