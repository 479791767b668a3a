/**
 * Enqueued input tokens per live batch (`batch_token_reservations`): a batch reserves its estimate
 * at validation and gives it back when it ends. The check and the insert are one statement, so two
 * batches validating at once cannot both slip under the limit.
 */
export interface TokenReservationStore {
  /**
   * Reserves `tokens` for the batch if the project's reservations for the model stay within
   * `limit`. Idempotent: a batch that already holds a reservation keeps it and gets true.
   */
  reserve(entry: {
    batchId: string;
    projectId: string;
    model: string;
    tokens: number;
    limit: number;
    now: number;
  }): Promise<boolean>;
  /** Gives the batch's reservation back; a no-op when it holds none. */
  release(batchId: string): Promise<void>;
  /** Tokens reserved by the project's live batches, per model. */
  inUse(projectId: string): Promise<Map<string, number>>;
}

export class D1TokenReservationStore implements TokenReservationStore {
  constructor(private readonly db: D1Database) {}

  async reserve(entry: {
    batchId: string;
    projectId: string;
    model: string;
    tokens: number;
    limit: number;
    now: number;
  }): Promise<boolean> {
    const [, held] = await this.db.batch([
      this.db
        .prepare(
          `INSERT INTO batch_token_reservations (batch_id, project_id, model, tokens, created_at)
           SELECT ?1, ?2, ?3, ?4, ?5
           WHERE ?4 + (SELECT coalesce(sum(tokens), 0) FROM batch_token_reservations
                       WHERE project_id = ?2 AND model = ?3 AND batch_id != ?1) <= ?6
           ON CONFLICT (batch_id) DO NOTHING`,
        )
        .bind(entry.batchId, entry.projectId, entry.model, entry.tokens, entry.now, entry.limit),
      this.db
        .prepare("SELECT 1 AS held FROM batch_token_reservations WHERE batch_id = ?1")
        .bind(entry.batchId),
    ]);
    return (held?.results.length ?? 0) > 0;
  }

  async release(batchId: string): Promise<void> {
    await this.db.prepare("DELETE FROM batch_token_reservations WHERE batch_id = ?1").bind(batchId).run();
  }

  async inUse(projectId: string): Promise<Map<string, number>> {
    const { results } = await this.db
      .prepare(
        "SELECT model, sum(tokens) AS tokens FROM batch_token_reservations WHERE project_id = ?1 GROUP BY model",
      )
      .bind(projectId)
      .all<{ model: string; tokens: number }>();
    return new Map(results.map((row) => [row.model, row.tokens]));
  }
}
