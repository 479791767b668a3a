import type { Deps } from "../app/deps";
import { nowSeconds } from "../domain/time";
import { ApiError } from "../errors/api-error";
import { listPage } from "../schemas/common";
import type { AdminApiKey } from "../schemas/organization";
import type { AdminKeyRecord } from "../storage/d1/admin-keys-store";
import { ADMIN_KEY_PREFIX, generateKey, newKeyId, redacted } from "./admin-keys";

/** `/v1/organization/admin_api_keys`: list, create (the value shown once), retrieve, delete. */

/** The deployment has no users: every admin key is owned by its operator. */
function toAdminApiKey(r: AdminKeyRecord): AdminApiKey {
  return {
    id: r.id,
    object: "organization.admin_api_key",
    name: r.name,
    redacted_value: redacted(r.hint, r.tail),
    created_at: r.createdAt,
    expires_at: r.expiresAt,
    last_used_at: r.lastUsedAt,
    owner: {
      type: "service_account",
      object: "organization.service_account",
      id: "operator",
      name: r.source === "secret" ? "ADMIN_API_KEY secret" : "operator",
      created_at: r.createdAt,
      role: "owner",
    },
  };
}

function notFound(id: string): ApiError {
  return new ApiError("not_found", `No such admin API key: ${id}`, { param: "key_id" });
}

export async function listAdminApiKeys(
  deps: Deps,
  query: { limit: number; after?: string; order: "asc" | "desc" },
) {
  const { items, hasMore } = await deps.adminKeys.list(query);
  return listPage(items.map(toAdminApiKey), hasMore);
}

export async function createAdminApiKey(
  deps: Deps,
  body: { name: string; expires_in_seconds?: number },
  now: number = nowSeconds(),
) {
  const key = await generateKey(ADMIN_KEY_PREFIX);
  const record: AdminKeyRecord = {
    id: newKeyId(),
    keyHash: key.keyHash,
    hint: key.hint,
    tail: key.tail,
    name: body.name,
    source: "api",
    createdAt: now,
    expiresAt: body.expires_in_seconds === undefined ? null : now + body.expires_in_seconds,
    lastUsedAt: null,
    deletedAt: null,
  };
  await deps.adminKeys.insert(record);
  return { ...toAdminApiKey(record), value: key.value };
}

export async function retrieveAdminApiKey(deps: Deps, id: string): Promise<AdminApiKey> {
  const record = await deps.adminKeys.get(id);
  if (!record) {
    throw notFound(id);
  }
  return toAdminApiKey(record);
}

/** Deleting the key that makes the request is allowed: the next request with it gets 401. */
export async function deleteAdminApiKey(deps: Deps, id: string, now: number = nowSeconds()) {
  if (!(await deps.adminKeys.delete(id, now))) {
    throw notFound(id);
  }
  return { id, object: "organization.admin_api_key.deleted" as const, deleted: true as const };
}
