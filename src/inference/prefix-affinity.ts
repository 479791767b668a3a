import { sha256Hex } from "../domain/crypto";
import type { InferenceRequest } from "./types";

/**
 * Prefix-cache-aware dispatch (cloudflare-docs `workers-ai/features/prompt-caching.mdx`): Workers
 * AI reuses the prefill of a prompt prefix it has seen, but only on the model instance that saw it,
 * and `x-session-affinity` routes requests with the same key to the same instance. Lines that
 * share a model and a prompt prefix (system/developer messages, instructions, tools) get one key,
 * and a runner sends them one after another, so every line after the first can hit the cache.
 */

export const AFFINITY_HEADER = "x-session-affinity";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The leading system/developer turns of a message list: the part lines of a batch tend to share. */
function leadingInstructions(list: unknown): unknown[] {
  if (!Array.isArray(list)) {
    return [];
  }
  const out: unknown[] = [];
  for (const entry of list) {
    if (!isObject(entry) || (entry.role !== "system" && entry.role !== "developer")) {
      break;
    }
    out.push(entry.content);
  }
  return out;
}

/** The cacheable prefix of a line's body, or null when it has none worth routing for. */
export function promptPrefix(body: Record<string, unknown>): string | null {
  const parts = [
    ...(typeof body.instructions === "string" ? [body.instructions] : []),
    ...leadingInstructions(body.messages),
    ...leadingInstructions(body.input),
  ];
  if (parts.length === 0) {
    return null;
  }
  return JSON.stringify({ instructions: parts, tools: body.tools ?? null });
}

/**
 * The affinity key of a line: the same for every line with the same model and prefix (across
 * batches too, so a nightly batch warms the cache for the next); null without a prefix.
 */
export async function affinityKey(request: InferenceRequest): Promise<string | null> {
  const prefix = promptPrefix(request.body);
  if (prefix === null) {
    return null;
  }
  const digest = await sha256Hex(`${request.model.id}\u0000${prefix}`);
  return `pfx-${digest.slice(0, 32)}`;
}

/**
 * The items, stably reordered so that those with the same key are adjacent (groups in the order
 * their first item came): a runner then sends a group's lines one after another.
 */
export function inPrefixOrder<T>(items: T[], keyOf: (item: T) => string | null): T[] {
  const firstSeen = new Map<string, number>();
  items.forEach((item, position) => {
    const key = keyOf(item) ?? "";
    if (!firstSeen.has(key)) {
      firstSeen.set(key, position);
    }
  });
  const group = (item: T) => firstSeen.get(keyOf(item) ?? "") ?? 0;
  return items
    .map((item, position) => ({ item, position }))
    .sort((a, b) => group(a.item) - group(b.item) || a.position - b.position)
    .map((entry) => entry.item);
}
