import { TERMINAL_STATUSES } from "../../domain/batch-status";

export type ExpiredFile = { id: string; r2Key: string };

/**
 * The queries of the retention sweep, across projects: files past `expires_at`, and terminal batches
 * whose intermediate chunk results may still be in R2. Readers already treat an expired file as
 * gone (files-store filters on `expires_at`); the sweep only reclaims the space.
 */
export interface RetentionStore {
  /** Expired files, oldest expiry first; the input of a live batch is kept until the batch ends. */
  listExpiredFiles(now: number, limit: number): Promise<ExpiredFile[]>;
  /** Deletes the rows (and their idempotency claims) of files that are still expired. */
  deleteFiles(ids: string[], now: number): Promise<void>;
  /**
   * Terminal batches whose intermediate results were never swept and are no longer needed: ended at
   * least `minAgeSeconds` ago and, since the results endpoint reads them, past their output files'
   * lifetime.
   */
  listUnsweptBatches(now: number, minAgeSeconds: number, limit: number): Promise<string[]>;
  markSwept(ids: string[], now: number): Promise<void>;
}

const LIVE_STATUSES = ["validating", "in_progress", "finalizing", "cancelling"];
// D1 binds at most 100 parameters per statement
const IDS_PER_STATEMENT = 90;

function quoted(values: readonly string[]): string {
  return values.map((value) => `'${value}'`).join(", ");
}

function slices<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

export class D1RetentionStore implements RetentionStore {
  constructor(private readonly db: D1Database) {}

  async listExpiredFiles(now: number, limit: number): Promise<ExpiredFile[]> {
    const { results } = await this.db
      .prepare(
        `SELECT id, r2_key FROM files f WHERE expires_at IS NOT NULL AND expires_at <= ?1
           AND NOT EXISTS (SELECT 1 FROM batches b WHERE b.input_file_id = f.id AND b.status IN (${quoted(LIVE_STATUSES)}))
         ORDER BY expires_at LIMIT ?2`,
      )
      .bind(now, limit)
      .all<{ id: string; r2_key: string }>();
    return results.map((row) => ({ id: row.id, r2Key: row.r2_key }));
  }

  async deleteFiles(ids: string[], now: number): Promise<void> {
    const statements = slices(ids, IDS_PER_STATEMENT).flatMap((slice) => {
      const marks = slice.map((_, i) => `?${i + 2}`).join(", ");
      return [
        this.db.prepare(`DELETE FROM files WHERE expires_at <= ?1 AND id IN (${marks})`).bind(now, ...slice),
        this.db
          .prepare(
            `DELETE FROM idempotency_keys WHERE scope = 'files' AND resource_id IN (${slice.map((_, i) => `?${i + 1}`).join(", ")})`,
          )
          .bind(...slice),
      ];
    });
    if (statements.length > 0) {
      await this.db.batch(statements);
    }
  }

  async listUnsweptBatches(now: number, minAgeSeconds: number, limit: number): Promise<string[]> {
    const { results } = await this.db
      .prepare(
        `SELECT id FROM batches WHERE chunks_swept_at IS NULL AND status IN (${quoted(TERMINAL_STATUSES)})
           AND updated_at < ?1 - ?2
           AND updated_at + COALESCE(json_extract(params, '$.outputExpiresAfterSeconds'), 0) < ?1
         ORDER BY updated_at LIMIT ?3`,
      )
      .bind(now, minAgeSeconds, limit)
      .all<{ id: string }>();
    return results.map((row) => row.id);
  }

  async markSwept(ids: string[], now: number): Promise<void> {
    const statements = slices(ids, IDS_PER_STATEMENT).map((slice) =>
      this.db
        .prepare(
          `UPDATE batches SET chunks_swept_at = ?1 WHERE id IN (${slice.map((_, i) => `?${i + 2}`).join(", ")})`,
        )
        .bind(now, ...slice),
    );
    if (statements.length > 0) {
      await this.db.batch(statements);
    }
  }
}
