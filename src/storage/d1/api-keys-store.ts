import type { ProjectId } from "../../domain/ids";

export type ApiKeyRecord = { id: string; projectId: ProjectId; keyHash: string };

/** Looks up API keys by the hash of the presented key. Keys are never stored in plain text. */
export interface ApiKeyStore {
  findActiveByHash(keyHash: string): Promise<ApiKeyRecord | null>;
}

export class D1ApiKeyStore implements ApiKeyStore {
  constructor(private readonly db: D1Database) {}

  async findActiveByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    const row = await this.db
      .prepare("SELECT id, project_id, key_hash FROM api_keys WHERE key_hash = ?1 AND revoked_at IS NULL")
      .bind(keyHash)
      .first<{ id: string; project_id: ProjectId; key_hash: string }>();
    return row ? { id: row.id, projectId: row.project_id, keyHash: row.key_hash } : null;
  }
}
