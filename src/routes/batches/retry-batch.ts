import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { BatchIdParamSchema, BatchSchema } from "../../schemas/batch";
import { retryBatch } from "../../services/batch-retry";

const route = createRoute({
  method: "post",
  path: "/v1/batches/{batch_id}/retry",
  operationId: "retryBatch",
  tags: ["batches"],
  summary: "Extension: a new batch from an ended batch's requests that did not succeed",
  description:
    "Creates a batch from the failed, expired and cancelled requests of a completed, expired or cancelled batch, with the same endpoint, window, base model and metadata plus `retry_of`. Requests that succeeded never run again.",
  security: [{ bearerAuth: [] }],
  request: { params: BatchIdParamSchema },
  responses: {
    200: { description: "The new batch.", content: { "application/json": { schema: BatchSchema } } },
    ...errorResponses(400, 401, 404, 409),
  },
});

export function registerRetryBatch(app: App): void {
  app.openapi(route, async (c) => {
    const { batch_id } = c.req.valid("param");
    return c.json(await retryBatch(c.var.deps, c.var.projectId, batch_id), 200);
  });
}
