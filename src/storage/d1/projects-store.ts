import type { ProjectId } from "../../domain/ids";
import { keysetPage, type PageOptions, splitPage } from "./keyset-page";

export type ProjectRecord = {
  id: ProjectId;
  name: string;
  createdAt: number;
  archivedAt: number | null;
  externalKeyId: string | null;
};

/** Projects as the Admin API sees them. A project is never deleted, only archived. */
export interface ProjectStore {
  insert(record: ProjectRecord): Promise<void>;
  get(id: string): Promise<ProjectRecord | null>;
  list(
    page: PageOptions & { includeArchived: boolean },
  ): Promise<{ items: ProjectRecord[]; hasMore: boolean }>;
  /** Sets the given fields; null when the project does not exist. */
  update(id: string, fields: { name?: string; externalKeyId?: string | null }): Promise<ProjectRecord | null>;
  /** Archives once (an archived project keeps its first archived_at); null when it does not exist. */
  archive(id: string, now: number): Promise<ProjectRecord | null>;
}

type Row = {
  id: ProjectId;
  name: string;
  created_at: number;
  archived_at: number | null;
  external_key_id: string | null;
};

const COLUMNS = "id, name, created_at, archived_at, external_key_id";

function toRecord(row: Row): ProjectRecord {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    archivedAt: row.archived_at,
    externalKeyId: row.external_key_id,
  };
}

export class D1ProjectStore implements ProjectStore {
  constructor(private readonly db: D1Database) {}

  async insert(r: ProjectRecord): Promise<void> {
    await this.db
      .prepare(`INSERT INTO projects (${COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5)`)
      .bind(r.id, r.name, r.createdAt, r.archivedAt, r.externalKeyId)
      .run();
  }

  async get(id: string): Promise<ProjectRecord | null> {
    const row = await this.db.prepare(`SELECT ${COLUMNS} FROM projects WHERE id = ?1`).bind(id).first<Row>();
    return row ? toRecord(row) : null;
  }

  async list(
    page: PageOptions & { includeArchived: boolean },
  ): Promise<{ items: ProjectRecord[]; hasMore: boolean }> {
    const { results } = await keysetPage(
      this.db,
      {
        select: `SELECT ${COLUMNS} FROM projects`,
        idColumn: "id",
        conditions: [page.includeArchived ? "1 = 1" : "archived_at IS NULL"],
        binds: [],
      },
      { ...page, order: "asc" },
    ).all<Row>();
    const { items, hasMore } = splitPage(results, page.limit);
    return { items: items.map(toRecord), hasMore };
  }

  async update(
    id: string,
    fields: { name?: string; externalKeyId?: string | null },
  ): Promise<ProjectRecord | null> {
    const row = await this.db
      .prepare(
        `UPDATE projects SET name = coalesce(?2, name),
           external_key_id = CASE WHEN ?3 THEN ?4 ELSE external_key_id END
         WHERE id = ?1 RETURNING ${COLUMNS}`,
      )
      .bind(id, fields.name ?? null, fields.externalKeyId !== undefined ? 1 : 0, fields.externalKeyId ?? null)
      .first<Row>();
    return row ? toRecord(row) : null;
  }

  async archive(id: string, now: number): Promise<ProjectRecord | null> {
    const row = await this.db
      .prepare(
        `UPDATE projects SET archived_at = coalesce(archived_at, ?2) WHERE id = ?1 RETURNING ${COLUMNS}`,
      )
      .bind(id, now)
      .first<Row>();
    return row ? toRecord(row) : null;
  }
}
