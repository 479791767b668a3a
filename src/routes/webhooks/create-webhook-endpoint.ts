import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { CreateWebhookEndpointBodySchema, WebhookEndpointWithSecretSchema } from "../../schemas/webhook";
import { createWebhookEndpoint } from "../../services/webhooks";

const route = createRoute({
  method: "post",
  path: "/v1/webhook_endpoints",
  operationId: "createWebhookEndpoint",
  tags: ["webhooks"],
  summary: "Create a project webhook endpoint",
  description:
    "Extension. The endpoint receives the chosen `batch.*` events of every batch of the project, signed per Standard Webhooks with its own secret, which this response shows once. At most 16 endpoints per project.",
  security: [{ bearerAuth: [] }],
  request: {
    body: { required: true, content: { "application/json": { schema: CreateWebhookEndpointBodySchema } } },
  },
  responses: {
    200: {
      description: "The new endpoint, with its signing secret.",
      content: { "application/json": { schema: WebhookEndpointWithSecretSchema } },
    },
    ...errorResponses(400, 401, 503),
  },
});

export function registerCreateWebhookEndpoint(app: App): void {
  app.openapi(route, async (c) => {
    return c.json(await createWebhookEndpoint(c.var.deps, c.var.projectId, c.req.valid("json")), 200);
  });
}
