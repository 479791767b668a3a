import type { z } from "@hono/zod-openapi";
import type { Deps } from "../app/deps";
import { nowSeconds } from "../domain/time";
import { ApiError } from "../errors/api-error";
import { apiErrorFromZod } from "../errors/zod-error";
import {
  BUCKET_LIMITS,
  BUCKET_WIDTHS,
  type CompletionsResult,
  CompletionsUsageQuerySchema,
  type EmbeddingsResult,
  EmbeddingsUsageQuerySchema,
} from "../schemas/organization-usage";
import type { UsageGroupField, UsageKind, UsageRow } from "../storage/d1/usage-store";

/**
 * Reads usage from the per-minute rollups in OpenAI's page/bucket/result shape. Buckets start at
 * `start_time` and are `bucket_width` wide (the last one cut at `end_time`); usage is placed by the
 * minute its lines finished. Every bucket of the page is listed, empty ones with `results: []`.
 */

const ARRAY_PARAMS = new Set(["group_by", "project_ids", "models", "api_key_ids"]);

/** `group_by[]=a&group_by[]=b` (node SDK), `group_by=a&group_by=b` and `group_by=a,b` all mean [a, b]. */
export function normalizeUsageQuery(raw: Record<string, string[]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawKey, values] of Object.entries(raw)) {
    const key = rawKey.replace(/\[\d*\]$/, "");
    if (ARRAY_PARAMS.has(key)) {
      const list = (out[key] as string[] | undefined) ?? [];
      list.push(...values.flatMap((v) => v.split(",")).filter((v) => v !== ""));
      out[key] = list;
    } else {
      out[key] = values.at(-1);
    }
  }
  return out;
}

type Page<R> = {
  object: "page";
  data: Array<{ object: "bucket"; start_time: number; end_time: number; results: R[] }>;
  has_more: boolean;
  next_page: string | null;
};

type Common = {
  start_time: number;
  end_time?: number;
  bucket_width: keyof typeof BUCKET_WIDTHS;
  group_by: UsageGroupField[];
  project_ids: string[];
  models: string[];
  api_key_ids: string[];
  limit?: number;
  page?: string;
};

function parse<S extends z.ZodType>(schema: S, raw: Record<string, string[]>): z.infer<S> {
  const input = normalizeUsageQuery(raw);
  const result = schema.safeParse(input);
  if (!result.success) {
    throw apiErrorFromZod(result.error, input);
  }
  return result.data;
}

function pageStart(page: string | undefined, start: number, end: number, width: number): number {
  if (page === undefined) {
    return start;
  }
  const at = /^page_(\d{1,12})$/.exec(page);
  const value = at ? Number(at[1]) : Number.NaN;
  if (!(value >= start && value < end && (value - start) % width === 0)) {
    throw new ApiError("invalid_request", `Invalid 'page': '${page}' is not a page of this query.`, {
      param: "page",
      code: "invalid_value",
    });
  }
  return value;
}

async function usagePage<R>(
  deps: Deps,
  kind: UsageKind,
  q: Common,
  batch: boolean | undefined,
  toResult: (row: UsageRow) => R,
  now: number,
): Promise<Page<R>> {
  const width = BUCKET_WIDTHS[q.bucket_width];
  const bounds = BUCKET_LIMITS[q.bucket_width];
  const limit = q.limit ?? bounds.fallback;
  if (limit > bounds.max) {
    throw new ApiError(
      "invalid_request",
      `Invalid 'limit': at most ${bounds.max} buckets of ${q.bucket_width}, but got ${limit}.`,
      { param: "limit", code: "invalid_value" },
    );
  }
  const end = q.end_time ?? Math.max(now, q.start_time + 1);
  if (end <= q.start_time) {
    throw new ApiError("invalid_request", "Invalid 'end_time': it must be after 'start_time'.", {
      param: "end_time",
      code: "invalid_value",
    });
  }
  const first = pageStart(q.page, q.start_time, end, width);
  const pageEnd = Math.min(end, first + limit * width);
  const rows = await deps.usage.query({
    kind,
    start: first,
    end: pageEnd,
    width,
    groupBy: q.group_by,
    projectIds: q.project_ids,
    models: q.models,
    apiKeyIds: q.api_key_ids,
    batch,
  });
  const data: Page<R>["data"] = [];
  for (let at = first; at < pageEnd; at += width) {
    data.push({ object: "bucket", start_time: at, end_time: Math.min(at + width, end), results: [] });
  }
  for (const row of rows) {
    data[row.bucket]?.results.push(toResult(row));
  }
  const hasMore = pageEnd < end;
  return { object: "page", data, has_more: hasMore, next_page: hasMore ? `page_${pageEnd}` : null };
}

export function completionsUsage(deps: Deps, raw: Record<string, string[]>, now = nowSeconds()) {
  const q = parse(CompletionsUsageQuerySchema, raw);
  const batch = q.batch === undefined ? undefined : q.batch === "true";
  return usagePage<CompletionsResult>(
    deps,
    "completions",
    q,
    batch,
    (row) => ({
      object: "organization.usage.completions.result",
      input_tokens: row.input,
      output_tokens: row.output,
      input_cached_tokens: row.cached,
      input_audio_tokens: 0,
      output_audio_tokens: 0,
      num_model_requests: row.requests,
      project_id: row.projectId,
      user_id: null,
      api_key_id: row.apiKeyId,
      model: row.model,
      batch: row.batch,
      service_tier: null,
    }),
    now,
  );
}

export function embeddingsUsage(deps: Deps, raw: Record<string, string[]>, now = nowSeconds()) {
  const q = parse(EmbeddingsUsageQuerySchema, raw);
  return usagePage<EmbeddingsResult>(
    deps,
    "embeddings",
    q,
    undefined,
    (row) => ({
      object: "organization.usage.embeddings.result",
      input_tokens: row.input,
      num_model_requests: row.requests,
      project_id: row.projectId,
      user_id: null,
      api_key_id: row.apiKeyId,
      model: row.model,
    }),
    now,
  );
}
