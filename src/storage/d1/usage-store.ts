export type UsageKind = "completions" | "embeddings";

export type UsageTotals = { input: number; output: number; cached: number; requests: number };

/** One per-minute rollup row. `apiKeyId` and `batchId` are "" when there is none. */
export type UsageRollup = UsageTotals & {
  kind: UsageKind;
  minute: number;
  projectId: string;
  model: string;
  apiKeyId: string;
  batchId: string;
};

export type UsageGroupField = "project_id" | "model" | "api_key_id" | "batch";

export type UsageQuery = {
  kind: UsageKind;
  /** Buckets are [start + i·width, start + (i+1)·width), cut at `end`. */
  start: number;
  end: number;
  width: number;
  groupBy: UsageGroupField[];
  projectIds: string[];
  models: string[];
  apiKeyIds: string[];
  /** true: batch usage only; false: synchronous calls only. */
  batch: boolean | undefined;
};

export type UsageRow = UsageTotals & {
  bucket: number;
  projectId: string | null;
  model: string | null;
  apiKeyId: string | null;
  batch: boolean | null;
};

/** The read and write side of usage_rollups (migrations/0009). */
export interface UsageStore {
  /**
   * A batch's absolute totals per minute, from its coordinator (their only writer). A row with a
   * `version` not above the stored one changes nothing, so a retried or late write cannot count twice.
   */
  putBatchTotals(rows: Array<UsageRollup & { version: number }>): Promise<void>;
  /** Adds a synchronous call's totals. */
  addCallTotals(rows: UsageRollup[]): Promise<void>;
  query(q: UsageQuery): Promise<UsageRow[]>;
}

const INSERT =
  "INSERT INTO usage_rollups (kind, minute, project_id, model, api_key_id, batch_id, input_tokens, output_tokens, input_cached_tokens, num_model_requests, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (kind, minute, project_id, model, api_key_id, batch_id) DO UPDATE SET";

const GROUP_COLUMNS: Record<UsageGroupField, string> = {
  project_id: "project_id",
  model: "model",
  api_key_id: "api_key_id",
  batch: "(batch_id <> '') AS is_batch",
};

type Row = {
  bucket: number;
  project_id?: string;
  model?: string;
  api_key_id?: string;
  is_batch?: number;
  input: number;
  output: number;
  cached: number;
  requests: number;
};

export class D1UsageStore implements UsageStore {
  constructor(private readonly db: D1Database) {}

  private async write(sql: string, rows: Array<UsageRollup & { version?: number }>): Promise<void> {
    const statements = rows.map((r) =>
      this.db
        .prepare(sql)
        .bind(
          r.kind,
          r.minute,
          r.projectId,
          r.model,
          r.apiKeyId,
          r.batchId,
          r.input,
          r.output,
          r.cached,
          r.requests,
          r.version ?? 0,
        ),
    );
    if (statements.length === 1) {
      await statements[0]?.run();
    } else if (statements.length > 1) {
      await this.db.batch(statements);
    }
  }

  putBatchTotals(rows: Array<UsageRollup & { version: number }>): Promise<void> {
    return this.write(
      `${INSERT} input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
        input_cached_tokens = excluded.input_cached_tokens, num_model_requests = excluded.num_model_requests,
        version = excluded.version
       WHERE excluded.version > usage_rollups.version`,
      rows,
    );
  }

  addCallTotals(rows: UsageRollup[]): Promise<void> {
    return this.write(
      `${INSERT} input_tokens = input_tokens + excluded.input_tokens,
        output_tokens = output_tokens + excluded.output_tokens,
        input_cached_tokens = input_cached_tokens + excluded.input_cached_tokens,
        num_model_requests = num_model_requests + excluded.num_model_requests`,
      rows,
    );
  }

  async query(q: UsageQuery): Promise<UsageRow[]> {
    const conditions = ["kind = ?", "minute >= ?", "minute < ?"];
    const binds: unknown[] = [q.kind, q.start, q.end];
    const inList = (column: string, values: string[]) => {
      if (values.length > 0) {
        conditions.push(`${column} IN (${values.map(() => "?").join(", ")})`);
        binds.push(...values);
      }
    };
    inList("project_id", q.projectIds);
    inList("model", q.models);
    inList("api_key_id", q.apiKeyIds);
    if (q.batch !== undefined) {
      conditions.push(q.batch ? "batch_id <> ''" : "batch_id = ''");
    }
    const groups = q.groupBy.map((field) => GROUP_COLUMNS[field]);
    const groupKeys = q.groupBy.map((field) => (field === "batch" ? "is_batch" : field));
    // CAST: D1 may bind numbers as REAL, and minute >= start, so truncation is the floor
    const sql = `SELECT CAST((minute - ?) / ? AS INTEGER) AS bucket${groups.map((g) => `, ${g}`).join("")},
        SUM(input_tokens) AS input, SUM(output_tokens) AS output, SUM(input_cached_tokens) AS cached,
        SUM(num_model_requests) AS requests
      FROM usage_rollups WHERE ${conditions.join(" AND ")}
      GROUP BY ${["bucket", ...groupKeys].join(", ")} ORDER BY ${["bucket", ...groupKeys].join(", ")}`;
    const { results } = await this.db
      .prepare(sql)
      .bind(q.start, q.width, ...binds)
      .all<Row>();
    return results.map((r) => ({
      bucket: r.bucket,
      projectId: r.project_id ?? null,
      model: r.model ?? null,
      apiKeyId: r.api_key_id ? r.api_key_id : null,
      batch: r.is_batch === undefined ? null : r.is_batch === 1,
      input: r.input,
      output: r.output,
      cached: r.cached,
      requests: r.requests,
    }));
  }
}
