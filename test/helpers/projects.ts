/** Two projects with one key each, so every route can be tested across a project boundary. */
export const PROJECT_A = { id: "proj_test_a", key: "sk-test-project-a-0123456789" } as const;
export const PROJECT_B = { id: "proj_test_b", key: "sk-test-project-b-0123456789" } as const;
export const REVOKED_KEY = "sk-test-revoked-0123456789";

async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function seedTestProjects(db: D1Database): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const statements: D1PreparedStatement[] = [];
  for (const [project, key, revokedAt] of [
    [PROJECT_A.id, PROJECT_A.key, null],
    [PROJECT_B.id, PROJECT_B.key, null],
    [PROJECT_A.id, REVOKED_KEY, now],
  ] as const) {
    statements.push(
      db
        .prepare("INSERT OR IGNORE INTO projects (id, name, created_at) VALUES (?1, ?1, ?2)")
        .bind(project, now),
      db
        .prepare(
          "INSERT OR IGNORE INTO api_keys (id, project_id, key_hash, key_hint, created_at, revoked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(`key_${key}`, project, await sha256Hex(key), key.slice(0, 8), now, revokedAt),
    );
  }
  await db.batch(statements);
}
