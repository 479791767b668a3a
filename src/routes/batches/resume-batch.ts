import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { BatchIdParamSchema, BatchSchema } from "../../schemas/batch";
import { resumeBatch } from "../../services/batch-pause";

const route = createRoute({
  method: "post",
  path: "/v1/batches/{batch_id}/resume",
  operationId: "resumeBatch",
  tags: ["batches"],
  summary: "Resume a batch",
  description:
    "Extension: restarts dispatch of a paused batch where it stopped; nothing recorded runs again. Resuming a batch that is not paused returns it; a completed, failed, expired or cancelled one answers 409 with `x-should-retry: false`. The request body is ignored.",
  security: [{ bearerAuth: [] }],
  request: { params: BatchIdParamSchema },
  responses: {
    200: {
      description: "The batch, with `paused_at` null.",
      content: { "application/json": { schema: BatchSchema } },
    },
    ...errorResponses(401, 404, 409),
  },
});

export function registerResumeBatch(app: App): void {
  app.openapi(route, async (c) => {
    const { batch_id } = c.req.valid("param");
    return c.json(await resumeBatch(c.var.deps, c.var.projectId, batch_id), 200);
  });
}
