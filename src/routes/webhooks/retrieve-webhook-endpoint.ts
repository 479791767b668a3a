import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { WebhookEndpointIdParamSchema, WebhookEndpointSchema } from "../../schemas/webhook";
import { retrieveWebhookEndpoint } from "../../services/webhooks";

const route = createRoute({
  method: "get",
  path: "/v1/webhook_endpoints/{webhook_endpoint_id}",
  operationId: "retrieveWebhookEndpoint",
  tags: ["webhooks"],
  summary: "Retrieve a webhook endpoint (without its secret)",
  security: [{ bearerAuth: [] }],
  request: { params: WebhookEndpointIdParamSchema },
  responses: {
    200: { description: "The endpoint.", content: { "application/json": { schema: WebhookEndpointSchema } } },
    ...errorResponses(401, 404),
  },
});

export function registerRetrieveWebhookEndpoint(app: App): void {
  app.openapi(route, async (c) => {
    const { webhook_endpoint_id } = c.req.valid("param");
    return c.json(await retrieveWebhookEndpoint(c.var.deps, c.var.projectId, webhook_endpoint_id), 200);
  });
}
