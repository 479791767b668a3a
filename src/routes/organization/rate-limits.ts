import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import {
  ListRateLimitsQuerySchema,
  ProjectIdParamSchema,
  RateLimitListSchema,
  RateLimitParamSchema,
  RateLimitSchema,
  UpdateRateLimitBodySchema,
} from "../../schemas/organization";
import { listRateLimits, updateRateLimit } from "../../services/admin-rate-limits";
import { ADMIN_SECURITY, json } from "./openapi";

const base = { tags: ["organization"], security: ADMIN_SECURITY };
const path = "/v1/organization/projects/{project_id}/rate_limits";

const list = createRoute({
  ...base,
  method: "get",
  path,
  operationId: "list-project-rate-limits",
  summary: "A project's rate limits: one per model this deployment serves",
  request: { params: ProjectIdParamSchema, query: ListRateLimitsQuerySchema },
  responses: {
    200: json("One page of rate limits.", RateLimitListSchema),
    ...errorResponses(400, 401, 403, 404),
  },
});

const update = createRoute({
  ...base,
  method: "post",
  path: `${path}/{rate_limit_id}`,
  operationId: "update-project-rate-limits",
  summary: "Change a project's limits for one model; fields left out keep their value",
  request: {
    params: RateLimitParamSchema,
    body: { required: true, content: { "application/json": { schema: UpdateRateLimitBodySchema } } },
  },
  responses: { 200: json("The rate limit.", RateLimitSchema), ...errorResponses(400, 401, 403, 404) },
});

export function registerRateLimitRoutes(app: App): void {
  app.openapi(list, async (c) =>
    c.json(await listRateLimits(c.var.deps, c.req.valid("param").project_id, c.req.valid("query")), 200),
  );
  app.openapi(update, async (c) => {
    const { project_id, rate_limit_id } = c.req.valid("param");
    return c.json(await updateRateLimit(c.var.deps, project_id, rate_limit_id, c.req.valid("json")), 200);
  });
}
