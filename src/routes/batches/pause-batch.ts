import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { BatchIdParamSchema, BatchSchema } from "../../schemas/batch";
import { pauseBatch } from "../../services/batch-pause";

const route = createRoute({
  method: "post",
  path: "/v1/batches/{batch_id}/pause",
  operationId: "pauseBatch",
  tags: ["batches"],
  summary: "Pause a batch",
  description:
    "Extension: stops dispatch of a validating or running batch; lines already running finish and are recorded, no new line starts. The batch keeps its deadline: a paused batch still expires at `expires_at`. Pausing a paused batch returns it; a batch that has ended or is ending (cancelling, finalizing) answers 409 with `x-should-retry: false`. The request body is ignored.",
  security: [{ bearerAuth: [] }],
  request: { params: BatchIdParamSchema },
  responses: {
    200: {
      description: "The batch, with `paused_at` set.",
      content: { "application/json": { schema: BatchSchema } },
    },
    ...errorResponses(401, 404, 409),
  },
});

export function registerPauseBatch(app: App): void {
  app.openapi(route, async (c) => {
    const { batch_id } = c.req.valid("param");
    return c.json(await pauseBatch(c.var.deps, c.var.projectId, batch_id), 200);
  });
}
