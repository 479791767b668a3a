import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { WebhookSecretWithSecretSchema } from "../../schemas/webhook";
import { rotateWebhookSecret } from "../../services/webhooks";

const route = createRoute({
  method: "post",
  path: "/v1/webhook_secret/rotate",
  operationId: "rotateWebhookSecret",
  tags: ["webhooks"],
  summary: "Create or replace the project's webhook signing secret",
  description:
    "Extension. Events sent to a batch's `webhook_url` are signed with this project secret; a batch can only be created with `webhook_url` once it exists. The secret is shown once, in this response; the previous one stops at once.",
  security: [{ bearerAuth: [] }],
  responses: {
    200: {
      description: "The new signing secret.",
      content: { "application/json": { schema: WebhookSecretWithSecretSchema } },
    },
    ...errorResponses(401, 503),
  },
});

export function registerRotateWebhookSecret(app: App): void {
  app.openapi(route, async (c) => {
    return c.json(await rotateWebhookSecret(c.var.deps, c.var.projectId), 200);
  });
}
