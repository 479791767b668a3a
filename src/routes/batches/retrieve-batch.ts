import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { BatchIdParamSchema, BatchSchema } from "../../schemas/batch";
import { retrieveBatch } from "../../services/batches";

const route = createRoute({
  method: "get",
  path: "/v1/batches/{batch_id}",
  operationId: "retrieveBatch",
  tags: ["batches"],
  summary: "Retrieve a batch, with live request counts",
  security: [{ bearerAuth: [] }],
  request: { params: BatchIdParamSchema },
  responses: {
    200: { description: "The batch.", content: { "application/json": { schema: BatchSchema } } },
    ...errorResponses(401, 404),
  },
});

export function registerRetrieveBatch(app: App): void {
  app.openapi(route, async (c) => {
    const { batch_id } = c.req.valid("param");
    return c.json(await retrieveBatch(c.var.deps, c.var.projectId, batch_id), 200);
  });
}
