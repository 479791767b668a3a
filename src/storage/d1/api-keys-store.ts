import type { ProjectId } from "../../domain/ids";

export type ApiKeyRecord = {
  id: string;
  projectId: ProjectId;
  keyHash: string;
  lastUsedAt: number | null;
  /** Set when the key's project is archived: the key no longer works. */
  projectArchivedAt: number | null;
};

/** Looks up API keys by the hash of the presented key. Keys are never stored in plain text. */
export interface ApiKeyStore {
  findActiveByHash(keyHash: string): Promise<ApiKeyRecord | null>;
  touch(id: string, now: number): Promise<void>;
}

type Row = {
  id: string;
  project_id: ProjectId;
  key_hash: string;
  last_used_at: number | null;
  archived_at: number | null;
};

export class D1ApiKeyStore implements ApiKeyStore {
  constructor(private readonly db: D1Database) {}

  async findActiveByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    const row = await this.db
      .prepare(
        `SELECT k.id, k.project_id, k.key_hash, k.last_used_at, p.archived_at
         FROM api_keys k JOIN projects p ON p.id = k.project_id
         WHERE k.key_hash = ?1 AND k.revoked_at IS NULL`,
      )
      .bind(keyHash)
      .first<Row>();
    return row
      ? {
          id: row.id,
          projectId: row.project_id,
          keyHash: row.key_hash,
          lastUsedAt: row.last_used_at,
          projectArchivedAt: row.archived_at,
        }
      : null;
  }

  async touch(id: string, now: number): Promise<void> {
    await this.db.prepare("UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1").bind(id, now).run();
  }
}
