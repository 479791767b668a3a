import type { BatchStatus } from "../domain/batch-status";
import type { Batch } from "../schemas/batch";

/** The events a batch emits when it ends; the D1 `CHECK` in 0004_create_webhooks.sql mirrors this list. */
export const WEBHOOK_EVENT_TYPES = [
  "batch.completed",
  "batch.failed",
  "batch.expired",
  "batch.cancelled",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

const EVENT_OF_STATUS = {
  completed: { type: "batch.completed", at: "completed_at" },
  failed: { type: "batch.failed", at: "failed_at" },
  expired: { type: "batch.expired", at: "expired_at" },
  cancelled: { type: "batch.cancelled", at: "cancelled_at" },
} as const satisfies Partial<Record<BatchStatus, { type: WebhookEventType; at: keyof Batch }>>;

/** OpenAI's batch event, exactly as sent: `data` holds only the batch id. */
export type WebhookEvent = {
  id: string;
  object: "event";
  type: WebhookEventType;
  created_at: number;
  data: { id: string };
};

/** The event a batch in `batch.status` emits, or null while the batch is not terminal. */
export function batchEvent(batch: Batch, eventId: string): WebhookEvent | null {
  if (!(batch.status in EVENT_OF_STATUS)) {
    return null;
  }
  const { type, at } = EVENT_OF_STATUS[batch.status as keyof typeof EVENT_OF_STATUS];
  return {
    id: eventId,
    object: "event",
    type,
    created_at: batch[at] ?? batch.created_at,
    data: { id: batch.id },
  };
}
