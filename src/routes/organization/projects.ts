import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import {
  CreateProjectBodySchema,
  ListProjectsQuerySchema,
  ProjectIdParamSchema,
  ProjectListSchema,
  ProjectSchema,
  UpdateProjectBodySchema,
} from "../../schemas/organization";
import {
  archiveProject,
  createProject,
  listProjects,
  retrieveProject,
  updateProject,
} from "../../services/admin-projects";
import { ADMIN_SECURITY, json } from "./openapi";

const base = { tags: ["organization"], security: ADMIN_SECURITY };
const path = "/v1/organization/projects";
const body = <T extends typeof CreateProjectBodySchema | typeof UpdateProjectBodySchema>(schema: T) => ({
  body: { required: true, content: { "application/json": { schema } } },
});

const list = createRoute({
  ...base,
  method: "get",
  path,
  operationId: "list-projects",
  summary: "List projects, oldest first; archived ones only with include_archived=true",
  request: { query: ListProjectsQuerySchema },
  responses: { 200: json("One page of projects.", ProjectListSchema), ...errorResponses(400, 401, 403) },
});

const create = createRoute({
  ...base,
  method: "post",
  path,
  operationId: "create-project",
  summary: "Create a project",
  request: body(CreateProjectBodySchema),
  responses: { 200: json("The new project.", ProjectSchema), ...errorResponses(400, 401, 403) },
});

const retrieve = createRoute({
  ...base,
  method: "get",
  path: `${path}/{project_id}`,
  operationId: "retrieve-project",
  summary: "Retrieve a project",
  request: { params: ProjectIdParamSchema },
  responses: { 200: json("The project.", ProjectSchema), ...errorResponses(401, 403, 404) },
});

const update = createRoute({
  ...base,
  method: "post",
  path: `${path}/{project_id}`,
  operationId: "modify-project",
  summary: "Rename a project (not an archived one)",
  request: { params: ProjectIdParamSchema, ...body(UpdateProjectBodySchema) },
  responses: { 200: json("The project.", ProjectSchema), ...errorResponses(400, 401, 403, 404) },
});

const archive = createRoute({
  ...base,
  method: "post",
  path: `${path}/{project_id}/archive`,
  operationId: "archive-project",
  summary: "Archive a project: its keys stop working at once, its files and batches stay",
  request: { params: ProjectIdParamSchema },
  responses: { 200: json("The archived project.", ProjectSchema), ...errorResponses(401, 403, 404) },
});

export function registerProjectRoutes(app: App): void {
  app.openapi(list, async (c) => c.json(await listProjects(c.var.deps, c.req.valid("query")), 200));
  app.openapi(create, async (c) => c.json(await createProject(c.var.deps, c.req.valid("json")), 200));
  app.openapi(retrieve, async (c) =>
    c.json(await retrieveProject(c.var.deps, c.req.valid("param").project_id), 200),
  );
  app.openapi(update, async (c) =>
    c.json(await updateProject(c.var.deps, c.req.valid("param").project_id, c.req.valid("json")), 200),
  );
  app.openapi(archive, async (c) =>
    c.json(await archiveProject(c.var.deps, c.req.valid("param").project_id), 200),
  );
}
