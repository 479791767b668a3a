import { contentText, estimateTokens, hash53 } from "./generate";

/**
 * Workers AI's prefix caching (cloudflare-docs `workers-ai/features/prompt-caching.mdx`) as the
 * simulator models it: per (model, `x-session-affinity` key) the prompt prefixes this isolate has
 * seen. A request whose prefix was seen before under the same key reports the prefix's tokens as
 * cached; the first one with a prefix is cold. Without the header Workers AI routes a request to
 * any instance, which the simulator models as always cold.
 */

type Inputs = Record<string, unknown>;

/**
 * Workers AI caches whole blocks of tokens, so a short prefix never hits. The simulator's block:
 * 1,024 characters, ≈256 tokens by the estimate the generator uses (4 characters a token).
 */
export const MIN_CACHED_PREFIX_CHARS = 1024;
/** Bounds the isolate's memory: (model, key) slots and prefixes kept per slot, least recent out. */
const MAX_SLOTS = 10_000;
const MAX_PREFIXES_PER_SLOT = 16;

const PREFIX_ROLES = new Set(["system", "developer"]);

function isObject(value: unknown): value is Inputs {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The `x-session-affinity` value of the binding's `extraHeaders` (a record or a `Headers`). */
export function affinityKey(extraHeaders: unknown): string | null {
  if (extraHeaders instanceof Headers) {
    return extraHeaders.get("x-session-affinity") || null;
  }
  if (!isObject(extraHeaders)) {
    return null;
  }
  for (const [name, value] of Object.entries(extraHeaders)) {
    if (name.toLowerCase() === "x-session-affinity" && typeof value === "string" && value !== "") {
      return value;
    }
  }
  return null;
}

/**
 * The part of a prompt every turn repeats: `instructions`, the tools, then the leading system (or
 * developer) entries of `messages` or of a Responses `input` array. Empty for a bare prompt.
 */
export function promptPrefix(inputs: Inputs): string {
  const parts: string[] = [];
  if (typeof inputs.instructions === "string") {
    parts.push(inputs.instructions);
  }
  if (Array.isArray(inputs.tools) && inputs.tools.length > 0) {
    parts.push(JSON.stringify(inputs.tools));
  }
  const entries = Array.isArray(inputs.messages)
    ? inputs.messages
    : Array.isArray(inputs.input)
      ? inputs.input
      : [];
  for (const entry of entries) {
    if (!isObject(entry) || typeof entry.role !== "string" || !PREFIX_ROLES.has(entry.role)) {
      break;
    }
    parts.push(contentText(entry.content));
  }
  return parts.join("\n");
}

/** The seen prefixes, per isolate (see `SimulatorState`). */
export class PrefixCache {
  private readonly slots = new Map<string, Set<number>>();

  /** Tokens of this prompt served from cache (0 when cold), remembering its prefix for the next one. */
  lookup(model: string, key: string | null, inputs: Inputs): number {
    if (key === null) {
      return 0;
    }
    const prefix = promptPrefix(inputs);
    if (prefix.length < MIN_CACHED_PREFIX_CHARS) {
      return 0;
    }
    const slot = `${model}\u0000${key}`;
    const hash = hash53(prefix);
    const seen = this.slots.get(slot) ?? new Set<number>();
    const hit = seen.has(hash);
    // re-inserted to mark both the slot and the prefix most recent
    this.slots.delete(slot);
    seen.delete(hash);
    seen.add(hash);
    this.slots.set(slot, seen);
    dropOldest(seen, MAX_PREFIXES_PER_SLOT);
    dropOldest(this.slots, MAX_SLOTS);
    return hit ? estimateTokens(prefix) : 0;
  }
}

function dropOldest(collection: Set<number> | Map<string, unknown>, max: number): void {
  while (collection.size > max) {
    const oldest = collection.keys().next().value;
    if (oldest === undefined) {
      return;
    }
    collection.delete(oldest as never);
  }
}

/**
 * Reports cached tokens where the output's usage is: `prompt_tokens_details.cached_tokens` (chat
 * shapes, as OpenAI and Workers AI's OpenAI-style models answer) or `input_tokens_details` (a
 * Responses object); never more than the prompt's tokens. Outputs without usage are left alone.
 */
export function withCachedTokens(output: unknown, cached: number): unknown {
  if (cached <= 0 || !isObject(output) || !isObject(output.usage)) {
    return output;
  }
  const usage = output.usage;
  if (typeof usage.prompt_tokens === "number") {
    const details = { cached_tokens: Math.min(cached, usage.prompt_tokens) };
    return { ...output, usage: { ...usage, prompt_tokens_details: details } };
  }
  if (typeof usage.input_tokens === "number") {
    const details = { cached_tokens: Math.min(cached, usage.input_tokens) };
    return { ...output, usage: { ...usage, input_tokens_details: details } };
  }
  return output;
}
