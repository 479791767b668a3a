import { type Schema, Validator } from "@cfworker/json-schema";
import { fitInputsToSchema } from "./fit-inputs";
import type { JsonSchema, ModelSpec } from "./model-spec";
import { toWorkersAiInputs } from "./to-workers-ai";
import type { InferenceRequest } from "./types";

/**
 * Which lines may run on Workers AI's async batch queue (cloudflare-docs
 * `workers-ai/features/batch-api`), and the queue item each becomes. A line goes async only when
 * its model has `async_queue` and everything the line asks for fits the model's published async
 * item schema: nothing is dropped or approximated on the way, so a line answers the same on
 * either path. Everything else runs on the synchronous path.
 */

/** The deployment's setting (`WORKERS_AI_ASYNC`): `only` never uses the synchronous path. */
export type AsyncMode = "auto" | "off" | "only";

type Inputs = Record<string, unknown>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The item schema of the model's async branch (`{requests: {type: "array", items}}`), if it has one. */
export function asyncItemSchema(spec: ModelSpec | undefined): JsonSchema | null {
  if (!spec?.features.asyncQueue || !spec.schema) {
    return null;
  }
  const search = (schema: unknown): JsonSchema | null => {
    if (!isObject(schema)) {
      return null;
    }
    const requests = isObject(schema.properties) ? schema.properties.requests : undefined;
    if (isObject(requests) && isObject(requests.items) && isObject(requests.items.properties)) {
      return requests.items as JsonSchema;
    }
    for (const list of [schema.oneOf, schema.anyOf]) {
      for (const branch of Array.isArray(list) ? list : []) {
        const found = search(branch);
        if (found) {
          return found;
        }
      }
    }
    return null;
  };
  return search(spec.schema.input);
}

/**
 * The line's synchronous inputs in the shape the async item takes: as they are when the item
 * declares them; `messages` as the Responses-style `input` (gpt-oss); one user message as `prompt`
 * (llama-3.3, whose async item has no `messages`). Null when no shape fits.
 */
function reshape(inputs: Inputs, declared: Record<string, unknown>): Inputs | null {
  if (Object.keys(inputs).every((name) => name in declared)) {
    return inputs;
  }
  const { messages, reasoning_effort, ...rest } = inputs;
  if (!Array.isArray(messages)) {
    return null;
  }
  if ("input" in declared && !("messages" in declared)) {
    const out: Inputs = { ...rest, input: messages };
    if (reasoning_effort !== undefined) {
      out.reasoning = { effort: reasoning_effort };
    }
    return out;
  }
  const [only] = messages;
  if (
    "prompt" in declared &&
    messages.length === 1 &&
    reasoning_effort === undefined &&
    isObject(only) &&
    only.role === "user" &&
    typeof only.content === "string"
  ) {
    return { ...rest, prompt: only.content };
  }
  return null;
}

const validators = new WeakMap<JsonSchema, Validator>();

function fitsSchema(item: Inputs, schema: JsonSchema): boolean {
  let validator = validators.get(schema);
  if (!validator) {
    validator = new Validator(schema as Schema, "7", false);
    validators.set(schema, validator);
  }
  return validator.validate(item).valid;
}

/**
 * The async queue item for a line, or null when the line must run synchronously. Never throws:
 * a body the synchronous path would refuse is left to it, which words the error.
 */
export function asyncItem(request: InferenceRequest, spec: ModelSpec | undefined): Inputs | null {
  const schema = asyncItemSchema(spec);
  if (!schema || !isObject(schema.properties)) {
    return null;
  }
  let inputs: Inputs;
  try {
    inputs = fitInputsToSchema(toWorkersAiInputs(request), spec);
  } catch {
    return null;
  }
  const item = reshape(inputs, schema.properties);
  if (!item || !Object.keys(item).every((name) => name in (schema.properties as object))) {
    return null;
  }
  return fitsSchema(item, schema) ? item : null;
}

/** Workers AI's documented limit is 10 MB per request; this leaves room for the envelope. */
export const ASYNC_MAX_REQUEST_BYTES = 9.5 * 1024 * 1024;
/** Items per async request: bounds one poll's answer and what a failed request takes down with it. */
export const ASYNC_MAX_ITEMS = 256;

const encoder = new TextEncoder();

/**
 * Cuts items (in order) into requests of at most ASYNC_MAX_ITEMS items and ASYNC_MAX_REQUEST_BYTES
 * serialized. An item too big on its own gets a request of its own (Workers AI then answers for it).
 */
export function cutIntoRequests<T extends { item: Inputs }>(
  entries: T[],
  maxItems: number = ASYNC_MAX_ITEMS,
  maxBytes: number = ASYNC_MAX_REQUEST_BYTES,
): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = encoder.encode(JSON.stringify(entry.item)).byteLength + 1;
    if (current.length > 0 && (current.length >= maxItems || bytes + size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) {
    out.push(current);
  }
  return out;
}
