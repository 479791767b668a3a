import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { WebhookSecretSchema } from "../../schemas/webhook";
import { retrieveWebhookSecret } from "../../services/webhooks";

const route = createRoute({
  method: "get",
  path: "/v1/webhook_secret",
  operationId: "retrieveWebhookSecret",
  tags: ["webhooks"],
  summary: "Tell whether the project has a webhook signing secret, and since when",
  description: "Extension. The secret itself is never shown again after `POST /v1/webhook_secret/rotate`.",
  security: [{ bearerAuth: [] }],
  responses: {
    200: {
      description: "The secret's metadata.",
      content: { "application/json": { schema: WebhookSecretSchema } },
    },
    ...errorResponses(401, 404),
  },
});

export function registerRetrieveWebhookSecret(app: App): void {
  app.openapi(route, async (c) => {
    return c.json(await retrieveWebhookSecret(c.var.deps, c.var.projectId), 200);
  });
}
