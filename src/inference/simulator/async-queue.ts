import type { Directives } from "./generate";

/**
 * The simulator's async batch queue: one FIFO per isolate, shared by every model (Workers AI does
 * not document how its queue is split; one queue is the simplest that still makes a request wait
 * for the ones before it). Items drain one after another at `asyncCapacity` a minute, so every
 * item's start and end are fixed at submit and no timer is needed. Requests are kept for polling
 * until an hour after they are done, at most `MAX_KEPT_REQUESTS` of them.
 */

type Inputs = Record<string, unknown>;

export const ASYNC_RESULT_TTL_MS = 60 * 60_000;
export const MAX_KEPT_REQUESTS = 10_000;

export type QueuedItem = {
  /** The item without `external_reference`: what the sync path would have been given. */
  inputs: Inputs;
  externalReference: string | null;
  text: string;
  directives: Directives;
  startAt: number;
  doneAt: number;
  /** Prompt tokens served from the prefix cache, decided in queue order at submit. */
  cachedTokens: number;
};

export type QueuedRequest = {
  id: string;
  model: string;
  items: QueuedItem[];
  /** When its first item starts: `queued` before, `running` from then. */
  startAt: number;
  /** When its last item is done. */
  doneAt: number;
  /** Set when the whole request fails (`[sim:async_request_fail=…]`): the code polling throws. */
  failure: { code: string } | null;
};

export type Slot = { startAt: number; doneAt: number };

export class AsyncBatchQueue {
  /** When the last item queued so far is done. */
  private tail = 0;
  /** In submit order, which is also `doneAt` order since the queue is FIFO. */
  private readonly requests = new Map<string, QueuedRequest>();

  /** Start and end of `count` items queued behind everything before them; 0 capacity = instant. */
  schedule(count: number, capacityPerMinute: number, now: number): Slot[] {
    const step = capacityPerMinute > 0 ? 60_000 / capacityPerMinute : 0;
    let at = Math.max(now, this.tail);
    const slots: Slot[] = [];
    for (let i = 0; i < count; i++) {
      slots.push({ startAt: at, doneAt: at + step });
      at += step;
    }
    this.tail = at;
    return slots;
  }

  add(request: QueuedRequest, now: number): void {
    this.expire(now);
    this.requests.set(request.id, request);
    while (this.requests.size > MAX_KEPT_REQUESTS) {
      const oldest = this.requests.keys().next().value;
      if (oldest === undefined) {
        break;
      }
      this.requests.delete(oldest);
    }
  }

  get(id: string, now: number): QueuedRequest | undefined {
    this.expire(now);
    return this.requests.get(id);
  }

  private expire(now: number): void {
    for (const [id, request] of this.requests) {
      if (request.doneAt + ASYNC_RESULT_TTL_MS > now) {
        return;
      }
      this.requests.delete(id);
    }
  }
}
