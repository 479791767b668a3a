/**
 * Which batch (and which of its coordinator's async requests) a Workers AI async `request_id`
 * belongs to: a completion event carries only the request id.
 */
export type AsyncRequestOwner = { batchId: string; submission: number };

export interface AsyncRequestStore {
  put(requestId: string, owner: AsyncRequestOwner, now: number): Promise<void>;
  owner(requestId: string): Promise<AsyncRequestOwner | null>;
  /** Forgets requests older than `before` (epoch seconds); returns how many. */
  deleteOlderThan(before: number): Promise<number>;
}

export class D1AsyncRequestStore implements AsyncRequestStore {
  constructor(private readonly db: D1Database) {}

  async put(requestId: string, owner: AsyncRequestOwner, now: number): Promise<void> {
    await this.db
      .prepare(
        "INSERT OR REPLACE INTO async_requests (request_id, batch_id, submission, created_at) VALUES (?1, ?2, ?3, ?4)",
      )
      .bind(requestId, owner.batchId, owner.submission, now)
      .run();
  }

  async owner(requestId: string): Promise<AsyncRequestOwner | null> {
    const row = await this.db
      .prepare("SELECT batch_id, submission FROM async_requests WHERE request_id = ?1")
      .bind(requestId)
      .first<{ batch_id: string; submission: number }>();
    return row ? { batchId: row.batch_id, submission: row.submission } : null;
  }

  async deleteOlderThan(before: number): Promise<number> {
    const result = await this.db
      .prepare("DELETE FROM async_requests WHERE created_at < ?1")
      .bind(before)
      .run();
    return result.meta.changes ?? 0;
  }
}
