import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { BatchScheduleSchema, ScheduleIdParamSchema } from "../../schemas/batch-schedule";
import { retrieveSchedule } from "../../services/batch-schedules";

const route = createRoute({
  method: "get",
  path: "/v1/batch_schedules/{schedule_id}",
  operationId: "retrieveBatchSchedule",
  tags: ["batch_schedules"],
  summary: "Retrieve a batch schedule, with its next and last run",
  security: [{ bearerAuth: [] }],
  request: { params: ScheduleIdParamSchema },
  responses: {
    200: { description: "The schedule.", content: { "application/json": { schema: BatchScheduleSchema } } },
    ...errorResponses(401, 404),
  },
});

export function registerRetrieveBatchSchedule(app: App): void {
  app.openapi(route, async (c) => {
    const { schedule_id } = c.req.valid("param");
    return c.json(await retrieveSchedule(c.var.deps, c.var.projectId, schedule_id), 200);
  });
}
