import type { ProjectId } from "../../domain/ids";
import { nowSeconds } from "../../domain/time";

export type IdempotencyScope = "batches" | "batch_schedules";
export type IdempotencyRecord = { requestHash: string; resourceId: string };

/** `Idempotency-Key` claims for JSON creates. The first request to claim a key in a project wins. */
export interface IdempotencyStore {
  /** Claims the key for `resourceId`, or returns the earlier claim (whose hash may differ). */
  claim(
    projectId: ProjectId,
    scope: IdempotencyScope,
    key: string,
    requestHash: string,
    resourceId: string,
  ): Promise<IdempotencyRecord>;
}

export class D1IdempotencyStore implements IdempotencyStore {
  constructor(private readonly db: D1Database) {}

  async claim(
    projectId: ProjectId,
    scope: IdempotencyScope,
    key: string,
    requestHash: string,
    resourceId: string,
  ): Promise<IdempotencyRecord> {
    const [, existing] = await this.db.batch([
      this.db
        .prepare(
          `INSERT OR IGNORE INTO idempotency_keys (project_id, scope, key, request_hash, resource_id, created_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6)`,
        )
        .bind(projectId, scope, key, requestHash, resourceId, nowSeconds()),
      this.db
        .prepare(
          "SELECT request_hash, resource_id FROM idempotency_keys WHERE project_id = ?1 AND scope = ?2 AND key = ?3",
        )
        .bind(projectId, scope, key),
    ]);
    const row = (existing?.results as Array<{ request_hash: string; resource_id: string }> | undefined)?.[0];
    if (!row) {
      throw new Error("idempotency claim vanished");
    }
    return { requestHash: row.request_hash, resourceId: row.resource_id };
  }
}
