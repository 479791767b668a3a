import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { WebhookEndpointDeletedSchema, WebhookEndpointIdParamSchema } from "../../schemas/webhook";
import { deleteWebhookEndpoint } from "../../services/webhooks";

const route = createRoute({
  method: "delete",
  path: "/v1/webhook_endpoints/{webhook_endpoint_id}",
  operationId: "deleteWebhookEndpoint",
  tags: ["webhooks"],
  summary: "Delete a webhook endpoint",
  description: "Deliveries still pending to it stop at their next attempt, marked `failed`.",
  security: [{ bearerAuth: [] }],
  request: { params: WebhookEndpointIdParamSchema },
  responses: {
    200: {
      description: "The endpoint is gone.",
      content: { "application/json": { schema: WebhookEndpointDeletedSchema } },
    },
    ...errorResponses(401, 404),
  },
});

export function registerDeleteWebhookEndpoint(app: App): void {
  app.openapi(route, async (c) => {
    const { webhook_endpoint_id } = c.req.valid("param");
    return c.json(await deleteWebhookEndpoint(c.var.deps, c.var.projectId, webhook_endpoint_id), 200);
  });
}
