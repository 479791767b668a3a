import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import {
  AdminApiKeyCreatedSchema,
  AdminApiKeyDeletedSchema,
  AdminApiKeyListSchema,
  AdminApiKeySchema,
  CreateAdminApiKeyBodySchema,
  KeyIdParamSchema,
  ListAdminApiKeysQuerySchema,
} from "../../schemas/organization";
import {
  createAdminApiKey,
  deleteAdminApiKey,
  listAdminApiKeys,
  retrieveAdminApiKey,
} from "../../services/admin-api-keys";
import { ADMIN_SECURITY, json } from "./openapi";

const base = { tags: ["organization"], security: ADMIN_SECURITY };
const path = "/v1/organization/admin_api_keys";

const list = createRoute({
  ...base,
  method: "get",
  path,
  operationId: "admin-api-keys-list",
  summary: "List admin API keys",
  request: { query: ListAdminApiKeysQuerySchema },
  responses: {
    200: json("One page of admin keys.", AdminApiKeyListSchema),
    ...errorResponses(400, 401, 403),
  },
});

const create = createRoute({
  ...base,
  method: "post",
  path,
  operationId: "admin-api-keys-create",
  summary: "Create an admin API key; its value is in this response only",
  request: {
    body: { required: true, content: { "application/json": { schema: CreateAdminApiKeyBodySchema } } },
  },
  responses: {
    200: json("The new key, with its value.", AdminApiKeyCreatedSchema),
    ...errorResponses(400, 401, 403),
  },
});

const retrieve = createRoute({
  ...base,
  method: "get",
  path: `${path}/{key_id}`,
  operationId: "admin-api-keys-get",
  summary: "Retrieve an admin API key",
  request: { params: KeyIdParamSchema },
  responses: { 200: json("The key.", AdminApiKeySchema), ...errorResponses(401, 403, 404) },
});

const remove = createRoute({
  ...base,
  method: "delete",
  path: `${path}/{key_id}`,
  operationId: "admin-api-keys-delete",
  summary: "Delete an admin API key; requests with it get 401 from then on",
  request: { params: KeyIdParamSchema },
  responses: { 200: json("The key is gone.", AdminApiKeyDeletedSchema), ...errorResponses(401, 403, 404) },
});

export function registerAdminApiKeyRoutes(app: App): void {
  app.openapi(list, async (c) => c.json(await listAdminApiKeys(c.var.deps, c.req.valid("query")), 200));
  app.openapi(create, async (c) => c.json(await createAdminApiKey(c.var.deps, c.req.valid("json")), 200));
  app.openapi(retrieve, async (c) =>
    c.json(await retrieveAdminApiKey(c.var.deps, c.req.valid("param").key_id), 200),
  );
  app.openapi(remove, async (c) =>
    c.json(await deleteAdminApiKey(c.var.deps, c.req.valid("param").key_id), 200),
  );
}
