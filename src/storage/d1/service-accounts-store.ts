import type { ProjectId } from "../../domain/ids";
import { keysetPage, type PageOptions, splitPage } from "./keyset-page";

export type ServiceAccountRole = "owner" | "member" | "none";

export type ServiceAccountRecord = {
  id: string;
  projectId: ProjectId;
  name: string;
  role: ServiceAccountRole;
  createdAt: number;
};

/** A project key as the Admin API lists it; the key itself and its hash never leave storage. */
export type ProjectKeyRecord = {
  id: string;
  projectId: ProjectId;
  hint: string;
  tail: string | null;
  name: string | null;
  createdAt: number;
  lastUsedAt: number | null;
  serviceAccount: ServiceAccountRecord | null;
};

export type NewProjectKey = { id: string; keyHash: string; hint: string; tail: string; name: string };

/**
 * Service accounts and the project keys the Admin API lists. Every query is scoped to a project.
 * A service account and its key are written in one D1 batch; deleting one revokes its keys.
 */
export interface ServiceAccountStore {
  create(account: ServiceAccountRecord, key: NewProjectKey | null): Promise<void>;
  get(projectId: ProjectId, id: string): Promise<ServiceAccountRecord | null>;
  list(projectId: ProjectId, page: PageOptions): Promise<{ items: ServiceAccountRecord[]; hasMore: boolean }>;
  /** Deletes it and revokes its keys; false when no live account has this id in the project. */
  delete(projectId: ProjectId, id: string, now: number): Promise<boolean>;
  listKeys(projectId: ProjectId, page: PageOptions): Promise<{ items: ProjectKeyRecord[]; hasMore: boolean }>;
  getKey(projectId: ProjectId, id: string): Promise<ProjectKeyRecord | null>;
  /** Revokes a live key; false when there is none with this id in the project. */
  revokeKey(projectId: ProjectId, id: string, now: number): Promise<boolean>;
}

type AccountRow = {
  id: string;
  project_id: ProjectId;
  name: string;
  role: ServiceAccountRole;
  created_at: number;
};

type KeyRow = {
  id: string;
  project_id: ProjectId;
  key_hint: string;
  key_tail: string | null;
  name: string | null;
  created_at: number;
  last_used_at: number | null;
  sa_id: string | null;
  sa_name: string | null;
  sa_role: ServiceAccountRole | null;
  sa_created_at: number | null;
};

const ACCOUNT_COLUMNS = "id, project_id, name, role, created_at";
const KEY_SELECT = `SELECT k.id, k.project_id, k.key_hint, k.key_tail, k.name, k.created_at, k.last_used_at,
  s.id AS sa_id, s.name AS sa_name, s.role AS sa_role, s.created_at AS sa_created_at
  FROM api_keys k LEFT JOIN service_accounts s ON s.id = k.service_account_id`;

function toAccount(row: AccountRow): ServiceAccountRecord {
  return { id: row.id, projectId: row.project_id, name: row.name, role: row.role, createdAt: row.created_at };
}

function toKey(row: KeyRow): ProjectKeyRecord {
  const serviceAccount =
    row.sa_id === null
      ? null
      : {
          id: row.sa_id,
          projectId: row.project_id,
          name: row.sa_name ?? "",
          role: row.sa_role ?? "member",
          createdAt: row.sa_created_at ?? row.created_at,
        };
  return {
    id: row.id,
    projectId: row.project_id,
    hint: row.key_hint,
    tail: row.key_tail,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    serviceAccount,
  };
}

export class D1ServiceAccountStore implements ServiceAccountStore {
  constructor(private readonly db: D1Database) {}

  async create(a: ServiceAccountRecord, key: NewProjectKey | null): Promise<void> {
    const statements = [
      this.db
        .prepare(`INSERT INTO service_accounts (${ACCOUNT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5)`)
        .bind(a.id, a.projectId, a.name, a.role, a.createdAt),
    ];
    if (key) {
      statements.push(
        this.db
          .prepare(
            `INSERT INTO api_keys (id, project_id, key_hash, key_hint, key_tail, name, created_at, service_account_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)`,
          )
          .bind(key.id, a.projectId, key.keyHash, key.hint, key.tail, key.name, a.createdAt, a.id),
      );
    }
    await this.db.batch(statements);
  }

  async get(projectId: ProjectId, id: string): Promise<ServiceAccountRecord | null> {
    const row = await this.db
      .prepare(
        `SELECT ${ACCOUNT_COLUMNS} FROM service_accounts WHERE project_id = ?1 AND id = ?2 AND deleted_at IS NULL`,
      )
      .bind(projectId, id)
      .first<AccountRow>();
    return row ? toAccount(row) : null;
  }

  async list(
    projectId: ProjectId,
    page: PageOptions,
  ): Promise<{ items: ServiceAccountRecord[]; hasMore: boolean }> {
    const { results } = await keysetPage(
      this.db,
      {
        select: `SELECT ${ACCOUNT_COLUMNS} FROM service_accounts`,
        idColumn: "id",
        conditions: ["project_id = ?", "deleted_at IS NULL"],
        binds: [projectId],
      },
      { ...page, order: "asc" },
    ).all<AccountRow>();
    const { items, hasMore } = splitPage(results, page.limit);
    return { items: items.map(toAccount), hasMore };
  }

  async delete(projectId: ProjectId, id: string, now: number): Promise<boolean> {
    const [deleted] = await this.db.batch([
      this.db
        .prepare(
          "UPDATE service_accounts SET deleted_at = ?3 WHERE project_id = ?1 AND id = ?2 AND deleted_at IS NULL",
        )
        .bind(projectId, id, now),
      this.db
        .prepare(
          "UPDATE api_keys SET revoked_at = ?3 WHERE project_id = ?1 AND service_account_id = ?2 AND revoked_at IS NULL",
        )
        .bind(projectId, id, now),
    ]);
    return (deleted?.meta.changes ?? 0) > 0;
  }

  async listKeys(
    projectId: ProjectId,
    page: PageOptions,
  ): Promise<{ items: ProjectKeyRecord[]; hasMore: boolean }> {
    const { results } = await keysetPage(
      this.db,
      {
        select: KEY_SELECT,
        idColumn: "k.id",
        conditions: ["k.project_id = ?", "k.revoked_at IS NULL"],
        binds: [projectId],
      },
      { ...page, order: "asc" },
    ).all<KeyRow>();
    const { items, hasMore } = splitPage(results, page.limit);
    return { items: items.map(toKey), hasMore };
  }

  async getKey(projectId: ProjectId, id: string): Promise<ProjectKeyRecord | null> {
    const row = await this.db
      .prepare(`${KEY_SELECT} WHERE k.project_id = ?1 AND k.id = ?2 AND k.revoked_at IS NULL`)
      .bind(projectId, id)
      .first<KeyRow>();
    return row ? toKey(row) : null;
  }

  async revokeKey(projectId: ProjectId, id: string, now: number): Promise<boolean> {
    const result = await this.db
      .prepare("UPDATE api_keys SET revoked_at = ?3 WHERE project_id = ?1 AND id = ?2 AND revoked_at IS NULL")
      .bind(projectId, id, now)
      .run();
    return result.meta.changes > 0;
  }
}
