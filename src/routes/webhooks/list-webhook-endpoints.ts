import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { ListWebhookEndpointsQuerySchema, WebhookEndpointListSchema } from "../../schemas/webhook";
import { listWebhookEndpoints } from "../../services/webhooks";

const route = createRoute({
  method: "get",
  path: "/v1/webhook_endpoints",
  operationId: "listWebhookEndpoints",
  tags: ["webhooks"],
  summary: "List the project's webhook endpoints, newest first",
  description: "Extension. Page with `after=<last_id>` while `has_more` is true. Secrets are never listed.",
  security: [{ bearerAuth: [] }],
  request: { query: ListWebhookEndpointsQuerySchema },
  responses: {
    200: {
      description: "One page of endpoints.",
      content: { "application/json": { schema: WebhookEndpointListSchema } },
    },
    ...errorResponses(400, 401),
  },
});

export function registerListWebhookEndpoints(app: App): void {
  app.openapi(route, async (c) => {
    return c.json(await listWebhookEndpoints(c.var.deps, c.var.projectId, c.req.valid("query")), 200);
  });
}
