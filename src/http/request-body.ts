/**
 * Reading request bodies within a byte limit, and discarding what is left of one. A body the Worker
 * stops reading part way (a cancelled or abandoned reader) breaks the client's keep-alive
 * connection: its next request on it hangs. Every refusal therefore reads the rest first.
 */

import { concatBytes } from "../domain/bytes";

export type DrainBudget = { maxBytes: number; maxMs: number };

/** Enough for the rest of any upload under the 512 MB limit, at a pace any client manages. */
export const DEFAULT_DRAIN_BUDGET: DrainBudget = { maxBytes: 512 * 1024 * 1024, maxMs: 30_000 };

/**
 * Reads and discards what is left of a request body, like nginx's lingering close: a client that
 * is still sending when the server answers early sees a reset connection instead of the answer.
 * Past the budget it cancels the body. A body that is locked (being read) or absent is left alone.
 */
export async function drainBody(
  body: ReadableStream<Uint8Array> | null,
  budget: DrainBudget = DEFAULT_DRAIN_BUDGET,
): Promise<void> {
  if (body && !body.locked) {
    await discardRest(body.getReader(), budget);
  }
}

/** `drainBody` for a reader the caller already holds. */
export async function discardRest(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  budget: DrainBudget = DEFAULT_DRAIN_BUDGET,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<"expired">((resolve) => {
    timer = setTimeout(() => resolve("expired"), budget.maxMs);
  });
  let seen = 0;
  try {
    for (;;) {
      const result = await Promise.race([reader.read(), expired]);
      if (result !== "expired" && result.done) {
        return;
      }
      seen += result === "expired" ? Number.POSITIVE_INFINITY : result.value.length;
      if (seen > budget.maxBytes) {
        reader.cancel().catch(() => undefined);
        return;
      }
    }
  } catch {
    // the client went away: there is no one left to answer
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The whole body, or null when it is larger than `maxBytes`; then the rest has been discarded, so
 * the caller can answer at once. A declared Content-Length over the limit is refused unread.
 */
export async function readBodyWithin(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  declaredLength: string | null | undefined,
): Promise<Uint8Array | null> {
  const reader = body.getReader();
  if (Number(declaredLength ?? 0) > maxBytes) {
    await discardRest(reader);
    return null;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.byteLength;
    if (size > maxBytes) {
      await discardRest(reader);
      return null;
    }
    chunks.push(read.value);
  }
  return concatBytes(chunks);
}
