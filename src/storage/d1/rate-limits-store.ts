import type { ProjectId } from "../../domain/ids";

/** The fields an operator may set on a project's model limit; null is "the default". */
export type RateLimitFields = {
  maxRequestsPer1Minute: number | null;
  maxTokensPer1Minute: number | null;
  maxRequestsPer1Day: number | null;
  batch1DayMaxInputTokens: number | null;
};

export type RateLimitOverride = RateLimitFields & { model: string };

/** Per-project, per-model limits that differ from the deployment's defaults. */
export interface RateLimitStore {
  list(projectId: ProjectId): Promise<RateLimitOverride[]>;
  /** Sets the given (non-undefined) fields, keeping the others. */
  upsert(
    projectId: ProjectId,
    model: string,
    fields: Partial<RateLimitFields>,
    now: number,
  ): Promise<RateLimitOverride>;
}

type Row = {
  model: string;
  max_requests_per_1_minute: number | null;
  max_tokens_per_1_minute: number | null;
  max_requests_per_1_day: number | null;
  batch_1_day_max_input_tokens: number | null;
};

const COLUMNS =
  "model, max_requests_per_1_minute, max_tokens_per_1_minute, max_requests_per_1_day, batch_1_day_max_input_tokens";

function toOverride(row: Row): RateLimitOverride {
  return {
    model: row.model,
    maxRequestsPer1Minute: row.max_requests_per_1_minute,
    maxTokensPer1Minute: row.max_tokens_per_1_minute,
    maxRequestsPer1Day: row.max_requests_per_1_day,
    batch1DayMaxInputTokens: row.batch_1_day_max_input_tokens,
  };
}

export class D1RateLimitStore implements RateLimitStore {
  constructor(private readonly db: D1Database) {}

  async list(projectId: ProjectId): Promise<RateLimitOverride[]> {
    const { results } = await this.db
      .prepare(`SELECT ${COLUMNS} FROM project_rate_limits WHERE project_id = ?1`)
      .bind(projectId)
      .all<Row>();
    return results.map(toOverride);
  }

  async upsert(
    projectId: ProjectId,
    model: string,
    f: Partial<RateLimitFields>,
    now: number,
  ): Promise<RateLimitOverride> {
    // coalesce(excluded.x, x): a field the request left out keeps its stored value
    const row = await this.db
      .prepare(
        `INSERT INTO project_rate_limits (project_id, ${COLUMNS}, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (project_id, model) DO UPDATE SET
           max_requests_per_1_minute = coalesce(excluded.max_requests_per_1_minute, max_requests_per_1_minute),
           max_tokens_per_1_minute = coalesce(excluded.max_tokens_per_1_minute, max_tokens_per_1_minute),
           max_requests_per_1_day = coalesce(excluded.max_requests_per_1_day, max_requests_per_1_day),
           batch_1_day_max_input_tokens = coalesce(excluded.batch_1_day_max_input_tokens, batch_1_day_max_input_tokens),
           updated_at = excluded.updated_at
         RETURNING ${COLUMNS}`,
      )
      .bind(
        projectId,
        model,
        f.maxRequestsPer1Minute ?? null,
        f.maxTokensPer1Minute ?? null,
        f.maxRequestsPer1Day ?? null,
        f.batch1DayMaxInputTokens ?? null,
        now,
      )
      .first<Row>();
    if (!row) {
      throw new Error("rate limit upsert returned no row");
    }
    return toOverride(row);
  }
}
