import { keysetPage, type PageOptions, splitPage } from "./keyset-page";

export type AdminKeyRecord = {
  id: string;
  keyHash: string;
  hint: string;
  tail: string;
  name: string | null;
  source: "secret" | "api";
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  deletedAt: number | null;
};

/** Admin keys by the hash of the presented key, and their listing. Keys are never stored in plain text. */
export interface AdminKeyStore {
  /** The key with this hash, deleted or not (a deleted bootstrap key must stay refused). */
  findByHash(keyHash: string): Promise<AdminKeyRecord | null>;
  /** Inserts unless a key with the same hash exists. */
  insert(record: AdminKeyRecord): Promise<void>;
  get(id: string): Promise<AdminKeyRecord | null>;
  list(page: PageOptions): Promise<{ items: AdminKeyRecord[]; hasMore: boolean }>;
  /** True when a live key was deleted. */
  delete(id: string, now: number): Promise<boolean>;
  touch(id: string, now: number): Promise<void>;
}

type Row = {
  id: string;
  key_hash: string;
  key_hint: string;
  key_tail: string;
  name: string | null;
  source: "secret" | "api";
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  deleted_at: number | null;
};

const COLUMNS =
  "id, key_hash, key_hint, key_tail, name, source, created_at, expires_at, last_used_at, deleted_at";

function toRecord(row: Row): AdminKeyRecord {
  return {
    id: row.id,
    keyHash: row.key_hash,
    hint: row.key_hint,
    tail: row.key_tail,
    name: row.name,
    source: row.source,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    deletedAt: row.deleted_at,
  };
}

export class D1AdminKeyStore implements AdminKeyStore {
  constructor(private readonly db: D1Database) {}

  async findByHash(keyHash: string): Promise<AdminKeyRecord | null> {
    const row = await this.db
      .prepare(`SELECT ${COLUMNS} FROM admin_api_keys WHERE key_hash = ?1`)
      .bind(keyHash)
      .first<Row>();
    return row ? toRecord(row) : null;
  }

  async insert(r: AdminKeyRecord): Promise<void> {
    await this.db
      .prepare(
        `INSERT OR IGNORE INTO admin_api_keys (${COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)`,
      )
      .bind(
        r.id,
        r.keyHash,
        r.hint,
        r.tail,
        r.name,
        r.source,
        r.createdAt,
        r.expiresAt,
        r.lastUsedAt,
        r.deletedAt,
      )
      .run();
  }

  async get(id: string): Promise<AdminKeyRecord | null> {
    const row = await this.db
      .prepare(`SELECT ${COLUMNS} FROM admin_api_keys WHERE id = ?1 AND deleted_at IS NULL`)
      .bind(id)
      .first<Row>();
    return row ? toRecord(row) : null;
  }

  async list(page: PageOptions): Promise<{ items: AdminKeyRecord[]; hasMore: boolean }> {
    const { results } = await keysetPage(
      this.db,
      {
        select: `SELECT ${COLUMNS} FROM admin_api_keys`,
        idColumn: "id",
        conditions: ["deleted_at IS NULL"],
        binds: [],
      },
      page,
    ).all<Row>();
    const { items, hasMore } = splitPage(results, page.limit);
    return { items: items.map(toRecord), hasMore };
  }

  async delete(id: string, now: number): Promise<boolean> {
    const result = await this.db
      .prepare("UPDATE admin_api_keys SET deleted_at = ?2 WHERE id = ?1 AND deleted_at IS NULL")
      .bind(id, now)
      .run();
    return result.meta.changes > 0;
  }

  async touch(id: string, now: number): Promise<void> {
    await this.db.prepare("UPDATE admin_api_keys SET last_used_at = ?2 WHERE id = ?1").bind(id, now).run();
  }
}
