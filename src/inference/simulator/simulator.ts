import type { AiBinding } from "../ai-binding";
import { isWorkersAiCode, WORKERS_AI_CODES } from "../workers-ai-codes";
import { DEFAULT_SIMULATOR_CONFIG, type SimulatorConfig } from "./config";
import {
  type Directives,
  embeddingVectors,
  estimateTokens,
  hash53,
  parseDirectives,
  replyText,
  requestText,
  sampleFromSchema,
  unitInterval,
} from "./generate";
import { findSimulatedModel, type SimulatedModel, searchModels } from "./models";

type Inputs = Record<string, unknown>;

/** Workers AI's default `max_tokens` for text generation. */
const DEFAULT_MAX_TOKENS = 256;
const WINDOW_MS = 60_000;
/** Bounds the attempt ledger; the oldest entries go first (a Map iterates in insertion order). */
const MAX_TRACKED_REQUESTS = 50_000;

/** The binding's error class: workerd throws `InferenceUpstreamError` named after the upstream error. */
export class InferenceUpstreamError extends Error {
  constructor(message: string, name = "AiError") {
    super(message);
    this.name = name;
  }
}

function aiError(code: string, description?: string): InferenceUpstreamError {
  const known = isWorkersAiCode(code) ? WORKERS_AI_CODES[code].description : "Simulated error";
  return new InferenceUpstreamError(`${code}: ${description ?? known}`);
}

/**
 * State that must outlive one request: attempts per request (so `[sim:fail=3040x2]` and the
 * transient rate let a retry succeed) and each model's sliding RPM window. The default instance
 * lives for the isolate; `wrangler dev` and the test pool run everything in one isolate.
 */
export class SimulatorState {
  private readonly attempts = new Map<string, number>();
  private readonly windows = new Map<string, number[]>();

  /** 1 for the first call with this key, then 2, 3, … */
  nextAttempt(key: string): number {
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.delete(key);
    this.attempts.set(key, attempt);
    if (this.attempts.size > MAX_TRACKED_REQUESTS) {
      const oldest = this.attempts.keys().next().value;
      if (oldest !== undefined) {
        this.attempts.delete(oldest);
      }
    }
    return attempt;
  }

  /** Counts a request against the model's last-60-seconds window, unless the window is full. */
  admit(model: string, limit: number, now: number): boolean {
    const window = this.windows.get(model) ?? [];
    while (window.length > 0 && (window[0] ?? 0) <= now - WINDOW_MS) {
      window.shift();
    }
    this.windows.set(model, window);
    if (window.length >= limit) {
      return false;
    }
    window.push(now);
    return true;
  }
}

export const isolateSimulatorState = new SimulatorState();

