import type { Deps } from "../app/deps";
import type { ProjectId } from "../domain/ids";

/**
 * The `x-ratelimit-*-requests` headers of `POST /v1/batches` and the synchronous batch endpoint, for
 * the request's model. All three are about requests a minute on the model's Workers AI pool:
 *
 * - `limit`: the project's `max_requests_per_1_minute` for the model (Admin API rate limits; the
 *   pool's own limit unless an operator set one).
 * - `remaining`: what the project can still add now: the smaller of its limit and the pool's current
 *   rate (the pool limiter's adaptive rate, lower after 429s), less the rate its running batches
 *   take from the pool at the moment. Not a count left in a fixed window: the pool is shared fairly,
 *   so a project with nothing running gets up to its limit at once.
 * - `reset`: how long until the full limit is free again if the project's running batches stopped
 *   (the used part of a minute: `(limit - remaining) / limit` of 60 s), as OpenAI writes durations
 *   (`0s`, `250ms`, `1.5s`, `1m0s`).
 *
 * With no model known (a batch whose lines name it), or an unknown one, there are no headers. If
 * the pool limiter cannot be reached, its rate is taken as the model's documented limit.
 */
export type RateLimitHeaders = Record<string, string>;

export const RATE_LIMIT_HEADER_DOCS = {
  "x-ratelimit-limit-requests":
    "The project's requests a minute for the request's model (Admin API rate limits).",
  "x-ratelimit-remaining-requests":
    "Requests a minute the project can still add now: min(limit, the pool's current rate) less what its running batches take.",
  "x-ratelimit-reset-requests":
    "Time until the full limit is free again if the project's running batches stopped, e.g. `1.5s`.",
} as const;

/** The OpenAPI `headers` of a response that carries the rate-limit headers (absent when no model is known). */
export const RATE_LIMIT_OPENAPI_HEADERS = Object.fromEntries(
  Object.entries(RATE_LIMIT_HEADER_DOCS).map(([name, description]) => [
    name,
    {
      description: `${description} Absent when the model is not known yet.`,
      schema: { type: "string" as const },
    },
  ]),
);

/** A duration as OpenAI's headers write it: `0s`, `250ms`, `1.5s`, `2m3s`. */
export function formatResetDuration(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  if (whole === 0) {
    return "0s";
  }
  if (whole < 1000) {
    return `${whole}ms`;
  }
  const minutes = Math.floor(whole / 60_000);
  const seconds = Math.round((whole % 60_000) / 100) / 10;
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}

/** The headers for `model` (resolved through the catalogue, LoRA adapters on `baseModel`); `{}` if unknown. */
export async function rateLimitHeaders(
  deps: Deps,
  projectId: ProjectId,
  model: string | null | undefined,
  baseModel: string | null = null,
): Promise<RateLimitHeaders> {
  if (!model && !baseModel) {
    return {};
  }
  const catalogue = await deps.inference.catalogue();
  let resolved: ReturnType<typeof catalogue.resolve>;
  try {
    resolved = catalogue.resolve(model ?? undefined, baseModel);
  } catch {
    // a retired or malformed name: the request's own checks answer for it, the headers stay out
    return {};
  }
  if (!resolved) {
    return {};
  }
  const overrides = await deps.rateLimits.list(projectId);
  const override = overrides.find((o) => o.model === resolved.id)?.maxRequestsPer1Minute;
  const limit = Math.max(1, override ?? resolved.rpm);
  let poolRate = resolved.rpm;
  let projectRate = 0;
  try {
    const pool = await deps.poolSnapshot(resolved.pool);
    // a limiter that has served nobody yet has no rate: the pool is all free
    if (pool.rpm > 0) {
      poolRate = pool.rateRpm;
    }
    for (const share of pool.shares ?? []) {
      if (share.projectId === projectId) {
        projectRate += share.rateRpm;
      }
    }
  } catch (err) {
    console.warn(JSON.stringify({ msg: "pool snapshot failed", pool: resolved.pool, err: String(err) }));
  }
  const remaining = Math.max(0, Math.floor(Math.min(limit, poolRate) - projectRate));
  return {
    "x-ratelimit-limit-requests": String(limit),
    "x-ratelimit-remaining-requests": String(remaining),
    "x-ratelimit-reset-requests": formatResetDuration(((limit - remaining) / limit) * 60_000),
  };
}
