import type { Deps } from "../app/deps";
import { newId } from "../domain/ids";
import { nowSeconds } from "../domain/time";
import { ApiError } from "../errors/api-error";
import { listPage } from "../schemas/common";
import type { Project, ProjectApiKey } from "../schemas/organization";
import type { ProjectRecord } from "../storage/d1/projects-store";
import type { ProjectKeyRecord } from "../storage/d1/service-accounts-store";
import { redacted } from "./admin-keys";

/** Projects and their keys through the Admin API. A project is archived, never deleted. */

export function toProject(r: ProjectRecord): Project {
  return {
    id: r.id,
    object: "organization.project",
    name: r.name,
    created_at: r.createdAt,
    archived_at: r.archivedAt,
    status: r.archivedAt === null ? "active" : "archived",
    external_key_id: r.externalKeyId,
  };
}

export function projectNotFound(id: string): ApiError {
  return new ApiError("not_found", `No such project: ${id}`, { param: "project_id" });
}

export async function mustGetProject(deps: Deps, id: string): Promise<ProjectRecord> {
  const project = await deps.projects.get(id);
  if (!project) {
    throw projectNotFound(id);
  }
  return project;
}

/** A project that may still change: an archived one answers 400, as OpenAI does. */
export async function mustGetActiveProject(deps: Deps, id: string): Promise<ProjectRecord> {
  const project = await mustGetProject(deps, id);
  if (project.archivedAt !== null) {
    throw new ApiError("invalid_request", `Project ${id} is archived and cannot be changed.`, {
      param: "project_id",
      code: "project_archived",
    });
  }
  return project;
}

export async function listProjects(
  deps: Deps,
  query: { limit: number; after?: string; include_archived: "true" | "false" },
) {
  const { items, hasMore } = await deps.projects.list({
    limit: query.limit,
    after: query.after,
    includeArchived: query.include_archived === "true",
  });
  return listPage(items.map(toProject), hasMore);
}

export async function createProject(
  deps: Deps,
  body: { name: string; external_key_id?: string | null },
  now: number = nowSeconds(),
): Promise<Project> {
  const record: ProjectRecord = {
    id: newId("project"),
    name: body.name,
    createdAt: now,
    archivedAt: null,
    externalKeyId: body.external_key_id ?? null,
  };
  await deps.projects.insert(record);
  return toProject(record);
}

export async function retrieveProject(deps: Deps, id: string): Promise<Project> {
  return toProject(await mustGetProject(deps, id));
}

export async function updateProject(
  deps: Deps,
  id: string,
  body: { name?: string | null; external_key_id?: string | null },
): Promise<Project> {
  await mustGetActiveProject(deps, id);
  const updated = await deps.projects.update(id, {
    name: body.name ?? undefined,
    externalKeyId: body.external_key_id,
  });
  if (!updated) {
    throw projectNotFound(id);
  }
  return toProject(updated);
}

/** Archives the project: its keys stop working with the next request; its objects stay. */
export async function archiveProject(deps: Deps, id: string, now: number = nowSeconds()): Promise<Project> {
  const archived = await deps.projects.archive(id, now);
  if (!archived) {
    throw projectNotFound(id);
  }
  return toProject(archived);
}

function toProjectApiKey(r: ProjectKeyRecord, project: ProjectRecord): ProjectApiKey {
  const sa = r.serviceAccount;
  return {
    id: r.id,
    object: "organization.project.api_key",
    name: r.name ?? "",
    redacted_value: redacted(r.hint, r.tail),
    created_at: r.createdAt,
    last_used_at: r.lastUsedAt,
    owner_project_access: project.archivedAt === null ? "active" : "inactive",
    // keys made by `npm run keys` belong to the operator, who is the deployment's only user
    owner: sa
      ? {
          type: "service_account",
          service_account: { id: sa.id, name: sa.name, role: sa.role, created_at: sa.createdAt },
        }
      : { type: "user" },
  };
}

function keyNotFound(id: string): ApiError {
  return new ApiError("not_found", `No such API key: ${id}`, { param: "api_key_id" });
}

export async function listProjectApiKeys(
  deps: Deps,
  projectId: string,
  query: { limit: number; after?: string; owner_project_access?: "active" | "inactive" | "any" },
) {
  const project = await mustGetProject(deps, projectId);
  const access = project.archivedAt === null ? "active" : "inactive";
  if (query.owner_project_access !== undefined && ![access, "any"].includes(query.owner_project_access)) {
    return listPage([], false);
  }
  const { items, hasMore } = await deps.serviceAccounts.listKeys(project.id, query);
  return listPage(
    items.map((key) => toProjectApiKey(key, project)),
    hasMore,
  );
}

export async function retrieveProjectApiKey(
  deps: Deps,
  projectId: string,
  id: string,
): Promise<ProjectApiKey> {
  const project = await mustGetProject(deps, projectId);
  const key = await deps.serviceAccounts.getKey(project.id, id);
  if (!key) {
    throw keyNotFound(id);
  }
  return toProjectApiKey(key, project);
}

/** Revokes a key at once. A service account's key goes with its service account, as at OpenAI. */
export async function deleteProjectApiKey(deps: Deps, projectId: string, id: string, now = nowSeconds()) {
  const project = await mustGetActiveProject(deps, projectId);
  const key = await deps.serviceAccounts.getKey(project.id, id);
  if (!key) {
    throw keyNotFound(id);
  }
  if (key.serviceAccount) {
    throw new ApiError(
      "invalid_request",
      `API key ${id} belongs to service account ${key.serviceAccount.id}: delete the service account instead.`,
      { param: "api_key_id", code: "service_account_key" },
    );
  }
  await deps.serviceAccounts.revokeKey(project.id, id, now);
  return { id, object: "organization.project.api_key.deleted" as const, deleted: true as const };
}
