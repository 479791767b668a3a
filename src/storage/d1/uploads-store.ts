import { z } from "zod";
import type { UploadPurpose } from "../../domain/files";
import type { FileId, ProjectId } from "../../domain/ids";
import type { PartId, StoredUploadStatus, UploadId } from "../../domain/uploads";
import { r2Keys } from "../r2/keys";

/**
 * The D1 index of uploads and their parts. Every query a client's request makes is scoped to its
 * project. A part row exists before its bytes are written and outlives them, so the retention
 * sweep can always find what to delete in R2.
 */

export type UploadRecord = {
  id: UploadId;
  projectId: ProjectId;
  filename: string;
  purpose: UploadPurpose;
  mimeType: string;
  bytes: number;
  status: StoredUploadStatus;
  createdAt: number;
  expiresAt: number;
  fileExpiresAfter: number | null;
  fileId: FileId | null;
  requestHash: string | null;
};

export type NewUpload = Omit<UploadRecord, "status" | "fileId"> & { idempotencyKey?: string };

export type PartRecord = { id: PartId; r2Key: string; bytes: number; position: number | null };

/** The file row a completion inserts, in the same transaction that marks the upload completed. */
export type CompletedFile = { id: FileId; expiresAt: number | null; createdAt: number };

const UploadRowSchema = z.object({
  id: z.templateLiteral(["upload_", z.string()]),
  project_id: z.templateLiteral(["proj_", z.string()]),
  filename: z.string(),
  purpose: z.enum(["assistants", "batch", "fine-tune", "vision", "user_data", "evals"]),
  mime_type: z.string(),
  bytes: z.number().int(),
  status: z.enum(["pending", "completed", "cancelled"]),
  created_at: z.number().int(),
  expires_at: z.number().int(),
  file_expires_after: z.number().int().nullable(),
  file_id: z.templateLiteral(["file-", z.string()]).nullable(),
  request_hash: z.string().nullable(),
});

function toRecord(row: unknown): UploadRecord {
  const r = UploadRowSchema.parse(row);
  return {
    id: r.id,
    projectId: r.project_id,
    filename: r.filename,
    purpose: r.purpose,
    mimeType: r.mime_type,
    bytes: r.bytes,
    status: r.status,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    fileExpiresAfter: r.file_expires_after,
    fileId: r.file_id,
    requestHash: r.request_hash,
  };
}

const COLUMNS =
  "id, project_id, filename, purpose, mime_type, bytes, status, created_at, expires_at, file_expires_after, file_id, request_hash";
// D1 binds at most 100 parameters per statement
const IDS_PER_STATEMENT = 90;
// a part still being written is left alone this long after it started, even if its upload ended
const WRITING_GRACE_SECONDS = 3600;

export class D1UploadStore {
  constructor(private readonly db: D1Database) {}

  /** Inserts the upload; with an idempotency key already used in the project, returns that upload. */
  async create(upload: NewUpload): Promise<UploadRecord> {
    const insert = this.db
      .prepare(
        `INSERT OR IGNORE INTO uploads (${COLUMNS}, idempotency_key, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8, ?9, NULL, ?10, ?11, ?7)`,
      )
      .bind(
        upload.id,
        upload.projectId,
        upload.filename,
        upload.purpose,
        upload.mimeType,
        upload.bytes,
        upload.createdAt,
        upload.expiresAt,
        upload.fileExpiresAfter,
        upload.requestHash,
        upload.idempotencyKey ?? null,
      );
    const select = upload.idempotencyKey
      ? this.db
          .prepare(`SELECT ${COLUMNS} FROM uploads WHERE project_id = ?1 AND idempotency_key = ?2`)
          .bind(upload.projectId, upload.idempotencyKey)
      : this.db.prepare(`SELECT ${COLUMNS} FROM uploads WHERE id = ?1`).bind(upload.id);
    const [, found] = await this.db.batch([insert, select]);
    return toRecord(found?.results[0]);
  }

  async get(projectId: ProjectId, id: string): Promise<UploadRecord | null> {
    const row = await this.db
      .prepare(`SELECT ${COLUMNS} FROM uploads WHERE project_id = ?1 AND id = ?2`)
      .bind(projectId, id)
      .first();
    return row ? toRecord(row) : null;
  }

  /** Claims a part row before its bytes are written; false unless the upload is pending and live. */
  async beginPart(upload: UploadRecord, partId: PartId, now: number): Promise<boolean> {
    const result = await this.db
      .prepare(
        `INSERT INTO upload_parts (id, upload_id, project_id, r2_key, bytes, status, created_at)
         SELECT ?1, ?2, ?3, ?4, 0, 'writing', ?5 WHERE EXISTS (
           SELECT 1 FROM uploads WHERE id = ?2 AND project_id = ?3 AND status = 'pending' AND expires_at > ?5)`,
      )
      .bind(partId, upload.id, upload.projectId, r2Keys.uploadPart(upload.id, partId), now)
      .run();
    return result.meta.changes > 0;
  }

  /**
   * Records a written part; false (nothing changed) when the upload stopped being pending meanwhile
   * or the parts stored would pass `maxTotal` bytes.
   */
  async finishPart(
    uploadId: UploadId,
    partId: PartId,
    bytes: number,
    now: number,
    maxTotal: number,
  ): Promise<boolean> {
    const result = await this.db
      .prepare(
        `UPDATE upload_parts SET status = 'stored', bytes = ?3
         WHERE id = ?2 AND upload_id = ?1 AND status = 'writing'
           AND EXISTS (SELECT 1 FROM uploads WHERE id = ?1 AND status = 'pending' AND expires_at > ?4)
           AND (SELECT COALESCE(SUM(bytes), 0) FROM upload_parts WHERE upload_id = ?1 AND status = 'stored') + ?3 <= ?5`,
      )
      .bind(uploadId, partId, bytes, now, maxTotal)
      .run();
    return result.meta.changes > 0;
  }

