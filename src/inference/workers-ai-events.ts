import { z } from "zod";

/**
 * The events Workers AI publishes for an async batch request through Event Subscriptions
 * (cloudflare-docs `workers-ai/platform/event-subscriptions.mdx`): `queued` when the request is
 * accepted, then exactly one of `succeeded` or `failed`. Delivery is at least once and may be lost,
 * so a consumer treats an event as a hint to poll, never as the result itself.
 */

export const WORKERS_AI_BATCH_EVENT_TYPES = {
  queued: "cf.workersAi.model.batch.queued",
  succeeded: "cf.workersAi.model.batch.succeeded",
  failed: "cf.workersAi.model.batch.failed",
} as const;

const SourceSchema = z.object({ type: z.literal("workersAi.model"), modelName: z.string() });

const MetadataSchema = z.object({
  accountId: z.string(),
  eventSubscriptionId: z.string(),
  // 1 is the only version documented; a later one is accepted while the fields read here still parse
  eventSchemaVersion: z.number().int().positive(),
  eventTimestamp: z.string(),
});

const RequestPayloadSchema = z.object({ requestId: z.string() });

export const WorkersAiBatchEventSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal(WORKERS_AI_BATCH_EVENT_TYPES.queued),
    source: SourceSchema,
    payload: RequestPayloadSchema,
    metadata: MetadataSchema,
  }),
  z.object({
    type: z.literal(WORKERS_AI_BATCH_EVENT_TYPES.succeeded),
    source: SourceSchema,
    payload: RequestPayloadSchema,
    metadata: MetadataSchema,
  }),
  z.object({
    type: z.literal(WORKERS_AI_BATCH_EVENT_TYPES.failed),
    source: SourceSchema,
    payload: RequestPayloadSchema.extend({
      message: z.string(),
      /** Workers AI's internal code, e.g. 3040 (a number here, unlike the binding's error text). */
      internalCode: z.number().int(),
      httpCode: z.number().int(),
    }),
    metadata: MetadataSchema,
  }),
]);

export type WorkersAiBatchEvent = z.infer<typeof WorkersAiBatchEventSchema>;
