import { z } from "@hono/zod-openapi";

/**
 * `/v1/organization/usage/{completions,embeddings}`: the query (with arrays as the SDKs send them,
 * `group_by[]=a&group_by[]=b`, repeated keys or commas) and OpenAI's page → bucket → result shapes.
 */

export const BUCKET_WIDTHS = { "1m": 60, "1h": 3600, "1d": 86_400 } as const;
export type BucketWidth = keyof typeof BUCKET_WIDTHS;
/** Default and most buckets per page, per width (OpenAI's). */
export const BUCKET_LIMITS: Record<BucketWidth, { fallback: number; max: number }> = {
  "1m": { fallback: 60, max: 1440 },
  "1h": { fallback: 24, max: 168 },
  "1d": { fallback: 7, max: 31 },
};

const MAX_FILTER_VALUES = 20;
const filter = (what: string) =>
  z
    .array(z.string().min(1).max(256))
    .max(MAX_FILTER_VALUES)
    .default([])
    .openapi({ description: `Only usage of these ${what}.` });

const unixSeconds = z.coerce.number().int().min(0).max(4_102_444_800);

function usageQuerySchema<G extends readonly [string, ...string[]]>(groups: G) {
  return z.object({
    start_time: unixSeconds.openapi({ description: "Start of the range (unix seconds), inclusive." }),
    end_time: unixSeconds.optional().openapi({ description: "End of the range, exclusive; default now." }),
    bucket_width: z.enum(["1m", "1h", "1d"]).default("1d"),
    group_by: z.array(z.enum(groups)).max(groups.length).default([]),
    project_ids: filter("projects"),
    models: filter("models"),
    api_key_ids: filter("API keys"),
    limit: z.coerce.number().int().min(1).optional().openapi({ description: "Buckets per page." }),
    page: z.string().max(64).optional().openapi({ description: "The `next_page` of the previous page." }),
  });
}

export const CompletionsUsageQuerySchema = usageQuerySchema([
  "project_id",
  "model",
  "batch",
  "api_key_id",
] as const).extend({
  batch: z
    .enum(["true", "false"])
    .optional()
    .openapi({ description: "Only batch (true) or only other usage." }),
});
export const EmbeddingsUsageQuerySchema = usageQuerySchema(["project_id", "model", "api_key_id"] as const);
export type CompletionsUsageQuery = z.infer<typeof CompletionsUsageQuerySchema>;
export type EmbeddingsUsageQuery = z.infer<typeof EmbeddingsUsageQuerySchema>;

const groupFields = {
  project_id: z.string().nullable(),
  user_id: z.string().nullable(),
  api_key_id: z.string().nullable(),
  model: z.string().nullable(),
};

export const CompletionsResultSchema = z
  .object({
    object: z.literal("organization.usage.completions.result"),
    input_tokens: z.number().int(),
    output_tokens: z.number().int(),
    input_cached_tokens: z.number().int(),
    input_audio_tokens: z.number().int(),
    output_audio_tokens: z.number().int(),
    num_model_requests: z.number().int(),
    ...groupFields,
    batch: z.boolean().nullable(),
    service_tier: z.string().nullable(),
  })
  .openapi("UsageCompletionsResult");
export type CompletionsResult = z.infer<typeof CompletionsResultSchema>;

export const EmbeddingsResultSchema = z
  .object({
    object: z.literal("organization.usage.embeddings.result"),
    input_tokens: z.number().int(),
    num_model_requests: z.number().int(),
    ...groupFields,
  })
  .openapi("UsageEmbeddingsResult");
export type EmbeddingsResult = z.infer<typeof EmbeddingsResultSchema>;

function pageSchema<T extends z.ZodType>(result: T, name: string) {
  return z
    .object({
      object: z.literal("page"),
      data: z.array(
        z.object({
          object: z.literal("bucket"),
          start_time: z.number().int(),
          end_time: z.number().int(),
          results: z.array(result),
        }),
      ),
      has_more: z.boolean(),
      next_page: z.string().nullable(),
    })
    .openapi(name);
}

export const CompletionsUsagePageSchema = pageSchema(CompletionsResultSchema, "UsageCompletionsResponse");
export const EmbeddingsUsagePageSchema = pageSchema(EmbeddingsResultSchema, "UsageEmbeddingsResponse");

const repeatable = z.union([z.string(), z.array(z.string())]).optional();

/** The raw query as the route sees it, for the OpenAPI document: arrays may come as `key[]`. */
export const UsageQueryDocumentSchema = z.object({
  start_time: z.string().openapi({ description: "Start of the range (unix seconds), inclusive." }),
  end_time: z.string().optional(),
  bucket_width: z.string().optional().openapi({ description: "`1m`, `1h` or `1d` (default)." }),
  "group_by[]": repeatable.openapi({ description: "Repeatable; also `group_by=a,b`." }),
  "project_ids[]": repeatable,
  "models[]": repeatable,
  "api_key_ids[]": repeatable,
  group_by: repeatable,
  project_ids: repeatable,
  models: repeatable,
  api_key_ids: repeatable,
  limit: z.string().optional(),
  page: z.string().optional(),
});