export type SimulatorOptions = {
  config?: SimulatorConfig;
  state?: SimulatorState;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
};

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(aiError("3008"));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(aiError("3008"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function isObject(value: unknown): value is Inputs {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A stand-in for `env.AI` with no Cloudflare account: same `run`/`models` contract, same output
 * shapes per task, same error codes thrown the same way. See README "Workers AI simulator".
 */
export class WorkersAiSimulator implements AiBinding {
  private readonly config: SimulatorConfig;
  private readonly state: SimulatorState;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(options: SimulatorOptions = {}) {
    this.config = options.config ?? DEFAULT_SIMULATOR_CONFIG;
    this.state = options.state ?? isolateSimulatorState;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? wait;
  }

  async models(params?: AiModelsSearchParams): Promise<AiModelsSearchObject[]> {
    return searchModels(params);
  }

  async run(modelId: string, inputs: Inputs, options?: AiOptions): Promise<unknown> {
    const model = findSimulatedModel(modelId);
    if (!model) {
      throw aiError("5007", `No such model ${modelId} or task`);
    }
    const { rpmLimit } = this.config;
    if (rpmLimit > 0 && !this.state.admit(model.name, rpmLimit, this.now())) {
      throw aiError("3040", `Capacity temporarily exceeded: more than ${rpmLimit} requests per minute`);
    }
    const text = requestText(inputs);
    const directives = parseDirectives(text);
    const latency = directives.latencyMs ?? this.config.latencyMs;
    if (latency > 0) {
      await this.sleep(latency, options?.signal);
    }
    this.injectFailures(model, inputs, directives);
    if (typeof inputs.lora === "string" && !model.lora) {
      throw aiError("5005", `The model ${model.name} does not support LoRa inference`);
    }
    return model.task === "Text Embeddings" ? this.embed(model, inputs) : this.generate(model, inputs, text);
  }

  private injectFailures(model: SimulatedModel, inputs: Inputs, directives: Directives): void {
    const key = hash53(`${model.name}\u0000${JSON.stringify(inputs)}`).toString(36);
    const attempt = this.state.nextAttempt(key);
    const { fail } = directives;
    if (fail && (fail.attempts === null || attempt <= fail.attempts)) {
      throw aiError(fail.code);
    }
    const c = this.config;
    if (c.permanentErrorRate > 0 && unitInterval(`${key}:permanent`) < c.permanentErrorRate) {
      throw aiError(c.permanentErrorCode);
    }
    if (c.transientErrorRate > 0 && unitInterval(`${key}:${attempt}`) < c.transientErrorRate) {
      throw aiError(c.transientErrorCode);
    }
  }

  private embed(model: SimulatedModel, inputs: Inputs): unknown {
    const texts = typeof inputs.text === "string" ? [inputs.text] : inputs.text;
    if (!Array.isArray(texts) || texts.length === 0 || !texts.every((t) => typeof t === "string")) {
      throw aiError("5006", "Error: oneOf at '/' not met, required properties at '/' are 'text'");
    }
    const dimensions = model.dimensions ?? 768;
    return {
      shape: [texts.length, dimensions],
      data: embeddingVectors(model.name, texts, dimensions),
      pooling: "mean",
    };
  }

  private generate(model: SimulatedModel, inputs: Inputs, text: string): unknown {
    const hasMessages = Array.isArray(inputs.messages) && inputs.messages.every(isObject);
    if (!hasMessages && (typeof inputs.prompt !== "string" || inputs.prompt === "")) {
      throw aiError(
        "5006",
        "Error: oneOf at '/' not met, 0 matches: required properties at '/' are 'prompt', required properties at '/' are 'messages'",
      );
    }
    const promptTokens = estimateTokens(text);
    const maxTokens = typeof inputs.max_tokens === "number" ? inputs.max_tokens : DEFAULT_MAX_TOKENS;
    const lora = typeof inputs.lora === "string" ? inputs.lora : null;
    const usage = (completion: number) => ({
      prompt_tokens: promptTokens,
      completion_tokens: completion,
      total_tokens: promptTokens + completion,
    });

    const toolCall = this.toolCall(model, inputs, text);
    if (toolCall) {
      return { response: "", tool_calls: [toolCall], usage: usage(estimateTokens(JSON.stringify(toolCall))) };
    }
    const reply = replyText(model.name, text, lora);
    const format = isObject(inputs.response_format) ? inputs.response_format : null;
    if (format?.type === "json_object" || format?.type === "json_schema") {
      // JSON mode answers with `response` as an object, not a string (Workers AI "JSON Mode" docs)
      const response =
        format.type === "json_schema" ? sampleFromSchema(format.json_schema, reply) : { reply: reply };
      return { response, usage: usage(Math.min(maxTokens, estimateTokens(JSON.stringify(response)))) };
    }
    const completion = Math.min(maxTokens, estimateTokens(reply));
    return { response: reply.slice(0, completion * 4), usage: usage(completion) };
  }

  /** Models with function calling call a tool when given tools, unless the last message is a tool result. */
  private toolCall(
    model: SimulatedModel,
    inputs: Inputs,
    text: string,
  ): { name: string; arguments: unknown } | null {
    const tools = Array.isArray(inputs.tools) ? inputs.tools.filter(isObject) : [];
    const messages = Array.isArray(inputs.messages) ? inputs.messages : [];
    const last = messages[messages.length - 1];
    if (!model.functionCalling || tools.length === 0 || (isObject(last) && last.role === "tool")) {
      return null;
    }
    const choice =
      isObject(inputs.tool_choice) && isObject(inputs.tool_choice.function) ? inputs.tool_choice : null;
    const functions = tools.map((tool) => (isObject(tool.function) ? tool.function : tool));
    const chosen =
      functions.find((fn) => choice && isObject(choice.function) && fn.name === choice.function.name) ??
      functions[hash53(text) % functions.length];
    if (!chosen || typeof chosen.name !== "string") {
      return null;
    }
    return { name: chosen.name, arguments: sampleFromSchema(chosen.parameters, text) ?? {} };
  }
}
