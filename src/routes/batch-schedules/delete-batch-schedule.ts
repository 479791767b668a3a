import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { BatchScheduleDeletedSchema, ScheduleIdParamSchema } from "../../schemas/batch-schedule";
import { deleteSchedule } from "../../services/batch-schedules";

const route = createRoute({
  method: "delete",
  path: "/v1/batch_schedules/{schedule_id}",
  operationId: "deleteBatchSchedule",
  tags: ["batch_schedules"],
  summary: "Delete a batch schedule",
  description: "No further run starts. Batches its runs created are kept, with their metadata.",
  security: [{ bearerAuth: [] }],
  request: { params: ScheduleIdParamSchema },
  responses: {
    200: {
      description: "The deletion.",
      content: { "application/json": { schema: BatchScheduleDeletedSchema } },
    },
    ...errorResponses(401, 404),
  },
});

export function registerDeleteBatchSchedule(app: App): void {
  app.openapi(route, async (c) => {
    const { schedule_id } = c.req.valid("param");
    return c.json(await deleteSchedule(c.var.deps, c.var.projectId, schedule_id), 200);
  });
}
