import type { JsonSchema } from "../model-spec";
import { WORKERS_AI_BATCH_EVENT_TYPES, type WorkersAiBatchEvent } from "../workers-ai-events";
import type { AsyncBatchQueue, QueuedItem, QueuedRequest } from "./async-queue";
import type { SimulatorConfig } from "./config";
import { aiError, codeDescription, codeStatus, errorParts } from "./errors";
import { estimateTokens, hash53, parseDirectives, requestText, unitInterval } from "./generate";
import type { SimulatedModel } from "./models";
import type { PrefixCache } from "./prefix-cache";
import { withCachedTokens } from "./prefix-cache";
import { modelOutput } from "./respond";
import { checkInput } from "./validate-input";

/**
 * Workers AI's async batch API (cloudflare-docs `workers-ai/features/batch-api/workers-binding.mdx`)
 * in the simulator: which submissions are accepted, what a poll answers, and the Event
 * Subscriptions events a request publishes. Timing comes from `AsyncBatchQueue`.
 */

type Inputs = Record<string, unknown>;

/** "Ensure that the total payload is under 10 MB" (the JSON body, in bytes). */
export const ASYNC_PAYLOAD_LIMIT_BYTES = 10_000_000;
/** Queues' longest delivery delay (12 hours): a later completion event is sent at that delay. */
const MAX_EVENT_DELAY_SECONDS = 43_200;
/** Stand-ins for the account and subscription ids Workers AI puts in an event's metadata. */
const SIMULATED_ACCOUNT_ID = "00000000000000000000000000000000";
const SIMULATED_SUBSCRIPTION_ID = "5111a7ed000000000000000000000000";

