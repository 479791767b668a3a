import { z } from "@hono/zod-openapi";
import { SCHEDULE_METADATA_KEY, SCHEDULE_STATUSES } from "../domain/batch-schedules";
import { MAX_WEBHOOK_URL_LENGTH as MAX_URL_LENGTH } from "../webhooks/url";
import { BatchEndpointSchema, MetadataSchema } from "./batch";
import { AfterQuerySchema, limitQuerySchema, listPageSchema } from "./common";

export const ScheduleStatusSchema = z.enum(SCHEDULE_STATUSES).openapi("BatchScheduleStatus", {
  description: "A paused schedule starts no run and has no `next_run_at`.",
});

export const BatchTemplateSchema = z
  .strictObject({
    endpoint: BatchEndpointSchema,
    completion_window: z.string().openapi({
      description: "As on batch create: `24h`, or (extension) any window from `1m` to `7d`.",
      example: "24h",
    }),
    metadata: MetadataSchema.optional().openapi({
      description: `At most 15 pairs: every run adds \`${SCHEDULE_METADATA_KEY}\`, which is reserved.`,
    }),
    webhook_url: z
      .string()
      .max(MAX_URL_LENGTH)
      .nullable()
      .optional()
      .openapi({ description: "Passed to each batch as its `webhook_url`; https only." }),
    model: z
      .string()
      .max(256)
      .optional()
      .openapi({ description: "Passed to each batch as its base `model`." }),
    output_expires_after: z
      .object({ anchor: z.literal("created_at"), seconds: z.number().int().min(3600).max(2592000) })
      .optional()
      .openapi({ description: "Expiry of each batch's output and error files." }),
  })
  .openapi("BatchScheduleTemplate", { description: "The batch every run creates (batch create's fields)." });
export type BatchTemplate = z.infer<typeof BatchTemplateSchema>;

const cron = z.string().min(1).max(256).openapi({
  description: "Five fields: minute hour day-of-month month day-of-week (croner syntax, `@daily` etc. too).",
  example: "0 2 * * *",
});
const timezone = z
  .string()
  .min(1)
  .max(64)
  .openapi({ description: "IANA time zone the cron is read in; default `UTC`.", example: "Europe/Berlin" });
const nextRunAt = z.number().int().min(0).openapi({
  description:
    "Unix seconds when the next run is due; defaults to the cron's next time. A time in the past runs at the next cron tick (once).",
});
const inputFileId = z
  .string()
  .min(1)
  .max(128)
  .openapi({ description: "A file with purpose `batch`, reused by every run. Exclusive with `input_url`." });
const inputUrl = z.string().min(1).max(MAX_URL_LENGTH).openapi({
  description:
    "An https URL fetched at each run and streamed into a new file with purpose `batch`. Exclusive with `input_file_id`.",
  example: "https://example.com/exports/nightly.jsonl",
});

export const CreateBatchScheduleBodySchema = z
  .strictObject({
    cron,
    timezone: timezone.optional(),
    status: ScheduleStatusSchema.optional().openapi({ description: "Default `active`." }),
    next_run_at: nextRunAt.optional(),
    input_file_id: inputFileId.optional(),
    input_url: inputUrl.optional(),
    batch: BatchTemplateSchema,
  })
  .openapi("CreateBatchScheduleRequest");
export type CreateBatchScheduleBody = z.infer<typeof CreateBatchScheduleBodySchema>;

export const UpdateBatchScheduleBodySchema = z
  .strictObject({
    cron: cron.optional(),
    timezone: timezone.optional(),
    status: ScheduleStatusSchema.optional(),
    next_run_at: nextRunAt.optional(),
    input_file_id: inputFileId.optional(),
    input_url: inputUrl.optional(),
    batch: BatchTemplateSchema.optional().openapi({ description: "Replaces the whole template." }),
  })
  .openapi("UpdateBatchScheduleRequest");
export type UpdateBatchScheduleBody = z.infer<typeof UpdateBatchScheduleBodySchema>;

export const ScheduleRunErrorSchema = z
  .object({ code: z.string(), message: z.string() })
  .openapi("BatchScheduleRunError");
export type ScheduleRunError = z.infer<typeof ScheduleRunErrorSchema>;

const timestamp = z.number().int().nullable();

export const BatchScheduleSchema = z
  .object({
    id: z.string().openapi({ example: "bsched_01J0000000000000000000000" }),
    object: z.literal("batch_schedule"),
    status: ScheduleStatusSchema,
    cron: z.string(),
    timezone: z.string(),
    input_file_id: z.string().nullable(),
    input_url: z.string().nullable(),
    batch: BatchTemplateSchema,
    next_run_at: timestamp.openapi({ description: "When the next run is due; null while paused." }),
    last_run_at: timestamp.openapi({ description: "When the last run started." }),
    last_batch_id: z
      .string()
      .nullable()
      .openapi({ description: "The batch of the most recent run that created one." }),
    last_error: ScheduleRunErrorSchema.nullable().openapi({
      description: "Why the last run could not start (the next run tries again); null when it started.",
    }),
    created_at: z.number().int(),
    updated_at: z.number().int(),
  })
  .openapi("BatchSchedule");
export type BatchSchedule = z.infer<typeof BatchScheduleSchema>;

export const BatchScheduleListSchema = listPageSchema(BatchScheduleSchema, "BatchScheduleList");

export const BatchScheduleDeletedSchema = z
  .object({ id: z.string(), object: z.literal("batch_schedule.deleted"), deleted: z.literal(true) })
  .openapi("BatchScheduleDeleted");

export const ScheduleIdParamSchema = z.object({
  schedule_id: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: "schedule_id", in: "path" }, example: "bsched_01J0000000000000000000000" }),
});

export const ListBatchSchedulesQuerySchema = z.object({
  limit: limitQuerySchema({ max: 100, fallback: 20 }),
  after: AfterQuerySchema,
});
