import type { Deps } from "../app/deps";
import type { ModelInfo } from "../domain/models";
import { DEFAULT_BATCH_INPUT_TOKENS_PER_DAY, DEFAULT_TOKENS_PER_MINUTE } from "../domain/rate-limit-defaults";
import { nowSeconds } from "../domain/time";
import { ApiError } from "../errors/api-error";
import { listPage } from "../schemas/common";
import type { RateLimit, UpdateRateLimitBody } from "../schemas/organization";
import type { RateLimitOverride } from "../storage/d1/rate-limits-store";
import { mustGetActiveProject, mustGetProject } from "./admin-projects";

/**
 * A project's rate limits: one entry per model the deployment serves (its catalogue), with the
 * deployment's defaults unless an operator set a value. Stored and validated here; the batch-queue
 * fairness work enforces them.
 */

export { DEFAULT_BATCH_INPUT_TOKENS_PER_DAY, DEFAULT_TOKENS_PER_MINUTE };

/** `rl-` and the model id with every character outside `[A-Za-z0-9._-]` made `-`: stable, path-safe. */
export function rateLimitId(model: string): string {
  return `rl-${model.replace(/^@/, "").replace(/[^A-Za-z0-9._-]/g, "-")}`;
}

function toRateLimit(model: ModelInfo, override: RateLimitOverride | undefined, enqueued: number): RateLimit {
  const limit: RateLimit = {
    id: rateLimitId(model.id),
    object: "project.rate_limit",
    model: model.id,
    max_requests_per_1_minute: override?.maxRequestsPer1Minute ?? model.rpm,
    max_tokens_per_1_minute: override?.maxTokensPer1Minute ?? DEFAULT_TOKENS_PER_MINUTE,
    batch_1_day_max_input_tokens: override?.batch1DayMaxInputTokens ?? DEFAULT_BATCH_INPUT_TOKENS_PER_DAY,
    enqueued_input_tokens: enqueued,
  };
  if (override?.maxRequestsPer1Day) {
    limit.max_requests_per_1_day = override.maxRequestsPer1Day;
  }
  return limit;
}

async function servedModels(deps: Deps): Promise<ModelInfo[]> {
  return [...(await deps.inference.catalogue()).list()].sort((a, b) =>
    rateLimitId(a.id).localeCompare(rateLimitId(b.id)),
  );
}

/** Ordered by id; `after` / `before` are rate limit ids. */
export async function listRateLimits(
  deps: Deps,
  projectId: string,
  query: { limit: number; after?: string; before?: string },
) {
  const project = await mustGetProject(deps, projectId);
  const overrides = new Map((await deps.rateLimits.list(project.id)).map((o) => [o.model, o]));
  const enqueued = await deps.tokenReservations.inUse(project.id);
  let all = (await servedModels(deps)).map((model) =>
    toRateLimit(model, overrides.get(model.id), enqueued.get(model.id) ?? 0),
  );
  if (query.after !== undefined) {
    const after = query.after;
    all = all.filter((limit) => limit.id > after);
  }
  if (query.before !== undefined) {
    const before = query.before;
    all = all.filter((limit) => limit.id < before).slice(-query.limit);
  }
  return listPage(all.slice(0, query.limit), all.length > query.limit);
}

export async function updateRateLimit(
  deps: Deps,
  projectId: string,
  id: string,
  body: UpdateRateLimitBody,
  now: number = nowSeconds(),
): Promise<RateLimit> {
  const project = await mustGetActiveProject(deps, projectId);
  const model = (await servedModels(deps)).find((m) => rateLimitId(m.id) === id);
  if (!model) {
    throw new ApiError("not_found", `No such rate limit: ${id}`, { param: "rate_limit_id" });
  }
  const override = await deps.rateLimits.upsert(
    project.id,
    model.id,
    {
      maxRequestsPer1Minute: body.max_requests_per_1_minute,
      maxTokensPer1Minute: body.max_tokens_per_1_minute,
      maxRequestsPer1Day: body.max_requests_per_1_day,
      batch1DayMaxInputTokens: body.batch_1_day_max_input_tokens,
    },
    now,
  );
  return toRateLimit(model, override, (await deps.tokenReservations.inUse(project.id)).get(model.id) ?? 0);
}
