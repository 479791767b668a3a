import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { BatchScheduleListSchema, ListBatchSchedulesQuerySchema } from "../../schemas/batch-schedule";
import { listSchedules } from "../../services/batch-schedules";

const route = createRoute({
  method: "get",
  path: "/v1/batch_schedules",
  operationId: "listBatchSchedules",
  tags: ["batch_schedules"],
  summary: "List the project's batch schedules, newest first",
  security: [{ bearerAuth: [] }],
  request: { query: ListBatchSchedulesQuerySchema },
  responses: {
    200: {
      description: "A page of schedules.",
      content: { "application/json": { schema: BatchScheduleListSchema } },
    },
    ...errorResponses(400, 401),
  },
});

export function registerListBatchSchedules(app: App): void {
  app.openapi(route, async (c) => {
    return c.json(await listSchedules(c.var.deps, c.var.projectId, c.req.valid("query")), 200);
  });
}
