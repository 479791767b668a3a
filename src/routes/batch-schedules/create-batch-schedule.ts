import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { BatchScheduleSchema, CreateBatchScheduleBodySchema } from "../../schemas/batch-schedule";
import { createSchedule } from "../../services/batch-schedules";

const route = createRoute({
  method: "post",
  path: "/v1/batch_schedules",
  operationId: "createBatchSchedule",
  tags: ["batch_schedules"],
  summary: "Create a recurring batch",
  description:
    "Extension. At each time the cron expression matches, the Worker's cron trigger creates one ordinary batch from `batch`, with `metadata.batch_schedule_id` set to the schedule's id. Its input is `input_file_id` (reused by every run) or `input_url` (fetched into a new file at each run). A run missed while the service was down starts once, not once per missed time.",
  security: [{ bearerAuth: [] }],
  request: {
    body: { required: true, content: { "application/json": { schema: CreateBatchScheduleBodySchema } } },
  },
  responses: {
    200: {
      description: "The new schedule.",
      content: { "application/json": { schema: BatchScheduleSchema } },
    },
    ...errorResponses(400, 401),
  },
});

export function registerCreateBatchSchedule(app: App): void {
  app.openapi(route, async (c) => {
    return c.json(await createSchedule(c.var.deps, c.var.projectId, c.req.valid("json")), 200);
  });
}
