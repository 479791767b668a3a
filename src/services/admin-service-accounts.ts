import type { Deps } from "../app/deps";
import { ulid } from "../domain/ids";
import { nowSeconds } from "../domain/time";
import { ApiError } from "../errors/api-error";
import { listPage } from "../schemas/common";
import type { ServiceAccount } from "../schemas/organization";
import type { ServiceAccountRecord } from "../storage/d1/service-accounts-store";
import { generateKey, newKeyId, SERVICE_ACCOUNT_KEY_PREFIX } from "./admin-keys";
import { mustGetActiveProject, mustGetProject } from "./admin-projects";

/**
 * Service accounts: how programs get project keys. Creating one returns its key's value once;
 * deleting one revokes its keys at once.
 */

const SERVICE_ACCOUNT_KEY_NAME = "Secret key";

function toServiceAccount(r: ServiceAccountRecord): ServiceAccount {
  return {
    id: r.id,
    object: "organization.project.service_account",
    name: r.name,
    role: r.role,
    created_at: r.createdAt,
  };
}

function notFound(id: string): ApiError {
  return new ApiError("not_found", `No such service account: ${id}`, { param: "service_account_id" });
}

export async function createServiceAccount(
  deps: Deps,
  projectId: string,
  body: { name: string; create_service_account_only?: boolean | null },
  now: number = nowSeconds(),
) {
  const project = await mustGetActiveProject(deps, projectId);
  const withKey = body.create_service_account_only !== true;
  const account: ServiceAccountRecord = {
    id: `svc_acct_${ulid()}`,
    projectId: project.id,
    name: body.name,
    role: withKey ? "member" : "none",
    createdAt: now,
  };
  const key = withKey ? await generateKey(SERVICE_ACCOUNT_KEY_PREFIX) : null;
  const keyId = newKeyId();
  await deps.serviceAccounts.create(
    account,
    key && {
      id: keyId,
      keyHash: key.keyHash,
      hint: key.hint,
      tail: key.tail,
      name: SERVICE_ACCOUNT_KEY_NAME,
    },
  );
  return {
    ...toServiceAccount(account),
    api_key: key && {
      object: "organization.project.service_account.api_key" as const,
      id: keyId,
      name: SERVICE_ACCOUNT_KEY_NAME,
      value: key.value,
      created_at: now,
    },
  };
}

export async function listServiceAccounts(
  deps: Deps,
  projectId: string,
  query: { limit: number; after?: string },
) {
  const project = await mustGetProject(deps, projectId);
  const { items, hasMore } = await deps.serviceAccounts.list(project.id, query);
  return listPage(items.map(toServiceAccount), hasMore);
}

export async function retrieveServiceAccount(deps: Deps, projectId: string, id: string) {
  const project = await mustGetProject(deps, projectId);
  const account = await deps.serviceAccounts.get(project.id, id);
  if (!account) {
    throw notFound(id);
  }
  return toServiceAccount(account);
}

export async function deleteServiceAccount(deps: Deps, projectId: string, id: string, now = nowSeconds()) {
  const project = await mustGetActiveProject(deps, projectId);
  if (!(await deps.serviceAccounts.delete(project.id, id, now))) {
    throw notFound(id);
  }
  return { id, object: "organization.project.service_account.deleted" as const, deleted: true as const };
}
