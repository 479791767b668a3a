import { z } from "zod";
import { TERMINAL_STATUSES } from "../../domain/batch-status";
import { FILE_PURPOSES, FILE_STATUSES, type FilePurpose, type FileStatus } from "../../domain/files";
import type { FileId, ProjectId } from "../../domain/ids";
import { nowSeconds } from "../../domain/time";
import { r2Keys } from "../r2/keys";
import { keysetPage } from "./keyset-page";

/** A file's metadata. Its bytes are the R2 object at `r2Key`. */
export type FileRecord = {
  id: FileId;
  projectId: ProjectId;
  filename: string;
  purpose: FilePurpose;
  bytes: number;
  status: FileStatus;
  createdAt: number;
  expiresAt: number | null;
  r2Key: string;
};

export type NewFile = {
  id: string;
  projectId: ProjectId;
  filename: string;
  purpose: FilePurpose;
  bytes: number;
  createdAt: number;
  expiresAt: number | null;
};

export type ListFilesOptions = {
  purpose?: FilePurpose;
  limit: number;
  order: "asc" | "desc";
  after?: string;
  /** Unix seconds; files that expired by then are left out. Defaults to the current time. */
  now?: number;
};

/** A retried upload's key: the first request to claim it in a project wins. */
export type IdempotencyClaim = { key: string; requestHash: string };

export type InsertResult = { inserted: true; file: FileRecord } | { inserted: false; existingId: FileId };

/**
 * The D1 index of files. Every query is scoped to a project, and a file past its `expires_at` is
 * invisible (as if deleted) to every read: it is only swept later.
 */
export interface FileStore {
  /** With `idempotency`, inserts only if this file claims the key; otherwise reports the winner. */
  insert(file: NewFile, idempotency?: IdempotencyClaim): Promise<InsertResult>;
  /** Registers a file whose bytes a service wrote itself (batch output and error files). */
  registerGenerated(file: NewFile): Promise<FileRecord>;
  get(projectId: ProjectId, id: string, now?: number): Promise<FileRecord | null>;
  /** Fetches `limit + 1` rows so the caller can tell whether there are more. */
  list(projectId: ProjectId, options: ListFilesOptions): Promise<FileRecord[]>;
  findByIdempotencyKey(projectId: ProjectId, key: string, now?: number): Promise<FileRecord | null>;
  /**
   * Deletes a live file from the API at once. `removed`: the row is gone and the caller deletes the
   * bytes; `held`: a live batch still reads them, so the row is only expired (invisible to every
   * read) and the retention sweep deletes row and bytes once no live batch needs them; null: no
   * such live file.
   */
  delete(projectId: ProjectId, id: string, now?: number): Promise<"removed" | "held" | null>;
}

const FileRowSchema = z.object({
  id: z.templateLiteral(["file-", z.string()]),
  project_id: z.templateLiteral(["proj_", z.string()]),
  filename: z.string(),
  purpose: z.enum(FILE_PURPOSES),
  bytes: z.number().int(),
  status: z.enum(FILE_STATUSES),
  created_at: z.number().int(),
  expires_at: z.number().int().nullable(),
  r2_key: z.string(),
});

function toRecord(row: unknown): FileRecord {
  const r = FileRowSchema.parse(row);
  return {
    id: r.id,
    projectId: r.project_id,
    filename: r.filename,
    purpose: r.purpose,
    bytes: r.bytes,
    status: r.status,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    r2Key: r.r2_key,
  };
}

const COLUMNS = "id, project_id, filename, purpose, bytes, status, created_at, expires_at, r2_key";
// a file past its expires_at is served to no one, whatever the sweep has done
const live = (now: string): string => `(expires_at IS NULL OR expires_at > ${now})`;
const JOINED_COLUMNS = COLUMNS.split(", ")
  .map((column) => `f.${column}`)
  .join(", ");
const SCOPE = "files";
const quotedTerminalStatuses = TERMINAL_STATUSES.map((status) => `'${status}'`).join(", ");

export class D1FileStore implements FileStore {
  constructor(private readonly db: D1Database) {}

