import { z } from "zod";
import type { ChunkPlan } from "../domain/jsonl/chunk-planner";

/**
 * Messages on the `batch-work` queue. They carry pointers (batch id, chunk byte range), never
 * request bodies: a message is at most 128 KB and one line may be larger.
 */
const ChunkPlanSchema = z.object({
  index: z.number().int().nonnegative(),
  byteStart: z.number().int().nonnegative(),
  byteEnd: z.number().int().nonnegative(),
  firstLine: z.number().int().positive(),
  firstRequest: z.number().int().nonnegative(),
  requestCount: z.number().int().positive(),
}) satisfies z.ZodType<ChunkPlan>;

const BatchIdSchema = z.string().startsWith("batch_").max(128);

export const QueueMessageSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("validate_batch"), batchId: BatchIdSchema }),
  z.object({ kind: z.literal("run_chunk"), batchId: BatchIdSchema, chunk: ChunkPlanSchema }),
  /** Turn an async request's answer into lines (sent by the events consumer and the backstop poll). */
  z.object({
    kind: z.literal("collect_async"),
    batchId: BatchIdSchema,
    submission: z.number().int().positive(),
  }),
]);
export type QueueMessage = z.infer<typeof QueueMessageSchema>;

/** `sendBatch` takes at most 100 messages per call. */
const SEND_BATCH_LIMIT = 100;

export async function enqueueMessages(queue: Queue, messages: QueueMessage[]): Promise<void> {
  for (let i = 0; i < messages.length; i += SEND_BATCH_LIMIT) {
    const slice = messages
      .slice(i, i + SEND_BATCH_LIMIT)
      .map((body) => ({ body: QueueMessageSchema.parse(body) }));
    await queue.sendBatch(slice);
  }
}
