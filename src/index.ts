import { createApp } from "./app/create-app";
import { createDeps } from "./app/deps";
import { handleScheduled } from "./cron/scheduled";
import { processDeadLetters, processQueueBatch } from "./queue/consumer";
import { AI_EVENTS_QUEUE, processAiEvents } from "./queue/workers-ai-events";

export { BatchCoordinator } from "./durable/batch-coordinator";
export { ModelRateLimiter } from "./durable/model-rate-limiter";

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  queue: (batch, env) => {
    if (batch.queue.endsWith("-dlq")) {
      return processDeadLetters(batch);
    }
    return batch.queue === AI_EVENTS_QUEUE
      ? processAiEvents(batch, createDeps(env))
      : processQueueBatch(batch, createDeps(env));
  },
  scheduled: (controller, env) => handleScheduled(controller, createDeps(env)),
} satisfies ExportedHandler<Env>;
