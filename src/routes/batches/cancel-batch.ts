import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { BatchIdParamSchema, BatchSchema } from "../../schemas/batch";
import { cancelBatch } from "../../services/batches";

const route = createRoute({
  method: "post",
  path: "/v1/batches/{batch_id}/cancel",
  operationId: "cancelBatch",
  tags: ["batches"],
  summary: "Cancel a batch",
  description:
    "Stops dispatch at once; lines already running finish, then the partial output and `batch_cancelled` error lines are written. Cancelling a cancelled batch returns it; a completed, failed or expired one answers 409 with `x-should-retry: false`. The request body is ignored.",
  security: [{ bearerAuth: [] }],
  request: { params: BatchIdParamSchema },
  responses: {
    200: {
      description: "The batch, cancelling or cancelled.",
      content: { "application/json": { schema: BatchSchema } },
    },
    ...errorResponses(401, 404, 409),
  },
});

export function registerCancelBatch(app: App): void {
  app.openapi(route, async (c) => {
    const { batch_id } = c.req.valid("param");
    return c.json(await cancelBatch(c.var.deps, c.var.projectId, batch_id), 200);
  });
}
