/**
 * Keyset pagination over time-ordered ids (ULIDs), shared by the D1 stores' list queries: the
 * cursor `after` is the last id of the previous page, and one row more than `limit` is fetched so
 * the caller can tell whether more follow.
 */
export type PageOptions = { limit: number; after?: string; order?: "asc" | "desc" };

/**
 * `select` is the query up to its WHERE clause; `conditions` and `binds` filter it (anonymous `?`
 * placeholders, in order).
 */
export function keysetPage(
  db: D1Database,
  query: { select: string; idColumn: string; conditions: string[]; binds: unknown[] },
  page: PageOptions,
): D1PreparedStatement {
  const ascending = page.order === "asc";
  const conditions = [...query.conditions];
  const binds = [...query.binds];
  if (page.after) {
    conditions.push(`${query.idColumn} ${ascending ? ">" : "<"} ?`);
    binds.push(page.after);
  }
  return db
    .prepare(
      `${query.select} WHERE ${conditions.join(" AND ")} ORDER BY ${query.idColumn} ${ascending ? "ASC" : "DESC"} LIMIT ?`,
    )
    .bind(...binds, page.limit + 1);
}

/** The page's rows and whether more follow, from the `limit + 1` rows `keysetPage` fetched. */
export function splitPage<T>(rows: T[], limit: number): { items: T[]; hasMore: boolean } {
  return { items: rows.slice(0, limit), hasMore: rows.length > limit };
}
