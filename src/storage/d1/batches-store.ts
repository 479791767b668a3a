import type { BatchParams } from "../../domain/batch-params";
import type { BatchStatus } from "../../domain/batch-status";
import type { ProjectId } from "../../domain/ids";
import type { Batch } from "../../schemas/batch";
import { keysetPage, splitPage } from "./keyset-page";

export type BatchRow = { projectId: ProjectId; batch: Batch; params: BatchParams; updatedAt: number };

export type BatchPage = { batches: Batch[]; hasMore: boolean };

/** The D1 index of batches. Rows are written at creation and then only mirrored by the coordinator. */
export interface BatchStore {
  insert(projectId: ProjectId, batch: Batch, params: BatchParams): Promise<void>;
  get(projectId: ProjectId, id: string): Promise<BatchRow | null>;
  getAnyProject(id: string): Promise<BatchRow | null>;
  list(projectId: ProjectId, options: { limit: number; after?: string }): Promise<BatchPage>;
  /** Marks the batch as started by the schedule's run; only the cron calls this. Idempotent. */
  linkSchedule(projectId: ProjectId, id: string, scheduleId: string): Promise<void>;
  /** The batches `linkSchedule` tied to the schedule, newest first. */
  listBySchedule(
    projectId: ProjectId,
    scheduleId: string,
    options: { limit: number; after?: string },
  ): Promise<BatchPage>;
  mirror(batch: Batch, updatedAt: number): Promise<void>;
  /** Live batches whose last mirrored change is older than `before` (unix seconds), oldest first. */
  listStale(before: number, limit: number): Promise<BatchRow[]>;
  /** Whether any batch but this one is validating or in progress (of any project). */
  hasOtherWaiting(id: string): Promise<boolean>;
}

type Row = { project_id: ProjectId; object: string; params: string; updated_at: number };

function toRow(row: Row): BatchRow {
  return {
    projectId: row.project_id,
    batch: JSON.parse(row.object) as Batch,
    params: JSON.parse(row.params) as BatchParams,
    updatedAt: row.updated_at,
  };
}

const LIVE: readonly BatchStatus[] = ["validating", "in_progress", "finalizing", "cancelling"];

export class D1BatchStore implements BatchStore {
  constructor(private readonly db: D1Database) {}

  async insert(projectId: ProjectId, batch: Batch, params: BatchParams): Promise<void> {
    await this.db
      .prepare(
        `INSERT INTO batches (id, project_id, status, endpoint, input_file_id, created_at, expires_at, updated_at, object, params)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6, ?8, ?9)`,
      )
      .bind(
        batch.id,
        projectId,
        batch.status,
        batch.endpoint,
        batch.input_file_id,
        batch.created_at,
        batch.expires_at,
        JSON.stringify(batch),
        JSON.stringify(params),
      )
      .run();
  }

  async get(projectId: ProjectId, id: string): Promise<BatchRow | null> {
    const row = await this.db
      .prepare("SELECT project_id, object, params, updated_at FROM batches WHERE id = ?1 AND project_id = ?2")
      .bind(id, projectId)
      .first<Row>();
    return row ? toRow(row) : null;
  }

  async getAnyProject(id: string): Promise<BatchRow | null> {
    const row = await this.db
      .prepare("SELECT project_id, object, params, updated_at FROM batches WHERE id = ?1")
      .bind(id)
      .first<Row>();
    return row ? toRow(row) : null;
  }

  async list(projectId: ProjectId, options: { limit: number; after?: string }): Promise<BatchPage> {
    return this.page(["project_id = ?"], [projectId], options);
  }

  async linkSchedule(projectId: ProjectId, id: string, scheduleId: string): Promise<void> {
    await this.db
      .prepare("UPDATE batches SET schedule_id = ?3 WHERE id = ?1 AND project_id = ?2")
      .bind(id, projectId, scheduleId)
      .run();
  }

  async listBySchedule(
    projectId: ProjectId,
    scheduleId: string,
    options: { limit: number; after?: string },
  ): Promise<BatchPage> {
    // schedule_id is set by linkSchedule only (migrations/0006)
    return this.page(["project_id = ?", "schedule_id = ?"], [projectId, scheduleId], options);
  }

  private async page(
    conditions: string[],
    binds: unknown[],
    options: { limit: number; after?: string },
  ): Promise<BatchPage> {
    const { results } = await keysetPage(
      this.db,
      {
        select: "SELECT project_id, object, params, updated_at FROM batches",
        idColumn: "id",
        conditions,
        binds,
      },
      options,
    ).all<Row>();
    const { items, hasMore } = splitPage(results.map(toRow), options.limit);
    return { batches: items.map((row) => row.batch), hasMore };
  }

  async mirror(batch: Batch, updatedAt: number): Promise<void> {
    await this.db
      .prepare("UPDATE batches SET status = ?2, object = ?3, updated_at = ?4 WHERE id = ?1")
      .bind(batch.id, batch.status, JSON.stringify(batch), updatedAt)
      .run();
  }

  async hasOtherWaiting(id: string): Promise<boolean> {
    const row = await this.db
      .prepare(
        "SELECT 1 AS one FROM batches WHERE status IN ('validating', 'in_progress') AND id != ?1 LIMIT 1",
      )
      .bind(id)
      .first<{ one: number }>();
    return row !== null;
  }

  async listStale(before: number, limit: number): Promise<BatchRow[]> {
    const placeholders = LIVE.map((_, i) => `?${i + 3}`).join(", ");
    const { results } = await this.db
      .prepare(
        `SELECT project_id, object, params, updated_at FROM batches
         WHERE status IN (${placeholders}) AND updated_at < ?1 ORDER BY updated_at LIMIT ?2`,
      )
      .bind(before, limit, ...LIVE)
      .all<Row>();
    return results.map(toRow);
  }
}
