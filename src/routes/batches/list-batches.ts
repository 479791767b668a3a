import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { BatchListSchema, ListBatchesQuerySchema } from "../../schemas/batch";
import { listBatches } from "../../services/batches";

const route = createRoute({
  method: "get",
  path: "/v1/batches",
  operationId: "listBatches",
  tags: ["batches"],
  summary: "List the project's batches, newest first",
  security: [{ bearerAuth: [] }],
  request: { query: ListBatchesQuerySchema },
  responses: {
    200: { description: "A page of batches.", content: { "application/json": { schema: BatchListSchema } } },
    ...errorResponses(400, 401),
  },
});

export function registerListBatches(app: App): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    return c.json(await listBatches(c.var.deps, c.var.projectId, query), 200);
  });
}