  /** The upload's stored parts (with `position` once a completion named them). */
  async listParts(uploadId: UploadId): Promise<PartRecord[]> {
    const { results } = await this.db
      .prepare(
        "SELECT id, r2_key, bytes, position FROM upload_parts WHERE upload_id = ?1 AND status = 'stored' ORDER BY id",
      )
      .bind(uploadId)
      .all<{ id: PartId; r2_key: string; bytes: number; position: number | null }>();
    return results.map((row) => ({
      id: row.id,
      r2Key: row.r2_key,
      bytes: row.bytes,
      position: row.position,
    }));
  }

  /**
   * In one transaction: marks the upload completed with `file`, inserts the file row and numbers the
   * named parts. False, with nothing changed, when the upload is no longer pending and live.
   */
  async complete(
    upload: UploadRecord,
    file: CompletedFile,
    partIds: PartId[],
    now: number,
  ): Promise<boolean> {
    const linked = "EXISTS (SELECT 1 FROM uploads WHERE id = ?1 AND file_id = ?2)";
    const statements = [
      this.db
        .prepare(
          `UPDATE uploads SET status = 'completed', file_id = ?3, updated_at = ?4
           WHERE id = ?1 AND project_id = ?2 AND status = 'pending' AND expires_at > ?4`,
        )
        .bind(upload.id, upload.projectId, file.id, now),
      this.db
        .prepare(
          `INSERT INTO files (id, project_id, filename, purpose, bytes, status, created_at, expires_at, r2_key)
           SELECT ?2, ?3, ?4, ?5, ?6, 'processed', ?7, ?8, ?9 WHERE ${linked}`,
        )
        .bind(
          upload.id,
          file.id,
          upload.projectId,
          upload.filename,
          upload.purpose,
          upload.bytes,
          file.createdAt,
          file.expiresAt,
          r2Keys.fileContent(file.id),
        ),
    ];
    for (let start = 0; start < partIds.length; start += IDS_PER_STATEMENT) {
      const slice = partIds.slice(start, start + IDS_PER_STATEMENT);
      const marks = slice.map((_, i) => `?${i + 3}`);
      const cases = marks.map((mark, i) => `WHEN ${mark} THEN ${start + i}`).join(" ");
      statements.push(
        this.db
          .prepare(
            `UPDATE upload_parts SET position = CASE id ${cases} END
             WHERE upload_id = ?1 AND id IN (${marks.join(", ")}) AND ${linked}`,
          )
          .bind(upload.id, file.id, ...slice),
      );
    }
    const [marked] = await this.db.batch(statements);
    return (marked?.meta.changes ?? 0) > 0;
  }

  /** Cancels a pending, live upload; false when it is not. */
  async cancel(upload: UploadRecord, now: number): Promise<boolean> {
    const result = await this.db
      .prepare(
        `UPDATE uploads SET status = 'cancelled', updated_at = ?3
         WHERE id = ?1 AND project_id = ?2 AND status = 'pending' AND expires_at > ?3`,
      )
      .bind(upload.id, upload.projectId, now)
      .run();
    return result.meta.changes > 0;
  }

  /** Deletes part rows (their R2 objects must be gone first). */
  async deleteParts(ids: string[]): Promise<void> {
    const statements = slices(ids).map((slice) =>
      this.db
        .prepare(`DELETE FROM upload_parts WHERE id IN (${slice.map((_, i) => `?${i + 1}`).join(", ")})`)
        .bind(...slice),
    );
    if (statements.length > 0) {
      await this.db.batch(statements);
    }
  }

  /**
   * Parts whose bytes no one can read any more, across projects: of cancelled or expired uploads,
   * not named by their upload's completion, or of a completed file that is gone.
   */
  async listDeadParts(now: number, limit: number): Promise<{ id: string; r2Key: string }[]> {
    const { results } = await this.db
      .prepare(
        `SELECT p.id, p.r2_key FROM upload_parts p JOIN uploads u ON u.id = p.upload_id
         WHERE (p.status = 'stored' OR p.created_at <= ?1 - ${WRITING_GRACE_SECONDS}) AND (
           u.status = 'cancelled'
           OR (u.status = 'pending' AND u.expires_at <= ?1)
           OR (u.status = 'completed' AND p.position IS NULL)
           OR (u.status = 'completed' AND NOT EXISTS (SELECT 1 FROM files f WHERE f.id = u.file_id)))
         LIMIT ?2`,
      )
      .bind(now, limit)
      .all<{ id: string; r2_key: string }>();
    return results.map((row) => ({ id: row.id, r2Key: row.r2_key }));
  }

  /** Forgets uploads that ended before `before` and have no parts left; returns how many. */
  async deleteFinishedUploads(before: number, limit: number): Promise<number> {
    const result = await this.db
      .prepare(
        `DELETE FROM uploads WHERE id IN (SELECT u.id FROM uploads u WHERE u.expires_at <= ?1
           AND NOT EXISTS (SELECT 1 FROM upload_parts p WHERE p.upload_id = u.id)
           AND (u.status <> 'completed' OR NOT EXISTS (SELECT 1 FROM files f WHERE f.id = u.file_id))
         LIMIT ?2)`,
      )
      .bind(before, limit)
      .run();
    return result.meta.changes;
  }
}

function slices<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += IDS_PER_STATEMENT) {
    out.push(items.slice(i, i + IDS_PER_STATEMENT));
  }
  return out;
}
