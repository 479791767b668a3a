import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { BatchIdParamSchema } from "../../schemas/batch";
import { WebhookDeliveryListSchema } from "../../schemas/webhook";
import { listBatchWebhookDeliveries } from "../../services/webhooks";

const route = createRoute({
  method: "get",
  path: "/v1/batches/{batch_id}/webhook_deliveries",
  operationId: "listBatchWebhookDeliveries",
  tags: ["webhooks"],
  summary: "List the deliveries of a batch's webhook event",
  description:
    "Extension. One delivery per destination (the batch's `webhook_url`, each subscribed project endpoint), with its status, attempts, last status code and next attempt time. Empty until the batch ends; all on one page.",
  security: [{ bearerAuth: [] }],
  request: { params: BatchIdParamSchema },
  responses: {
    200: {
      description: "The batch's deliveries, oldest first.",
      content: { "application/json": { schema: WebhookDeliveryListSchema } },
    },
    ...errorResponses(401, 404),
  },
});

export function registerListBatchWebhookDeliveries(app: App): void {
  app.openapi(route, async (c) => {
    const { batch_id } = c.req.valid("param");
    return c.json(await listBatchWebhookDeliveries(c.var.deps, c.var.projectId, batch_id), 200);
  });
}
