import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import {
  ListProjectApiKeysQuerySchema,
  ProjectApiKeyDeletedSchema,
  ProjectApiKeyListSchema,
  ProjectApiKeyParamSchema,
  ProjectApiKeySchema,
  ProjectIdParamSchema,
} from "../../schemas/organization";
import {
  deleteProjectApiKey,
  listProjectApiKeys,
  retrieveProjectApiKey,
} from "../../services/admin-projects";
import { ADMIN_SECURITY, json } from "./openapi";

const base = { tags: ["organization"], security: ADMIN_SECURITY };
const path = "/v1/organization/projects/{project_id}/api_keys";

const list = createRoute({
  ...base,
  method: "get",
  path,
  operationId: "list-project-api-keys",
  summary: "List a project's live API keys (never their values)",
  request: { params: ProjectIdParamSchema, query: ListProjectApiKeysQuerySchema },
  responses: {
    200: json("One page of keys.", ProjectApiKeyListSchema),
    ...errorResponses(400, 401, 403, 404),
  },
});

const retrieve = createRoute({
  ...base,
  method: "get",
  path: `${path}/{api_key_id}`,
  operationId: "retrieve-project-api-key",
  summary: "Retrieve a project API key",
  request: { params: ProjectApiKeyParamSchema },
  responses: { 200: json("The key.", ProjectApiKeySchema), ...errorResponses(401, 403, 404) },
});

const remove = createRoute({
  ...base,
  method: "delete",
  path: `${path}/{api_key_id}`,
  operationId: "delete-project-api-key",
  summary: "Revoke a project API key at once (a service account's key goes with its service account)",
  request: { params: ProjectApiKeyParamSchema },
  responses: {
    200: json("The key is revoked.", ProjectApiKeyDeletedSchema),
    ...errorResponses(400, 401, 403, 404),
  },
});

export function registerProjectApiKeyRoutes(app: App): void {
  app.openapi(list, async (c) =>
    c.json(await listProjectApiKeys(c.var.deps, c.req.valid("param").project_id, c.req.valid("query")), 200),
  );
  app.openapi(retrieve, async (c) => {
    const { project_id, api_key_id } = c.req.valid("param");
    return c.json(await retrieveProjectApiKey(c.var.deps, project_id, api_key_id), 200);
  });
  app.openapi(remove, async (c) => {
    const { project_id, api_key_id } = c.req.valid("param");
    return c.json(await deleteProjectApiKey(c.var.deps, project_id, api_key_id), 200);
  });
}
