import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import {
  BatchScheduleSchema,
  ScheduleIdParamSchema,
  UpdateBatchScheduleBodySchema,
} from "../../schemas/batch-schedule";
import { updateSchedule } from "../../services/batch-schedules";

const route = createRoute({
  method: "post",
  path: "/v1/batch_schedules/{schedule_id}",
  operationId: "updateBatchSchedule",
  tags: ["batch_schedules"],
  summary: "Update a batch schedule: pause, resume, change its cron, input or template",
  description:
    "Fields left out keep their values. `status: paused` stops runs (`next_run_at` becomes null); resuming, or a new `cron` or `timezone`, sets `next_run_at` to the cron's next time unless the body gives one. A run already being started finishes.",
  security: [{ bearerAuth: [] }],
  request: {
    params: ScheduleIdParamSchema,
    body: { required: true, content: { "application/json": { schema: UpdateBatchScheduleBodySchema } } },
  },
  responses: {
    200: {
      description: "The updated schedule.",
      content: { "application/json": { schema: BatchScheduleSchema } },
    },
    ...errorResponses(400, 401, 404),
  },
});

export function registerUpdateBatchSchedule(app: App): void {
  app.openapi(route, async (c) => {
    const { schedule_id } = c.req.valid("param");
    return c.json(await updateSchedule(c.var.deps, c.var.projectId, schedule_id, c.req.valid("json")), 200);
  });
}
