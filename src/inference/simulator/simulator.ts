import type { AiBinding, AiRunOptions } from "../ai-binding";
import { retiredModel } from "../known-models";
import type { WorkersAiBatchEvent } from "../workers-ai-events";
import { acceptedItems, batchEvents, pollAnswer, queueRequest } from "./async-batch";
import { AsyncBatchQueue } from "./async-queue";
import { CapacityGate } from "./capacity";
import { DEFAULT_SIMULATOR_CONFIG, type SimulatorConfig } from "./config";
import { aiError, InferenceUpstreamError } from "./errors";
import { type Directives, hash53, parseDirectives, requestText, unitInterval } from "./generate";
import { findSimulatedModel, type SimulatedModel, searchModels } from "./models";
import { affinityKey, PrefixCache, withCachedTokens } from "./prefix-cache";
import { modelOutput } from "./respond";
import { checkInput } from "./validate-input";

export { InferenceUpstreamError };

type Inputs = Record<string, unknown>;

const WINDOW_MS = 60_000;
/** Bounds the attempt ledger; the oldest entries go first (a Map iterates in insertion order). */
const MAX_TRACKED_REQUESTS = 50_000;

/**
 * State that must outlive one request: attempts per request (so `[sim:fail=3040x2]` and the
 * transient rate let a retry succeed), each pool's sliding RPM window, each model's running
 * calls, the async batch queue and the prefix cache. The default instance lives for the isolate;
 * `wrangler dev` and the test pool run everything in one isolate.
 */
export class SimulatorState {
  private readonly attempts = new Map<string, number>();
  private readonly windows = new Map<string, number[]>();
  readonly capacity = new CapacityGate();
  readonly batches = new AsyncBatchQueue();
  readonly prefixes = new PrefixCache();

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

  /** Counts a request against the pool's last-60-seconds window, unless the window is full. */
  admit(pool: string, limit: number, now: number): boolean {
    const window = this.windows.get(pool) ?? [];
    while (window.length > 0 && (window[0] ?? 0) <= now - WINDOW_MS) {
      window.shift();
    }
    this.windows.set(pool, window);
    if (window.length >= limit) {
      return false;
    }
    window.push(now);
    return true;
  }
}

export const isolateSimulatorState = new SimulatorState();

/** Where Workers AI's Event Subscriptions would deliver batch events (a `Queue` binding fits). */
export type BatchEventQueue = {
  send(message: WorkersAiBatchEvent, options?: QueueSendOptions): Promise<unknown>;
};

