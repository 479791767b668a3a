import type { Deps } from "../app/deps";
import { collectAsync } from "./jobs/collect-async";
import { runChunk } from "./jobs/run-chunk";
import { validateBatch } from "./jobs/validate-batch";
import { type QueueMessage, QueueMessageSchema } from "./messages";

/** Seconds before a failed message is redelivered: 2, 4, 8 … capped at 5 minutes. */
export function backoffSeconds(attempts: number): number {
  return Math.min(300, 2 ** Math.max(1, attempts));
}

async function dispatch(message: QueueMessage, deps: Deps): Promise<void> {
  switch (message.kind) {
    case "validate_batch":
      return validateBatch(deps, message.batchId);
    case "run_chunk":
      return runChunk(deps, message.batchId, message.chunk);
    case "collect_async":
      return collectAsync(deps, message.batchId, message.submission);
    default: {
      const unreachable: never = message;
      throw new Error(`unknown message ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * The `batch-work` consumer. Messages run concurrently; every one leaves acked or explicitly
 * retried, and the function never throws. The jobs are idempotent (the coordinator's ledger).
 */
export async function processQueueBatch(batch: MessageBatch<unknown>, deps: Deps): Promise<void> {
  await Promise.all(
    batch.messages.map(async (message) => {
      const parsed = QueueMessageSchema.safeParse(message.body);
      if (!parsed.success) {
        // a malformed body never becomes valid by retrying
        console.error(JSON.stringify({ msg: "dropping malformed queue message", id: message.id }));
        message.ack();
        return;
      }
      try {
        await dispatch(parsed.data, deps);
        message.ack();
      } catch (err) {
        console.error(
          JSON.stringify({
            msg: "queue job failed",
            kind: parsed.data.kind,
            attempts: message.attempts,
            err: String(err),
          }),
        );
        message.retry({ delaySeconds: backoffSeconds(message.attempts) });
      }
    }),
  );
}

/**
 * The dead-letter consumer: a message lands here after its retries ran out. Nothing is lost: the
 * batch's coordinator re-drives unfinished chunks, and expiry bounds the time that can take.
 */
export async function processDeadLetters(batch: MessageBatch<unknown>): Promise<void> {
  for (const message of batch.messages) {
    console.error(JSON.stringify({ msg: "dead-lettered queue message", id: message.id, body: message.body }));
    message.ack();
  }
}