  async insert(file: NewFile, idempotency?: IdempotencyClaim): Promise<InsertResult> {
    const record = toRecord({
      id: file.id,
      project_id: file.projectId,
      filename: file.filename,
      purpose: file.purpose,
      bytes: file.bytes,
      status: "processed",
      created_at: file.createdAt,
      expires_at: file.expiresAt,
      r2_key: r2Keys.fileContent(file.id),
    });
    const values = [
      record.id,
      record.projectId,
      record.filename,
      record.purpose,
      record.bytes,
      record.createdAt,
      record.expiresAt,
      record.r2Key,
    ];
    if (!idempotency) {
      await this.db
        .prepare(`INSERT INTO files (${COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, 'processed', ?6, ?7, ?8)`)
        .bind(...values)
        .run();
      return { inserted: true, file: record };
    }
    const { key, requestHash } = idempotency;
    // One transaction: forget a key whose file is gone, claim the key, insert the row only if the
    // claim is ours, then read the winner. A losing upload never has a visible row.
    const results = await this.db.batch([
      this.db
        .prepare(
          `DELETE FROM idempotency_keys WHERE project_id = ?1 AND scope = ?2 AND key = ?3 AND NOT EXISTS (
             SELECT 1 FROM files f WHERE f.project_id = ?1 AND f.id = idempotency_keys.resource_id
               AND (f.expires_at IS NULL OR f.expires_at > ?4))`,
        )
        .bind(file.projectId, SCOPE, key, nowSeconds()),
      this.db
        .prepare(
          `INSERT INTO idempotency_keys (project_id, scope, key, request_hash, resource_id, created_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (project_id, scope, key) DO NOTHING`,
        )
        .bind(file.projectId, SCOPE, key, requestHash, file.id, file.createdAt),
      this.db
        .prepare(
          `INSERT INTO files (${COLUMNS}) SELECT ?1, ?2, ?3, ?4, ?5, 'processed', ?6, ?7, ?8 WHERE EXISTS (
             SELECT 1 FROM idempotency_keys WHERE project_id = ?2 AND scope = ?9 AND key = ?10 AND resource_id = ?1)`,
        )
        .bind(...values, SCOPE, key),
      this.db
        .prepare("SELECT resource_id FROM idempotency_keys WHERE project_id = ?1 AND scope = ?2 AND key = ?3")
        .bind(file.projectId, SCOPE, key),
    ]);
    const winner = z
      .object({ resource_id: z.templateLiteral(["file-", z.string()]) })
      .parse(results[3]?.results[0]).resource_id;
    return winner === record.id ? { inserted: true, file: record } : { inserted: false, existingId: winner };
  }

  async registerGenerated(file: NewFile): Promise<FileRecord> {
    const result = await this.insert(file);
    if (!result.inserted) {
      throw new Error(`generated file ${file.id} was not stored`);
    }
    return result.file;
  }

  async get(projectId: ProjectId, id: string, now: number = nowSeconds()): Promise<FileRecord | null> {
    const row = await this.db
      .prepare(`SELECT ${COLUMNS} FROM files WHERE project_id = ?1 AND id = ?2 AND ${live("?3")}`)
      .bind(projectId, id, now)
      .first();
    return row ? toRecord(row) : null;
  }

  async list(projectId: ProjectId, options: ListFilesOptions): Promise<FileRecord[]> {
    const conditions = ["project_id = ?", live("?")];
    const binds: (string | number)[] = [projectId, options.now ?? nowSeconds()];
    if (options.purpose) {
      conditions.push("purpose = ?");
      binds.push(options.purpose);
    }
    const { results } = await keysetPage(
      this.db,
      { select: `SELECT ${COLUMNS} FROM files`, idColumn: "id", conditions, binds },
      options,
    ).all();
    return results.map(toRecord);
  }

  async findByIdempotencyKey(
    projectId: ProjectId,
    key: string,
    now: number = nowSeconds(),
  ): Promise<FileRecord | null> {
    const row = await this.db
      .prepare(
        `SELECT ${JOINED_COLUMNS} FROM idempotency_keys k JOIN files f ON f.project_id = k.project_id AND f.id = k.resource_id
         WHERE k.project_id = ?1 AND k.scope = ?2 AND k.key = ?3 AND (f.expires_at IS NULL OR f.expires_at > ?4)`,
      )
      .bind(projectId, SCOPE, key, now)
      .first();
    return row ? toRecord(row) : null;
  }

  async delete(
    projectId: ProjectId,
    id: string,
    now: number = nowSeconds(),
  ): Promise<"removed" | "held" | null> {
    const [held, removed] = await this.db.batch([
      this.db
        .prepare(
          `UPDATE files SET expires_at = ?3 WHERE project_id = ?1 AND id = ?2 AND ${live("?3")}
             AND EXISTS (SELECT 1 FROM batches b WHERE b.project_id = files.project_id
               AND b.input_file_id = files.id AND b.status NOT IN (${quotedTerminalStatuses}))`,
        )
        .bind(projectId, id, now),
      this.db
        .prepare(`DELETE FROM files WHERE project_id = ?1 AND id = ?2 AND ${live("?3")}`)
        .bind(projectId, id, now),
    ]);
    if ((held?.meta.changes ?? 0) > 0) {
      return "held";
    }
    return (removed?.meta.changes ?? 0) > 0 ? "removed" : null;
  }
}
