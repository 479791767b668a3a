import { describe, expect, it } from "vitest";
import { ProjectListSchema, ProjectSchema } from "../../../src/schemas/organization";
import { admin, createProjectWithKey } from "../../helpers/admin";
import { call } from "../../helpers/api";
import { describeAdminAuthCases, expectApiError } from "./helpers";

type Project = ReturnType<typeof ProjectSchema.parse>;

async function create(name: string): Promise<Project> {
  const res = await admin("POST", "/projects", { json: { name } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return ProjectSchema.parse(res.body);
}

describe("POST /v1/organization/projects", () => {
  it("creates an active project", async () => {
    const project = await create("Team Blue");
    expect(project).toMatchObject({
      object: "organization.project",
      name: "Team Blue",
      status: "active",
      archived_at: null,
    });
    expect(project.id).toMatch(/^proj_/);
  });

  it.each([
    ["no name", {}, "name"],
    ["an empty name", { name: "  " }, "name"],
    ["a name with a newline", { name: "a\nb" }, "name"],
    ["a name that is a number", { name: 5 }, "name"],
    ["a name of 201 characters", { name: "x".repeat(201) }, "name"],
  ])("answers 400 for %s", async (_label, json, param) => {
    expectApiError(await admin("POST", "/projects", { json }), 400, { param });
  });

  describeAdminAuthCases((key) => admin("POST", "/projects", { key, json: { name: "x" } }));
});

describe("GET /v1/organization/projects", () => {
  it("pages through projects with after=<last_id>, without archived ones unless asked", async () => {
    const a = await create("list-a");
    const b = await create("list-b");
    await admin("POST", `/projects/${b.id}/archive`);
    const ids: string[] = [];
    let after = "";
    for (;;) {
      const res = await admin("GET", `/projects?limit=2${after ? `&after=${after}` : ""}`);
      const page = ProjectListSchema.parse(res.body);
      ids.push(...page.data.map((p) => p.id));
      if (!page.has_more) {
        break;
      }
      after = page.last_id ?? "";
    }
    expect(ids).toContain(a.id);
    expect(ids).not.toContain(b.id);
    const all = ProjectListSchema.parse(
      (await admin("GET", "/projects?include_archived=true&limit=100")).body,
    );
    expect(all.data.map((p) => p.id)).toEqual(expect.arrayContaining([a.id, b.id]));
  });

  it.each([["limit=0"], ["limit=101"], ["include_archived=maybe"]])("answers 400 for %s", async (query) => {
    expect((await admin("GET", `/projects?${query}`)).status).toBe(400);
  });

  describeAdminAuthCases((key) => admin("GET", "/projects", { key }));
});

describe("GET and POST /v1/organization/projects/{project_id}", () => {
  it("retrieves and renames a project", async () => {
    const project = await create("before");
    expect((await admin("GET", `/projects/${project.id}`)).body).toEqual(project);
    const renamed = await admin("POST", `/projects/${project.id}`, { json: { name: "after" } });
    expect(ProjectSchema.parse(renamed.body)).toEqual({ ...project, name: "after" });
  });

  it("answers 404 for an unknown project", async () => {
    expectApiError(await admin("GET", "/projects/proj_nope"), 404, { param: "project_id" });
    expectApiError(await admin("POST", "/projects/proj_nope", { json: { name: "x" } }), 404, {
      param: "project_id",
    });
  });

  it("refuses to rename an archived project but still shows it", async () => {
    const project = await create("frozen");
    await admin("POST", `/projects/${project.id}/archive`);
    expectApiError(await admin("POST", `/projects/${project.id}`, { json: { name: "x" } }), 400, {
      code: "project_archived",
    });
    expect((await admin("GET", `/projects/${project.id}`)).body).toMatchObject({ status: "archived" });
  });

  it("answers 400 for a bad name", async () => {
    const project = await create("named");
    expectApiError(await admin("POST", `/projects/${project.id}`, { json: { name: "" } }), 400, {
      param: "name",
    });
  });

  describeAdminAuthCases((key) => admin("GET", "/projects/proj_test_a", { key }));
});

describe("POST /v1/organization/projects/{project_id}/archive", () => {
  it("stops the project's keys at once, keeps its data, and is idempotent", async () => {
    const { id, key } = await createProjectWithKey();
    expect((await call("GET", "/v1/files", { key })).status).toBe(200);
    const archived = ProjectSchema.parse((await admin("POST", `/projects/${id}/archive`)).body);
    expect(archived).toMatchObject({ status: "archived", archived_at: expect.any(Number) });
    const refused = await call("GET", "/v1/files", { key });
    expectApiError(refused, 401, { code: "invalid_api_key", message: /archived/ });
    const again = ProjectSchema.parse((await admin("POST", `/projects/${id}/archive`)).body);
    expect(again.archived_at).toBe(archived.archived_at);
  });

  it("answers 404 for an unknown project", async () => {
    expectApiError(await admin("POST", "/projects/proj_nope/archive"), 404, { param: "project_id" });
  });

  describeAdminAuthCases((key) => admin("POST", "/projects/proj_nope/archive", { key }));
});
