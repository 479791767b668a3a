import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import {
  CreateServiceAccountBodySchema,
  PageQuerySchema,
  ProjectIdParamSchema,
  ServiceAccountCreatedSchema,
  ServiceAccountDeletedSchema,
  ServiceAccountListSchema,
  ServiceAccountParamSchema,
  ServiceAccountSchema,
} from "../../schemas/organization";
import {
  createServiceAccount,
  deleteServiceAccount,
  listServiceAccounts,
  retrieveServiceAccount,
} from "../../services/admin-service-accounts";
import { ADMIN_SECURITY, json } from "./openapi";

const base = { tags: ["organization"], security: ADMIN_SECURITY };
const path = "/v1/organization/projects/{project_id}/service_accounts";

const list = createRoute({
  ...base,
  method: "get",
  path,
  operationId: "list-project-service-accounts",
  summary: "List a project's service accounts",
  request: { params: ProjectIdParamSchema, query: PageQuerySchema },
  responses: {
    200: json("One page of service accounts.", ServiceAccountListSchema),
    ...errorResponses(400, 401, 403, 404),
  },
});

const create = createRoute({
  ...base,
  method: "post",
  path,
  operationId: "create-project-service-account",
  summary: "Create a service account with a project API key; the key's value is in this response only",
  request: {
    params: ProjectIdParamSchema,
    body: { required: true, content: { "application/json": { schema: CreateServiceAccountBodySchema } } },
  },
  responses: {
    200: json("The service account and its key.", ServiceAccountCreatedSchema),
    ...errorResponses(400, 401, 403, 404),
  },
});

const retrieve = createRoute({
  ...base,
  method: "get",
  path: `${path}/{service_account_id}`,
  operationId: "retrieve-project-service-account",
  summary: "Retrieve a service account",
  request: { params: ServiceAccountParamSchema },
  responses: { 200: json("The service account.", ServiceAccountSchema), ...errorResponses(401, 403, 404) },
});

const remove = createRoute({
  ...base,
  method: "delete",
  path: `${path}/{service_account_id}`,
  operationId: "delete-project-service-account",
  summary: "Delete a service account; its keys stop working at once",
  request: { params: ServiceAccountParamSchema },
  responses: { 200: json("It is gone.", ServiceAccountDeletedSchema), ...errorResponses(400, 401, 403, 404) },
});

export function registerServiceAccountRoutes(app: App): void {
  app.openapi(list, async (c) =>
    c.json(await listServiceAccounts(c.var.deps, c.req.valid("param").project_id, c.req.valid("query")), 200),
  );
  app.openapi(create, async (c) =>
    c.json(await createServiceAccount(c.var.deps, c.req.valid("param").project_id, c.req.valid("json")), 200),
  );
  app.openapi(retrieve, async (c) => {
    const { project_id, service_account_id } = c.req.valid("param");
    return c.json(await retrieveServiceAccount(c.var.deps, project_id, service_account_id), 200);
  });
  app.openapi(remove, async (c) => {
    const { project_id, service_account_id } = c.req.valid("param");
    return c.json(await deleteServiceAccount(c.var.deps, project_id, service_account_id), 200);
  });
}
