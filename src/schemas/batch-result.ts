import { z } from "@hono/zod-openapi";
import { limitQuerySchema, listPageSchema } from "./common";

/**
 * Extension: one request of a batch as `GET /v1/batches/{batch_id}/results` shows it, its input
 * merged with its output or error line, readable while the batch runs.
 */
export const BATCH_RESULT_STATUSES = ["pending", "completed", "failed", "expired", "cancelled"] as const;
export type BatchResultStatus = (typeof BATCH_RESULT_STATUSES)[number];

export const BatchResultSchema = z
  .object({
    id: z.string().openapi({ description: "The request's 0-based position in the batch, the page cursor." }),
    object: z.literal("batch.result"),
    line: z.number().int().openapi({ description: "1-based line of the request in the input file." }),
    custom_id: z.string(),
    status: z.enum(BATCH_RESULT_STATUSES).openapi({
      description:
        "`pending`: not finished yet; `completed`: in the output file; `failed`: in the error file after the model refused it; `expired` / `cancelled`: never ran.",
    }),
    request: z.record(z.string(), z.unknown()).nullable().openapi({
      description: "The request's `body` as uploaded; null once the input file's bytes are gone.",
    }),
    response: z
      .object({ status_code: z.number().int(), request_id: z.string(), body: z.unknown() })
      .nullable()
      .openapi({ description: "As in the output or error file line." }),
    error: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: "As in the error file line for requests that never ran." }),
    attempts: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "Calls made to the model for a failed request; null where not recorded." }),
  })
  .openapi("BatchResult");
export type BatchResult = z.infer<typeof BatchResultSchema>;

export const BatchResultListSchema = listPageSchema(BatchResultSchema, "BatchResultList");

export const ListBatchResultsQuerySchema = z.object({
  limit: limitQuerySchema({ max: 1000, fallback: 100 }),
  after: z
    .string()
    .regex(/^\d{1,6}$/)
    .optional()
    .openapi({ description: "Cursor: the `id` of the last result of the previous page." }),
  custom_id: z.string().min(1).max(1024).optional().openapi({ description: "Only this custom_id." }),
  custom_id_prefix: z
    .string()
    .min(1)
    .max(1024)
    .optional()
    .openapi({ description: "Only custom_ids that start with this." }),
  status: z.enum(BATCH_RESULT_STATUSES).optional().openapi({ description: "Only results in this status." }),
});
export type ListBatchResultsQuery = z.infer<typeof ListBatchResultsQuerySchema>;
