import type { Deps } from "../app/deps";
import { constantTimeEqual, sha256Hex } from "../domain/crypto";
import { ulid } from "../domain/ids";
import { ApiError } from "../errors/api-error";
import type { AdminKeyRecord } from "../storage/d1/admin-keys-store";

/**
 * Keys: how they are made and shown (`sk-admin-…`, `sk-svcacct-…`, `redacted_value`), and auth for
 * both kinds. An admin key only opens `/v1/organization/*`; a project key only the rest of `/v1`.
 * Only a key's SHA-256 and a few characters of it are stored.
 */

const KEY_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const KEY_RANDOM_LENGTH = 48;
/** last_used_at is written at most this often per key, so that auth stays a read. */
const TOUCH_INTERVAL_SECONDS = 60;

export const ADMIN_KEY_PREFIX = "sk-admin-";
export const SERVICE_ACCOUNT_KEY_PREFIX = "sk-svcacct-";

export type GeneratedKey = { value: string; keyHash: string; hint: string; tail: string };

/** `prefix` and 48 base62 characters, without modulo bias, with the parts that are stored. */
export async function generateKey(prefix: string): Promise<GeneratedKey> {
  let body = "";
  while (body.length < KEY_RANDOM_LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(64))) {
      // 248 = 4 * 62: bytes above it are dropped so every character is equally likely
      if (byte < 248 && body.length < KEY_RANDOM_LENGTH) {
        body += KEY_ALPHABET[byte % 62];
      }
    }
  }
  const value = `${prefix}${body}`;
  return { value, keyHash: await sha256Hex(value), ...keyParts(value, prefix.length + 4) };
}

export function keyParts(value: string, hintLength: number): { hint: string; tail: string } {
  return { hint: value.slice(0, hintLength), tail: value.slice(-4) };
}

export function redacted(hint: string, tail: string | null): string {
  return `${hint}...${tail ?? ""}`;
}

export function newKeyId(): string {
  return `key_${ulid()}`;
}

const MISSING_KEY =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";

function incorrectKey(): ApiError {
  return new ApiError("authentication", "Incorrect API key provided.", { code: "invalid_api_key" });
}

/** The bearer token of an `Authorization` header, or a 401. */
export function bearerToken(header: string | undefined): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (!match?.[1]) {
    throw new ApiError("authentication", MISSING_KEY, { code: "invalid_api_key" });
  }
  return match[1];
}

function isLiveAdminKey(key: AdminKeyRecord | null, now: number): key is AdminKeyRecord {
  return key !== null && key.deletedAt === null && (key.expiresAt === null || key.expiresAt > now);
}

/**
 * The admin key with this hash. The ADMIN_API_KEY secret becomes a stored admin key the first time
 * it is used, so it is listed and can be deleted like any other (deleting it refuses the secret
 * until it is rotated).
 */
async function findAdminKey(deps: Deps, keyHash: string, now: number): Promise<AdminKeyRecord | null> {
  const found = await deps.adminKeys.findByHash(keyHash);
  const secret = deps.config.adminApiKey;
  if (found || secret === null) {
    return found;
  }
  const secretHash = await sha256Hex(secret);
  if (!constantTimeEqual(secretHash, keyHash)) {
    return null;
  }
  await deps.adminKeys.insert({
    id: `key_admin_${secretHash.slice(0, 16)}`,
    keyHash: secretHash,
    ...keyParts(secret, Math.min(12, Math.max(0, secret.length - 4))),
    name: "ADMIN_API_KEY secret",
    source: "secret",
    createdAt: now,
    expiresAt: null,
    lastUsedAt: null,
    deletedAt: null,
  });
  return deps.adminKeys.findByHash(keyHash);
}

/** Resolves a project key to its project and key id; 401 for an unknown key, 403 for an admin key. */
export async function authenticateProjectKey(
  deps: Deps,
  token: string,
  now: number,
): Promise<{ projectId: `proj_${string}`; apiKeyId: string }> {
  const keyHash = await sha256Hex(token);
  const key = await deps.apiKeys.findActiveByHash(keyHash);
  // the lookup is by hash; the final comparison is constant-time so timing says nothing about the key
  if (!key || !constantTimeEqual(key.keyHash, keyHash)) {
    if (isLiveAdminKey(await findAdminKey(deps, keyHash, now), now)) {
      throw new ApiError(
        "permission",
        "Admin API keys only work with the Admin API (/v1/organization/*). Use a project API key for this request.",
        { code: "insufficient_permissions" },
      );
    }
    throw incorrectKey();
  }
  if (key.projectArchivedAt !== null) {
    throw new ApiError("authentication", "This API key belongs to an archived project.", {
      code: "invalid_api_key",
    });
  }
  if (key.lastUsedAt === null || now - key.lastUsedAt >= TOUCH_INTERVAL_SECONDS) {
    await deps.apiKeys.touch(key.id, now);
  }
  return { projectId: key.projectId, apiKeyId: key.id };
}

/** Resolves an admin key to its id; 401 for an unknown key, 403 for a project key. */
export async function authenticateAdminKey(deps: Deps, token: string, now: number): Promise<string> {
  const keyHash = await sha256Hex(token);
  const key = await findAdminKey(deps, keyHash, now);
  if (!isLiveAdminKey(key, now) || !constantTimeEqual(key.keyHash, keyHash)) {
    if (await deps.apiKeys.findActiveByHash(keyHash)) {
      throw new ApiError(
        "permission",
        "Project API keys cannot use the Admin API (/v1/organization/*). Use an admin API key for this request.",
        { code: "insufficient_permissions" },
      );
    }
    throw incorrectKey();
  }
  if (key.lastUsedAt === null || now - key.lastUsedAt >= TOUCH_INTERVAL_SECONDS) {
    await deps.adminKeys.touch(key.id, now);
  }
  return key.id;
}
