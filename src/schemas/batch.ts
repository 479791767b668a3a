import { z } from "@hono/zod-openapi";
import { SCHEDULE_METADATA_KEY } from "../domain/batch-schedules";
import { BATCH_STATUSES } from "../domain/batch-status";
import { BATCH_ENDPOINTS } from "../inference/types";

export const BatchStatusSchema = z.enum(BATCH_STATUSES).openapi("BatchStatus");
export const BatchEndpointSchema = z.enum(BATCH_ENDPOINTS).openapi("BatchEndpoint");

export const BatchErrorSchema = z
  .object({
    code: z.string(),
    message: z.string(),
    param: z.string().nullable(),
    line: z.number().int().nullable().openapi({ description: "1-based line of the input file, or null." }),
  })
  .openapi("BatchError");
export type BatchError = z.infer<typeof BatchErrorSchema>;

export const RequestCountsSchema = z
  .object({ total: z.number().int(), completed: z.number().int(), failed: z.number().int() })
  .openapi("BatchRequestCounts");

export const BatchUsageSchema = z
  .object({
    input_tokens: z.number().int(),
    input_tokens_details: z.object({ cached_tokens: z.number().int() }),
    output_tokens: z.number().int(),
    output_tokens_details: z.object({ reasoning_tokens: z.number().int() }),
    total_tokens: z.number().int(),
  })
  .openapi("BatchUsage");
export type BatchUsage = z.infer<typeof BatchUsageSchema>;

export const BatchEtaSchema = z
  .object({
    pool: z.string().openapi({
      description: "The Workers AI rate-limit pool the batch draws on.",
      example: "task:text-generation",
    }),
    pool_rate_per_minute: z.number().openapi({
      description: "The pool's current rate, requests a minute (about 95% of its limit).",
      example: 285,
    }),
    share: z
      .number()
      .openapi({ description: "The batch's share of the pool's rate now, 0..1.", example: 0.5 }),
    rate_per_minute: z
      .number()
      .openapi({ description: "The batch's rate now, requests a minute.", example: 142.5 }),
    remaining: z.number().int().openapi({ description: "Requests not finished yet.", example: 1200 }),
    seconds: z
      .number()
      .int()
      .openapi({ description: "Seconds until the last request should finish.", example: 420 }),
    estimated_completion_at: z.number().int().openapi({ description: "`seconds` as a Unix time (seconds)." }),
  })
  .openapi("BatchEta", {
    description:
      "Extension: an in_progress batch's share of its pool and when it should finish, from the pool's current rate and the backlogs of the batches sharing it (their fair shares as the others finish; deadline boosts aside).",
  });
export type BatchEta = z.infer<typeof BatchEtaSchema>;

export const MetadataSchema = z
  .record(z.string().max(64), z.string().max(512))
  .refine((value) => Object.keys(value).length <= 16, { message: "at most 16 key-value pairs" })
  .nullable()
  .openapi("Metadata", { description: "Up to 16 string pairs; keys ≤ 64 characters, values ≤ 512." });

const timestamp = z.number().int().nullable();

export const BatchExecutionSchema = z
  .object({
    sync: z
      .number()
      .int()
      .openapi({ description: "Lines answered by one synchronous `env.AI.run` call each." }),
    async: z
      .number()
      .int()
      .openapi({ description: "Lines answered through Workers AI's async batch queue." }),
    async_requests_pending: z.number().int().openapi({
      description: "Requests on Workers AI's async batch queue not answered yet.",
    }),
  })
  .openapi("BatchExecution", {
    description:
      'Extension: which Workers AI path ran the batch\'s finished lines (each output line says so in `execution`); absent until a line finishes. See README "Async batch queue".',
  });

export const BatchSchema = z
  .object({
    id: z.string().openapi({ example: "batch_01J0000000000000000000000" }),
    object: z.literal("batch"),
    endpoint: BatchEndpointSchema,
    model: z.string().nullable().openapi({
      description:
        "The model that runs the batch: the base model from creation, else the lines' model once validation has read them; null before that.",
    }),
    errors: z.object({ object: z.literal("list"), data: z.array(BatchErrorSchema) }).nullable(),
    input_file_id: z.string(),
    completion_window: z.string().openapi({ example: "24h" }),
    status: BatchStatusSchema,
    output_file_id: z.string().nullable(),
    error_file_id: z.string().nullable(),
    created_at: z.number().int(),
    in_progress_at: timestamp,
    expires_at: timestamp,
    finalizing_at: timestamp,
    completed_at: timestamp,
    failed_at: timestamp,
    expired_at: timestamp,
    cancelling_at: timestamp,
    cancelled_at: timestamp,
    request_counts: RequestCountsSchema,
    usage: BatchUsageSchema,
    metadata: MetadataSchema,
    paused_at: timestamp.optional().openapi({
      description:
        "Extension: when the batch was paused (`POST /v1/batches/{batch_id}/pause`), null once resumed; absent if it never was. A paused batch dispatches nothing new but still expires at `expires_at`.",
    }),
    execution: BatchExecutionSchema.optional(),
    eta: BatchEtaSchema.nullable().optional().openapi({
      description:
        "Extension, on retrieve and list: the batch's pool share and estimated completion while it is `in_progress`; null when it is validating, paused, ending or ended (or its pool cannot be read).",
    }),
  })
  .openapi("Batch");
export type Batch = z.infer<typeof BatchSchema>;

export const BatchListSchema = z
  .object({
    object: z.literal("list"),
    data: z.array(BatchSchema),
    first_id: z.string().nullable(),
    last_id: z.string().nullable(),
    has_more: z.boolean(),
  })
  .openapi("BatchList");

export const CreateBatchBodySchema = z
  .looseObject({
    input_file_id: z.string().min(1).openapi({ description: "A file uploaded with purpose `batch`." }),
    endpoint: BatchEndpointSchema,
    completion_window: z.string().openapi({
      description: "`24h`, or (extension) any window from `1m` to `7d` written `<n>m`, `<n>h` or `<n>d`.",
      example: "24h",
    }),
    // reserved as in a schedule's template, so that a batch naming a schedule came from one
    metadata: MetadataSchema.optional().refine(
      (value) => !value || !Object.hasOwn(value, SCHEDULE_METADATA_KEY),
      {
        message: `the key '${SCHEDULE_METADATA_KEY}' is reserved: only a batch schedule's runs set it.`,
      },
    ),
    output_expires_after: z
      .object({ anchor: z.literal("created_at"), seconds: z.number().int().min(3600).max(2592000) })
      .optional()
      .openapi({ description: "Expiry of the output and error files, counted from their creation." }),
    model: z.string().max(256).optional().openapi({
      description:
        "Extension: the batch's base model. Lines whose `body.model` is empty or absent use it; a line's `body.model` that is not a catalogue model names a LoRA adapter on it.",
    }),
    webhook_url: z.string().nullable().optional().openapi({
      description:
        "Extension (as inference.net accepts; Python: `extra_body`): an https URL that receives this batch's `batch.*` event, signed with the project's webhook secret (`POST /v1/webhook_secret/rotate`).",
      example: "https://example.com/webhooks/batches",
    }),
  })
  .openapi("CreateBatchRequest");
export type CreateBatchBody = z.infer<typeof CreateBatchBodySchema>;

export const BatchIdParamSchema = z.object({
  batch_id: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: "batch_id", in: "path" }, example: "batch_abc123" }),
});

export const ListBatchesQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ description: "1–100, default 20." }),
  after: z.string().max(128).optional().openapi({ description: "A batch id: the page starts after it." }),
});
