import type { Deps } from "../app/deps";
import { WorkersAiBatchEventSchema } from "../inference/workers-ai-events";
import { backoffSeconds } from "./consumer";
import { collectAsync } from "./jobs/collect-async";

/** The queue the Workers AI event subscription delivers to (wrangler.toml). */
export const AI_EVENTS_QUEUE = "workers-ai-events";

/**
 * The consumer of the `workers-ai-events` queue, which Workers AI's Event Subscriptions fill with
 * `cf.workersAi.model.batch.*` events (README "Async batch queue"). A `succeeded` or `failed`
 * event is a hint to collect that request now; the answer itself is always read by polling, so a
 * duplicated event records nothing twice and a lost one is caught by the batch's backstop poll.
 */
export async function processAiEvents(batch: MessageBatch<unknown>, deps: Deps): Promise<void> {
  await Promise.all(
    batch.messages.map(async (message) => {
      const parsed = WorkersAiBatchEventSchema.safeParse(message.body);
      if (!parsed.success || parsed.data.type === "cf.workersAi.model.batch.queued") {
        // other events on the subscription, or nothing to do yet
        message.ack();
        return;
      }
      try {
        const owner = await deps.asyncRequests.owner(parsed.data.payload.requestId);
        if (owner) {
          await collectAsync(deps, owner.batchId, owner.submission);
        }
        message.ack();
      } catch (err) {
        console.error(JSON.stringify({ msg: "async event handling failed", err: String(err) }));
        message.retry({ delaySeconds: backoffSeconds(message.attempts) });
      }
    }),
  );
}