export type SimulatorOptions = {
  config?: SimulatorConfig;
  state?: SimulatorState;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Receives `cf.workersAi.model.batch.*` events for async requests; none are sent when unset. */
  events?: BatchEventQueue;
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

/**
 * A stand-in for `env.AI` with no Cloudflare account: same `run`/`models` contract, same model
 * catalogue, inputs checked against each model's published schema, outputs in each model's output
 * shape, same error codes thrown the same way. See README "Workers AI simulator".
 */
export class WorkersAiSimulator implements AiBinding {
  private readonly config: SimulatorConfig;
  private readonly state: SimulatorState;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly events: BatchEventQueue | undefined;

  constructor(options: SimulatorOptions = {}) {
    this.config = options.config ?? DEFAULT_SIMULATOR_CONFIG;
    this.state = options.state ?? isolateSimulatorState;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? wait;
    this.events = options.events;
  }

  async models(params?: AiModelsSearchParams): Promise<AiModelsSearchObject[]> {
    return searchModels(params);
  }

  async run(modelId: string, inputs: Inputs, options?: AiRunOptions): Promise<unknown> {
    const model = findSimulatedModel(modelId);
    if (!model) {
      const retired = retiredModel(modelId) ? " (deprecated)" : "";
      throw aiError("5007", `No such model ${modelId}${retired} or task`);
    }
    if (model.spec.features.workersPaid && this.config.freePlan) {
      throw aiError("5035", `The model ${model.name} requires the Workers Paid plan`);
    }
    // async calls go to the batch queue, outside the per-minute limit and the model's sync capacity;
    // a poll may repeat `queueRequest` (the REST API's poll does), so `request_id` decides first
    if (typeof inputs.request_id === "string" && inputs.requests === undefined) {
      return this.poll(model, inputs.request_id);
    }
    if (options?.queueRequest === true) {
      return this.submit(model, inputs, options);
    }
    const { rpmLimit, capacity } = this.config;
    if (rpmLimit > 0 && !this.state.admit(model.spec.pool.key, rpmLimit, this.now())) {
      throw aiError("3040", `Capacity temporarily exceeded: more than ${rpmLimit} requests per minute`);
    }
    this.checkSchema(model, inputs);
    if (!(await this.state.capacity.enter(model.name, capacity, options?.rejectIfBusy !== true))) {
      throw aiError("3040", "Capacity temporarily exceeded, please try again.");
    }
    try {
      return await this.answer(model, inputs, options);
    } finally {
      this.state.capacity.leave(model.name, capacity);
    }
  }

  private async answer(model: SimulatedModel, inputs: Inputs, options?: AiRunOptions): Promise<unknown> {
    const text = requestText(inputs);
    const directives = parseDirectives(text);
    const latency = directives.latencyMs ?? this.config.latencyMs;
    if (latency > 0) {
      await this.sleep(latency, options?.signal);
    }
    this.injectFailures(model, inputs, directives);
    const output = modelOutput(model, inputs, text, this.now());
    if (model.task !== "Text Generation") {
      return output;
    }
    const key = affinityKey(options?.extraHeaders);
    return withCachedTokens(output, this.state.prefixes.lookup(model.name, key, inputs));
  }

  private async submit(model: SimulatedModel, inputs: Inputs, options: AiRunOptions): Promise<unknown> {
    const items = acceptedItems(model, inputs);
    const now = this.now();
    const request = queueRequest(model, items, {
      config: this.config,
      queue: this.state.batches,
      prefixes: this.state.prefixes,
      affinity: affinityKey(options.extraHeaders),
      now,
      nextAttempt: (key) => this.state.nextAttempt(key),
    });
    this.state.batches.add(request, now);
    if (this.events) {
      const lose = request.items.some((item) => item.directives.asyncLoseEvent === true);
      try {
        for (const { event, delaySeconds } of batchEvents(request, now, lose)) {
          await this.events.send(event, delaySeconds > 0 ? { delaySeconds } : undefined);
        }
      } catch (err) {
        // the request is queued either way: a lost event is what polling is for
        console.warn(`simulator: batch event for ${request.id} not sent`, err);
      }
    }
    return { status: "queued", model: model.name, request_id: request.id };
  }

  /**
   * An id this isolate never queued, or queued for another model, or forgotten an hour after it
   * was done, is refused with 5004 (400, "Invalid data"): Workers AI documents no code for it, and
   * a permanent one stops a consumer from polling a lost request forever.
   */
  private poll(model: SimulatedModel, requestId: string): unknown {
    const now = this.now();
    const request = this.state.batches.get(requestId, now);
    if (!request || request.model !== model.name) {
      throw aiError("5004", `No async batch request ${requestId} for ${model.name}`);
    }
    return pollAnswer(model, request, now, this.config);
  }

  /** Workers AI refuses an input its schema does not allow with 5006, before running anything. */
  private checkSchema(model: SimulatedModel, inputs: Inputs): void {
    if (model.spec.schema) {
      const check = checkInput(model.spec.schema.input, inputs);
      if (!check.valid) {
        throw aiError("5006", check.message);
      }
      return;
    }
    // no committed schema (see the model's data file): the shared Messages/Prompt rule only
    const messages = inputs.messages;
    const ok = Array.isArray(messages) ? messages.length > 0 : typeof inputs.prompt === "string";
    if (!ok && inputs.input === undefined) {
      throw aiError("5006", "Error: oneOf at '/' not met, required properties at '/' are 'messages'");
    }
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
}
