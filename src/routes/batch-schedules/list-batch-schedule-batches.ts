import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { BatchListSchema } from "../../schemas/batch";
import { ListBatchSchedulesQuerySchema, ScheduleIdParamSchema } from "../../schemas/batch-schedule";
import { listScheduleBatches } from "../../services/batch-schedules";

const route = createRoute({
  method: "get",
  path: "/v1/batch_schedules/{schedule_id}/batches",
  operationId: "listBatchScheduleBatches",
  tags: ["batch_schedules"],
  summary: "List the batches a schedule's runs created, newest first",
  description:
    "The batches this schedule's runs created, as `GET /v1/batches` shows them. Each carries `metadata.batch_schedule_id`, a key no other batch may set.",
  security: [{ bearerAuth: [] }],
  request: { params: ScheduleIdParamSchema, query: ListBatchSchedulesQuerySchema },
  responses: {
    200: { description: "A page of batches.", content: { "application/json": { schema: BatchListSchema } } },
    ...errorResponses(400, 401, 404),
  },
});

export function registerListBatchScheduleBatches(app: App): void {
  app.openapi(route, async (c) => {
    const { schedule_id } = c.req.valid("param");
    return c.json(
      await listScheduleBatches(c.var.deps, c.var.projectId, schedule_id, c.req.valid("query")),
      200,
    );
  });
}