function isObject(value: unknown): value is Inputs {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

type AsyncSchemas = { item: JsonSchema; sync: JsonSchema };

/** Per published input schema (module constants, so bounded): its async item schema, if it has one. */
const asyncSchemaCache = new WeakMap<JsonSchema, AsyncSchemas | null>();

function requestsItems(branch: unknown): JsonSchema | null {
  const requests = isObject(branch) && isObject(branch.properties) ? branch.properties.requests : null;
  return isObject(requests) && requests.type === "array" && isObject(requests.items) ? requests.items : null;
}

/**
 * A model takes async batches when the catalogue says so (`async_queue`) and its published input
 * schema has the branch for it: an object whose `requests` is an array of items. `sync` is the
 * schema without that branch, which an item must also meet so that it can run like a sync call.
 */
function asyncSchemas(model: SimulatedModel): AsyncSchemas | null {
  const input = model.spec.schema?.input;
  if (!model.spec.features.asyncQueue || !input) {
    return null;
  }
  const cached = asyncSchemaCache.get(input);
  if (cached !== undefined) {
    return cached;
  }
  const branches: unknown[] = Array.isArray(input.oneOf) ? input.oneOf : [];
  const branch = branches.find((candidate) => requestsItems(candidate) !== null);
  const item = requestsItems(branch);
  const found = item ? { item, sync: { ...input, oneOf: branches.filter((b) => b !== branch) } } : null;
  asyncSchemaCache.set(input, found);
  return found;
}

/**
 * The items of a submission Workers AI would accept, or the error it refuses it with: 3006 when the
 * body is 10 MB or more; 5006, the code of an input its schema does not allow, for a model with no
 * async branch (its schema has no shape that takes `requests`), for a missing or empty `requests`,
 * and for any invalid item, which refuses the whole submission as the sync path refuses its input.
 */
export function acceptedItems(model: SimulatedModel, inputs: Inputs): Inputs[] {
  const bytes = new TextEncoder().encode(JSON.stringify(inputs)).byteLength;
  if (bytes >= ASYNC_PAYLOAD_LIMIT_BYTES) {
    throw aiError("3006", `Request is too large: ${bytes} bytes, an async batch must be under 10 MB`);
  }
  const schemas = asyncSchemas(model);
  if (!schemas) {
    throw aiError("5006", `Error: oneOf at '/' not met, ${model.name} takes no async batch (queueRequest)`);
  }
  const { requests } = inputs;
  if (!Array.isArray(requests) || requests.length === 0) {
    throw aiError(
      "5006",
      "Error: oneOf at '/' not met, required properties at '/' are 'requests' (non-empty)",
    );
  }
  requests.forEach((item, index) => {
    for (const schema of [schemas.item, schemas.sync]) {
      const check = checkInput(schema, item);
      if (!check.valid) {
        throw aiError("5006", `${check.message} (in '/requests/${index}')`);
      }
    }
  });
  return requests as Inputs[];
}

export type SubmitContext = {
  config: SimulatorConfig;
  queue: AsyncBatchQueue;
  prefixes: PrefixCache;
  affinity: string | null;
  now: number;
  /** The attempt counter the sync path uses, so `[sim:async_request_fail=3040x1]` lets a resubmit pass. */
  nextAttempt: (key: string) => number;
};

/** Queues accepted items: fixes each item's timing, cached tokens and whether the request fails. */
export function queueRequest(model: SimulatedModel, items: Inputs[], ctx: SubmitContext): QueuedRequest {
  const slots = ctx.queue.schedule(items.length, ctx.config.asyncCapacity, ctx.now);
  const queued = items.map((item, index): QueuedItem => {
    const { external_reference: reference, ...inputs } = item;
    const text = requestText(inputs);
    const slot = slots[index] ?? { startAt: ctx.now, doneAt: ctx.now };
    const cachedTokens =
      model.task === "Text Generation" ? ctx.prefixes.lookup(model.name, ctx.affinity, inputs) : 0;
    return {
      inputs,
      externalReference: typeof reference === "string" ? reference : null,
      text,
      directives: parseDirectives(text),
      ...slot,
      cachedTokens,
    };
  });
  const requestFail = queued.map((item) => item.directives.asyncRequestFail).find((fail) => fail);
  let failure: QueuedRequest["failure"] = null;
  if (requestFail) {
    const attempt = ctx.nextAttempt(`async:${hash53(`${model.name}\u0000${JSON.stringify(items)}`)}`);
    failure =
      requestFail.attempts === null || attempt <= requestFail.attempts ? { code: requestFail.code } : null;
  }
  const first = queued[0];
  const last = queued[queued.length - 1];
  return {
    id: crypto.randomUUID(),
    model: model.name,
    items: queued,
    startAt: first?.startAt ?? ctx.now,
    doneAt: last?.doneAt ?? ctx.now,
    failure,
  };
}

export type AsyncItemResponse = {
  id: number;
  result: unknown;
  success: boolean;
  external_reference: string | null;
};

type Tokens = { prompt: number; completion: number };

/** The code an item fails with: an unlimited `[sim:fail=CODE]` or the permanent error rate. */
function itemFailureCode(model: SimulatedModel, item: QueuedItem, config: SimulatorConfig): string | null {
  const { fail } = item.directives;
  // the queue retries transient failures itself, so `[sim:fail=3040x2]` ends in a success
  if (fail && fail.attempts === null) {
    return fail.code;
  }
  // the same key as the sync path's, so the same inputs fail both ways
  const key = hash53(`${model.name}\u0000${JSON.stringify(item.inputs)}`).toString(36);
  const rate = config.permanentErrorRate;
  return rate > 0 && unitInterval(`${key}:permanent`) < rate ? config.permanentErrorCode : null;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" ? value : fallback;
}

function tokensOf(output: unknown, text: string): Tokens {
  const usage = isObject(output) && isObject(output.usage) ? output.usage : {};
  return {
    prompt: numberOr(usage.prompt_tokens, numberOr(usage.input_tokens, estimateTokens(text))),
    completion: numberOr(usage.completion_tokens, numberOr(usage.output_tokens, 0)),
  };
}

/**
 * One item's entry in the poll answer. A failed item is the simulator's choice of shape (Workers AI
 * documents only successes): `{id, success: false, result: {errors: [{code, message}]}, external_reference}`
 * with `code` a number, as in Workers AI's REST error envelope.
 */
function itemResponse(
  model: SimulatedModel,
  item: QueuedItem,
  id: number,
  config: SimulatorConfig,
): { response: AsyncItemResponse; tokens: Tokens } {
  const base = { id, external_reference: item.externalReference };
  const failed = (code: string, message: string) => ({
    response: { ...base, success: false, result: { errors: [{ code: Number(code), message }] } },
    tokens: { prompt: 0, completion: 0 },
  });
  const code = itemFailureCode(model, item, config);
  if (code !== null) {
    return failed(code, codeDescription(code));
  }
  try {
    const output = modelOutput(model, item.inputs, item.text, item.doneAt);
    return {
      response: { ...base, success: true, result: withCachedTokens(output, item.cachedTokens) },
      tokens: tokensOf(output, item.text),
    };
  } catch (err) {
    const parts = errorParts(err);
    return failed(parts.code, parts.message);
  }
}

/**
 * Deterministic, never submission order: Workers AI answers out of order, and a consumer that
 * assumed otherwise should find out here. Ranked by a hash of each item; rotated if that is sorted.
 */
function responseOrder(request: QueuedRequest): number[] {
  const rank = request.items.map((item, index) => hash53(`${index}\u0000${item.text}`));
  const order = request.items.map((_, index) => index).sort((a, b) => (rank[a] ?? 0) - (rank[b] ?? 0));
  const sorted = order.every((value, index) => value === index);
  return sorted && order.length > 1 ? [...order.slice(1), ...order.slice(0, 1)] : order;
}

/** The poll answer: a status while not done, the responses once done; a failed request throws. */
export function pollAnswer(
  model: SimulatedModel,
  request: QueuedRequest,
  now: number,
  config: SimulatorConfig,
): unknown {
  if (now < request.doneAt) {
    const status = now < request.startAt ? "queued" : "running";
    return { status, request_id: request.id, model: request.model };
  }
  if (request.failure) {
    throw aiError(request.failure.code);
  }
  const usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  const responses = responseOrder(request).map((index) => {
    const item = request.items[index] as QueuedItem;
    const { response, tokens } = itemResponse(model, item, index, config);
    usage.prompt_tokens += tokens.prompt;
    usage.completion_tokens += tokens.completion;
    usage.total_tokens += tokens.prompt + tokens.completion;
    return response;
  });
  return { responses, usage };
}

export type ScheduledEvent = { event: WorkersAiBatchEvent; delaySeconds: number };

/**
 * The events a submission publishes: `queued` now and, unless `lose`, `succeeded` or `failed`
 * delayed until the request is done (whole seconds rounded up, at most Queues' 12 hours).
 */
export function batchEvents(request: QueuedRequest, now: number, lose: boolean): ScheduledEvent[] {
  const source = { type: "workersAi.model" as const, modelName: request.model };
  const metadata = (at: number) => ({
    accountId: SIMULATED_ACCOUNT_ID,
    eventSubscriptionId: SIMULATED_SUBSCRIPTION_ID,
    eventSchemaVersion: 1,
    eventTimestamp: new Date(at).toISOString(),
  });
  const queued: WorkersAiBatchEvent = {
    type: WORKERS_AI_BATCH_EVENT_TYPES.queued,
    source,
    payload: { requestId: request.id },
    metadata: metadata(now),
  };
  if (lose) {
    return [{ event: queued, delaySeconds: 0 }];
  }
  const { failure } = request;
  const done: WorkersAiBatchEvent = failure
    ? {
        type: WORKERS_AI_BATCH_EVENT_TYPES.failed,
        source,
        payload: {
          requestId: request.id,
          message: codeDescription(failure.code),
          internalCode: Number(failure.code),
          httpCode: codeStatus(failure.code),
        },
        metadata: metadata(request.doneAt),
      }
    : {
        type: WORKERS_AI_BATCH_EVENT_TYPES.succeeded,
        source,
        payload: { requestId: request.id },
        metadata: metadata(request.doneAt),
      };
  const delaySeconds = Math.min(
    MAX_EVENT_DELAY_SECONDS,
    Math.max(0, Math.ceil((request.doneAt - now) / 1000)),
  );
  return [
    { event: queued, delaySeconds: 0 },
    { event: done, delaySeconds },
  ];
}
