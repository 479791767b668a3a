import { asChatRequest } from "./responses-api";
import type { InferenceRequest } from "./types";
import { invalidRequest } from "./workers-ai-errors";

/**
 * OpenAI request bodies → Workers AI `env.AI.run` inputs. Parameters Workers AI has no use for
 * (`logprobs`, `user`, `metadata`, …) are dropped; ones it would reject with a 5006 schema error
 * are brought into its ranges; requests it cannot honour at all become a permanent 400.
 */

type Body = Record<string, unknown>;
type Inputs = Record<string, unknown>;

/** Workers AI's `seed` range (the model schemas say 1..9999999999). */
const SEED_MAX = 9_999_999_999;
/** Workers AI's `top_p` minimum; OpenAI allows 0, which means "greedy". */
const TOP_P_MIN = 0.001;

function isObject(value: unknown): value is Body {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function numberParam(body: Body, name: string): number | undefined {
  const value = body[name];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function setIfDefined(inputs: Inputs, name: string, value: unknown): void {
  if (value !== undefined) {
    inputs[name] = value;
  }
}

/** The sampling parameters chat and completions share. */
function samplingInputs(body: Body): Inputs {
  const inputs: Inputs = {};
  setIfDefined(
    inputs,
    "max_tokens",
    numberParam(body, "max_completion_tokens") ?? numberParam(body, "max_tokens"),
  );
  setIfDefined(inputs, "temperature", numberParam(body, "temperature"));
  const topP = numberParam(body, "top_p");
  setIfDefined(inputs, "top_p", topP === undefined ? undefined : Math.max(TOP_P_MIN, topP));
  const seed = numberParam(body, "seed");
  if (seed !== undefined) {
    // keep the seed deterministic: the same OpenAI seed always maps to the same Workers AI seed
    const integer = Math.trunc(seed);
    inputs.seed = integer >= 1 && integer <= SEED_MAX ? integer : 1 + (Math.abs(integer) % SEED_MAX);
  }
  setIfDefined(inputs, "frequency_penalty", numberParam(body, "frequency_penalty"));
  setIfDefined(inputs, "presence_penalty", numberParam(body, "presence_penalty"));
  // models without `stop` ignore it; the response is cut at the stop sequence afterwards either way
  const stop = stopSequences(body);
  if (stop.length > 0) {
    inputs.stop = stop;
  }
  if (typeof body.raw === "boolean") {
    inputs.raw = body.raw;
  }
  const n = numberParam(body, "n");
  if (n !== undefined && n !== 1) {
    throw invalidRequest("Only n=1 is supported by this Batch API.", "unsupported_value");
  }
  return inputs;
}

export function stopSequences(body: Body): string[] {
  const stop = body.stop;
  if (typeof stop === "string") {
    return stop === "" ? [] : [stop];
  }
  return Array.isArray(stop) ? stop.filter((s): s is string => typeof s === "string" && s !== "") : [];
}

/** The effective max_tokens a request asked for, if any. */
export function requestedMaxTokens(body: Body): number | undefined {
  return numberParam(body, "max_completion_tokens") ?? numberParam(body, "max_tokens");
}

function loraInput(request: InferenceRequest): Inputs {
  const explicit = request.body.lora;
  const lora = typeof explicit === "string" && explicit !== "" ? explicit : request.model.lora;
  return lora ? { lora } : {};
}

/** Text-only content arrays become a string (what every text model accepts); others pass as is. */
function messageContent(content: unknown): unknown {
  if (content === undefined || content === null) {
    return "";
  }
  if (!Array.isArray(content)) {
    return content;
  }
  const textOnly = content.every(
    (part) => isObject(part) && part.type === "text" && typeof part.text === "string",
  );
  return textOnly ? content.map((part) => (part as { text: string }).text).join("\n") : content;
}

function toMessage(message: unknown, index: number): Inputs {
  if (!isObject(message) || typeof message.role !== "string") {
    throw invalidRequest(`messages[${index}] must be an object with a 'role'.`);
  }
  // Workers AI chat templates know system/user/assistant/tool; `developer` is OpenAI's new system
  const role = message.role === "developer" ? "system" : message.role;
  const out: Inputs = { role, content: messageContent(message.content) };
  for (const field of ["name", "tool_call_id", "tool_calls"] as const) {
    setIfDefined(out, field, message[field] ?? undefined);
  }
  return out;
}

function responseFormat(value: unknown): Inputs | undefined {
  if (!isObject(value)) {
    return undefined;
  }
  if (value.type === "json_object") {
    return { type: "json_object" };
  }
  if (value.type === "json_schema") {
    // Workers AI's JSON mode takes the JSON Schema itself as `json_schema`, not OpenAI's wrapper
    const wrapper = isObject(value.json_schema) ? value.json_schema : {};
    return { type: "json_schema", json_schema: isObject(wrapper.schema) ? wrapper.schema : {} };
  }
  return undefined;
}

/**
 * OpenAI tools in the shape Workers AI's schemas require: they make `description` and the
 * parameters' `type`/`properties` (and each parameter's `description`) mandatory where OpenAI
 * makes them optional, so missing ones are filled with empty values instead of failing with 5006.
 */
function toTool(tool: unknown): unknown {
  if (!isObject(tool) || !isObject(tool.function)) {
    return tool;
  }
  const fn = tool.function;
  const parameters = isObject(fn.parameters) ? fn.parameters : {};
  const properties = isObject(parameters.properties) ? parameters.properties : {};
  const described = Object.fromEntries(
    Object.entries(properties).map(([name, prop]) => [
      name,
      isObject(prop) ? { ...prop, type: prop.type ?? "string", description: prop.description ?? "" } : prop,
    ]),
  );
  return {
    type: "function",
    function: {
      ...fn,
      description: typeof fn.description === "string" ? fn.description : "",
      parameters: { ...parameters, type: parameters.type ?? "object", properties: described },
    },
  };
}

function chatInputs(request: InferenceRequest): Inputs {
  const { body } = request;
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw invalidRequest("'messages' must be a non-empty array.");
  }
  const inputs: Inputs = { messages: body.messages.map(toMessage), ...samplingInputs(body) };
  setIfDefined(inputs, "response_format", responseFormat(body.response_format));
  if (typeof body.reasoning_effort === "string" && request.model.features.reasoningEfforts.length > 0) {
    inputs.reasoning_effort = body.reasoning_effort;
  }
  if (Array.isArray(body.tools) && body.tools.length > 0 && body.tool_choice !== "none") {
    inputs.tools = body.tools.map(toTool);
    setIfDefined(inputs, "tool_choice", body.tool_choice ?? undefined);
  }
  return { ...inputs, ...loraInput(request) };
}

function completionInputs(request: InferenceRequest): Inputs {
  const { body } = request;
  const prompt = Array.isArray(body.prompt) && body.prompt.length === 1 ? body.prompt[0] : body.prompt;
  if (typeof prompt !== "string" || prompt === "") {
    throw invalidRequest(
      "'prompt' must be a non-empty string or an array of one string; send one prompt per line.",
      "unsupported_value",
    );
  }
  return { prompt, ...samplingInputs(body), ...loraInput(request) };
}

/** The texts of an embeddings request, in order. */
export function embeddingTexts(body: Body): string[] {
  const input = body.input;
  const texts = typeof input === "string" ? [input] : Array.isArray(input) ? input : null;
  if (!texts || texts.length === 0 || !texts.every((text) => typeof text === "string")) {
    throw invalidRequest(
      "'input' must be a string or a non-empty array of strings (token arrays are not supported).",
    );
  }
  return texts;
}

/** The Workers AI inputs for one batch line. Throws a permanent `InferenceError` for unusable bodies. */
export function toWorkersAiInputs(request: InferenceRequest): Inputs {
  switch (request.endpoint) {
    case "/v1/responses":
      return chatInputs(asChatRequest(request));
    case "/v1/chat/completions":
      return chatInputs(request);
    case "/v1/completions":
      return completionInputs(request);
    case "/v1/embeddings":
      return { text: embeddingTexts(request.body) };
  }
}
