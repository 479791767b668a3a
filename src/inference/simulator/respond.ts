import { aiError } from "./errors";
import { embeddingVectors, estimateTokens, hash53, replyText, sampleFromSchema } from "./generate";
import type { SimulatedModel } from "./models";

/**
 * The simulator's answers, in the shape each model's output schema gives: classic models answer
 * `{response, tool_calls?, usage?}` (usage only where the schema has it, as Workers AI omits it
 * there), models whose schema is a free-form object (gpt-oss, kimi) answer like their OpenAI-style
 * endpoints: a `chat.completion` for messages and prompts, a `response` for Responses input.
 */

type Inputs = Record<string, unknown>;

/** Workers AI's default `max_tokens` for text generation. */
const DEFAULT_MAX_TOKENS = 256;

function isObject(value: unknown): value is Inputs {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function declaresOutput(model: SimulatedModel, name: string): boolean {
  const branches = model.spec.schema?.output.oneOf;
  return Array.isArray(branches)
    ? branches.some((branch) => isObject(branch) && isObject(branch.properties) && name in branch.properties)
    : false;
}

type ToolCall = { name: string; arguments: unknown };

/** Models with function calling call a tool when given tools, unless the last message is a tool result. */
function toolCall(model: SimulatedModel, inputs: Inputs, text: string): ToolCall | null {
  const tools = Array.isArray(inputs.tools) ? inputs.tools.filter(isObject) : [];
  const messages = Array.isArray(inputs.messages) ? inputs.messages : [];
  const last = messages[messages.length - 1];
  const choice = inputs.tool_choice;
  if (!model.spec.features.functionCalling || tools.length === 0 || choice === "none") {
    return null;
  }
  if (isObject(last) && last.role === "tool") {
    return null;
  }
  const named = isObject(choice) && isObject(choice.function) ? choice.function.name : undefined;
  const functions = tools.map((tool) => (isObject(tool.function) ? tool.function : tool));
  const chosen = functions.find((fn) => fn.name === named) ?? functions[hash53(text) % functions.length];
  if (!chosen || typeof chosen.name !== "string") {
    return null;
  }
  return { name: chosen.name, arguments: sampleFromSchema(chosen.parameters, text) ?? {} };
}

/** JSON mode, for models whose schema takes `response_format`; others ignore it, as Workers AI does. */
function jsonReply(model: SimulatedModel, inputs: Inputs, reply: string): unknown | undefined {
  const format =
    isObject(inputs.response_format) && model.spec.features.jsonMode ? inputs.response_format : null;
  if (format?.type === "json_schema") {
    return sampleFromSchema(format.json_schema, reply);
  }
  return format?.type === "json_object" ? { reply } : undefined;
}

function usage(prompt: number, completion: number) {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/**
 * The model's answer to one input its schema accepts, as the sync path returns it (an async item's
 * result is the same); a LoRA adapter on a model that cannot load one fails with 5005.
 */
export function modelOutput(model: SimulatedModel, inputs: Inputs, text: string, now: number): unknown {
  if (typeof inputs.lora === "string" && !model.spec.features.lora) {
    throw aiError("5005", `The model ${model.name} does not support LoRa inference`);
  }
  return model.task === "Text Embeddings" ? embed(model, inputs) : generate(model, inputs, text, now);
}

export function embed(model: SimulatedModel, inputs: Inputs): unknown {
  const texts = typeof inputs.text === "string" ? [inputs.text] : (inputs.text as string[]);
  return {
    shape: [texts.length, model.dimensions],
    data: embeddingVectors(model.name, texts, model.dimensions),
    pooling: inputs.pooling === "cls" ? "cls" : "mean",
  };
}

export function generate(model: SimulatedModel, inputs: Inputs, text: string, now: number): unknown {
  const promptTokens = estimateTokens(text);
  const maxTokens =
    typeof inputs.max_tokens === "number"
      ? inputs.max_tokens
      : typeof inputs.max_completion_tokens === "number"
        ? inputs.max_completion_tokens
        : DEFAULT_MAX_TOKENS;
  const lora = typeof inputs.lora === "string" ? inputs.lora : null;
  const call = toolCall(model, inputs, text);
  const reply = replyText(model.name, text, lora);
  const json = call ? undefined : jsonReply(model, inputs, reply);
  const content = call ? "" : json !== undefined ? JSON.stringify(json) : reply;
  const completion = Math.min(maxTokens, estimateTokens(call ? JSON.stringify(call) : content));
  const truncated = json === undefined && !call ? content.slice(0, completion * 4) : content;

  if (declaresOutput(model, "response")) {
    const out: Inputs = { response: json !== undefined ? json : truncated };
    if (call) {
      out.tool_calls = [call];
    }
    if (declaresOutput(model, "usage")) {
      out.usage = usage(promptTokens, completion);
    }
    return out;
  }
  const reasoning = model.spec.features.reasoning ? `Thinking about "${text.slice(0, 40)}".` : null;
  const id = hash53(`${model.name}\u0000${text}`).toString(36);
  if (inputs.input !== undefined) {
    return responsesOutput(model, { id, now, text: truncated, reasoning, promptTokens, completion });
  }
  const message: Inputs = {
    role: "assistant",
    content: call ? null : truncated,
    reasoning_content: reasoning,
  };
  if (call) {
    message.tool_calls = [
      {
        id: `call_${id}`,
        type: "function",
        function: { name: call.name, arguments: JSON.stringify(call.arguments) },
      },
    ];
  }
  const finish = call ? "tool_calls" : completion >= maxTokens ? "length" : "stop";
  return {
    id: `chatcmpl-${id}`,
    object: "chat.completion",
    created: Math.floor(now / 1000),
    model: model.name,
    choices: [{ index: 0, message, finish_reason: finish }],
    usage: usage(promptTokens, completion),
  };
}

function responsesOutput(
  model: SimulatedModel,
  r: {
    id: string;
    now: number;
    text: string;
    reasoning: string | null;
    promptTokens: number;
    completion: number;
  },
): unknown {
  const output: Inputs[] = [];
  if (r.reasoning) {
    output.push({
      id: `rs_${r.id}`,
      type: "reasoning",
      content: [{ type: "reasoning_text", text: r.reasoning }],
    });
  }
  output.push({
    id: `msg_${r.id}`,
    type: "message",
    role: "assistant",
    status: "completed",
    content: [{ type: "output_text", text: r.text, annotations: [] }],
  });
  return {
    id: `resp_${r.id}`,
    object: "response",
    created_at: Math.floor(r.now / 1000),
    model: model.name,
    status: "completed",
    output,
    usage: {
      input_tokens: r.promptTokens,
      output_tokens: r.completion,
      total_tokens: r.promptTokens + r.completion,
    },
  };
}
