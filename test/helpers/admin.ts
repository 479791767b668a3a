import { type ApiResponse, call } from "./api";

/** The admin key every Worker test can use (seeded by test/setup/apply-migrations.ts). */
export const ADMIN_KEY = "sk-admin-test-0123456789abcdef";

async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function seedTestAdminKey(db: D1Database): Promise<void> {
  await db
    .prepare(
      "INSERT OR IGNORE INTO admin_api_keys (id, key_hash, key_hint, key_tail, name, source, created_at) VALUES ('key_admin_test', ?1, 'sk-admin-test', 'cdef', 'tests', 'api', ?2)",
    )
    .bind(await sha256Hex(ADMIN_KEY), Math.floor(Date.now() / 1000))
    .run();
}

/** A request to the Admin API with the test admin key (or `key`). */
export function admin<T = unknown>(
  method: string,
  path: string,
  options: { key?: string | null; json?: unknown } = {},
): Promise<ApiResponse<T>> {
  return call<T>(method, `/v1/organization${path}`, {
    key: options.key === undefined ? ADMIN_KEY : options.key,
    json: options.json,
  });
}

/** Creates a project through the Admin API and a service account key for it. */
export async function createProjectWithKey(
  name = `p-${crypto.randomUUID()}`,
): Promise<{ id: string; key: string; keyId: string; serviceAccountId: string }> {
  const project = await admin<{ id: string }>("POST", "/projects", { json: { name } });
  if (project.status !== 200) {
    throw new Error(`project create failed: ${project.status} ${JSON.stringify(project.body)}`);
  }
  const sa = await admin<{ id: string; api_key: { id: string; value: string } }>(
    "POST",
    `/projects/${project.body.id}/service_accounts`,
    { json: { name: "robot" } },
  );
  if (sa.status !== 200) {
    throw new Error(`service account create failed: ${sa.status} ${JSON.stringify(sa.body)}`);
  }
  return {
    id: project.body.id,
    key: sa.body.api_key.value,
    keyId: sa.body.api_key.id,
    serviceAccountId: sa.body.id,
  };
}
