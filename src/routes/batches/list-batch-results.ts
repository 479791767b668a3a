import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { BatchIdParamSchema } from "../../schemas/batch";
import { BatchResultListSchema, ListBatchResultsQuerySchema } from "../../schemas/batch-result";
import { listBatchResults } from "../../services/batch-results";

const route = createRoute({
  method: "get",
  path: "/v1/batches/{batch_id}/results",
  operationId: "listBatchResults",
  tags: ["batches"],
  summary: "Extension: the batch's requests merged with their results, while it runs",
  description:
    "Each request of the batch in input order, its body merged with its output or error line. Finished lines appear within seconds, before the batch ends. Filter by `custom_id` (exact), `custom_id_prefix` or `status`; page with `limit` and `after`.",
  security: [{ bearerAuth: [] }],
  request: { params: BatchIdParamSchema, query: ListBatchResultsQuerySchema },
  responses: {
    200: {
      description: "A page of results.",
      content: { "application/json": { schema: BatchResultListSchema } },
    },
    ...errorResponses(400, 401, 404),
  },
});

export function registerListBatchResults(app: App): void {
  app.openapi(route, async (c) => {
    const { batch_id } = c.req.valid("param");
    const query = c.req.valid("query");
    return c.json(await listBatchResults(c.var.deps, c.var.projectId, batch_id, query), 200);
  });
}
