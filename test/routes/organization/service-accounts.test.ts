import { describe, expect, it } from "vitest";
import {
  ProjectApiKeyListSchema,
  ServiceAccountCreatedSchema,
  ServiceAccountListSchema,
} from "../../../src/schemas/organization";
import { admin, createProjectWithKey } from "../../helpers/admin";
import { call } from "../../helpers/api";
import { describeAdminAuthCases, expectApiError } from "./helpers";

async function newProject(): Promise<string> {
  const res = await admin<{ id: string }>("POST", "/projects", { json: { name: "sa" } });
  return res.body.id;
}

describe("POST /v1/organization/projects/{project_id}/service_accounts", () => {
  it("creates a service account whose key (shown once) works on the project's routes", async () => {
    const projectId = await newProject();
    const res = await admin("POST", `/projects/${projectId}/service_accounts`, { json: { name: "ci" } });
    const sa = ServiceAccountCreatedSchema.parse(res.body);
    expect(sa).toMatchObject({ object: "organization.project.service_account", name: "ci", role: "member" });
    expect(sa.api_key?.value).toMatch(/^sk-svcacct-[0-9A-Za-z]{48}$/);
    expect((await call("GET", "/v1/batches", { key: sa.api_key?.value })).status).toBe(200);
    const keys = ProjectApiKeyListSchema.parse((await admin("GET", `/projects/${projectId}/api_keys`)).body);
    expect(keys.data).toEqual([
      expect.objectContaining({
        id: sa.api_key?.id,
        owner: { type: "service_account", service_account: expect.objectContaining({ id: sa.id }) },
        owner_project_access: "active",
        last_used_at: expect.any(Number),
      }),
    ]);
    expect(JSON.stringify(keys)).not.toContain(sa.api_key?.value);
  });

  it("creates one without a key when asked", async () => {
    const projectId = await newProject();
    const res = await admin("POST", `/projects/${projectId}/service_accounts`, {
      json: { name: "bare", create_service_account_only: true },
    });
    expect(ServiceAccountCreatedSchema.parse(res.body)).toMatchObject({ role: "none", api_key: null });
  });

  it.each([
    ["no name", {}, "name"],
    ["an empty name", { name: "" }, "name"],
    ["a non-boolean flag", { name: "x", create_service_account_only: "yes" }, "create_service_account_only"],
  ])("answers 400 for %s", async (_label, json, param) => {
    const projectId = await newProject();
    expectApiError(await admin("POST", `/projects/${projectId}/service_accounts`, { json }), 400, { param });
  });

  it("answers 404 for an unknown project and 400 for an archived one", async () => {
    expectApiError(
      await admin("POST", "/projects/proj_nope/service_accounts", { json: { name: "x" } }),
      404,
      {
        param: "project_id",
      },
    );
    const projectId = await newProject();
    await admin("POST", `/projects/${projectId}/archive`);
    expectApiError(
      await admin("POST", `/projects/${projectId}/service_accounts`, { json: { name: "x" } }),
      400,
      {
        code: "project_archived",
      },
    );
  });

  describeAdminAuthCases((key) =>
    admin("POST", "/projects/proj_test_a/service_accounts", { key, json: { name: "x" } }),
  );
});

describe("GET and DELETE /v1/organization/projects/{project_id}/service_accounts/{id}", () => {
  it("lists, retrieves and deletes; deleting revokes its key at once", async () => {
    const { id, key, serviceAccountId } = await createProjectWithKey();
    const list = ServiceAccountListSchema.parse(
      (await admin("GET", `/projects/${id}/service_accounts`)).body,
    );
    expect(list.data.map((sa) => sa.id)).toEqual([serviceAccountId]);
    const one = await admin("GET", `/projects/${id}/service_accounts/${serviceAccountId}`);
    expect(one.body).toEqual(list.data[0]);
    const deleted = await admin("DELETE", `/projects/${id}/service_accounts/${serviceAccountId}`);
    expect(deleted.body).toEqual({
      id: serviceAccountId,
      object: "organization.project.service_account.deleted",
      deleted: true,
    });
    expectApiError(await call("GET", "/v1/files", { key }), 401, { code: "invalid_api_key" });
    expectApiError(await admin("GET", `/projects/${id}/service_accounts/${serviceAccountId}`), 404, {
      param: "service_account_id",
    });
  });

  it("keeps a project's service accounts to that project", async () => {
    const a = await createProjectWithKey();
    const b = await createProjectWithKey();
    expectApiError(await admin("GET", `/projects/${b.id}/service_accounts/${a.serviceAccountId}`), 404, {
      param: "service_account_id",
    });
  });

  it("answers 400 for a bad page query and for deleting in an archived project", async () => {
    const { id, serviceAccountId } = await createProjectWithKey();
    expect((await admin("GET", `/projects/${id}/service_accounts?limit=0`)).status).toBe(400);
    await admin("POST", `/projects/${id}/archive`);
    expect((await admin("GET", `/projects/${id}/service_accounts`)).status).toBe(200);
    expectApiError(await admin("DELETE", `/projects/${id}/service_accounts/${serviceAccountId}`), 400, {
      code: "project_archived",
    });
  });

  describeAdminAuthCases((key) => admin("GET", "/projects/proj_test_a/service_accounts", { key }));
});

describe("/v1/organization/projects/{project_id}/api_keys", () => {
  it("lists the keys made by `npm run keys`, retrieves and deletes one", async () => {
    const list = ProjectApiKeyListSchema.parse((await admin("GET", "/projects/proj_test_b/api_keys")).body);
    const [key] = list.data;
    expect(key).toMatchObject({
      owner: { type: "user" },
      redacted_value: "sk-test-...",
      owner_project_access: "active",
    });
    expect((await admin("GET", `/projects/proj_test_b/api_keys/${key?.id}`)).body).toEqual(key);
    expectApiError(await admin("GET", `/projects/proj_test_a/api_keys/${key?.id}`), 404, {
      param: "api_key_id",
    });
  });

  it("revokes a key at once and refuses to delete a service account's key", async () => {
    const { id, keyId } = await createProjectWithKey();
    expectApiError(await admin("DELETE", `/projects/${id}/api_keys/${keyId}`), 400, {
      code: "service_account_key",
    });
    expectApiError(await admin("DELETE", `/projects/${id}/api_keys/key_nope`), 404, { param: "api_key_id" });
    expectApiError(await admin("GET", "/projects/proj_nope/api_keys"), 404, { param: "project_id" });
    expect((await admin("GET", `/projects/${id}/api_keys?owner_project_access=sometimes`)).status).toBe(400);
  });

  it("shows an archived project's keys as inactive", async () => {
    const { id } = await createProjectWithKey();
    await admin("POST", `/projects/${id}/archive`);
    const list = ProjectApiKeyListSchema.parse((await admin("GET", `/projects/${id}/api_keys`)).body);
    expect(list.data.map((k) => k.owner_project_access)).toEqual(["inactive"]);
  });

  describeAdminAuthCases((key) => admin("GET", "/projects/proj_test_a/api_keys", { key }));
});
