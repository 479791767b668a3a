import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { WebhookEndpointIdParamSchema, WebhookEndpointWithSecretSchema } from "../../schemas/webhook";
import { rotateWebhookEndpointSecret } from "../../services/webhooks";

const route = createRoute({
  method: "post",
  path: "/v1/webhook_endpoints/{webhook_endpoint_id}/rotate_secret",
  operationId: "rotateWebhookEndpointSecret",
  tags: ["webhooks"],
  summary: "Replace a webhook endpoint's signing secret",
  description:
    "The new secret is shown once, in this response. The old one stops at once: every later attempt, retries of earlier events included, is signed with the new one.",
  security: [{ bearerAuth: [] }],
  request: { params: WebhookEndpointIdParamSchema },
  responses: {
    200: {
      description: "The endpoint, with its new signing secret.",
      content: { "application/json": { schema: WebhookEndpointWithSecretSchema } },
    },
    ...errorResponses(401, 404, 503),
  },
});

export function registerRotateWebhookEndpointSecret(app: App): void {
  app.openapi(route, async (c) => {
    const { webhook_endpoint_id } = c.req.valid("param");
    return c.json(await rotateWebhookEndpointSecret(c.var.deps, c.var.projectId, webhook_endpoint_id), 200);
  });
}
