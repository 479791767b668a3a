import { describe, expect, it } from "vitest";
import { call } from "../../helpers/api";

type Operation = { operationId: string; tags: string[]; security: unknown[] };

describe("registerBatchScheduleRoutes", () => {
  it("documents the six schedule operations in the OpenAPI document", async () => {
    const res = await call<{
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: object };
    }>("GET", "/openapi.json", { key: null });
    expect(res.status).toBe(200);
    const operations = Object.entries(res.body.paths)
      .filter(([path]) => path.startsWith("/v1/batch_schedules"))
      .flatMap(([path, verbs]) =>
        Object.entries(verbs).map(([verb, op]) => `${verb} ${path} ${op.operationId}`),
      );
    expect(operations.sort()).toEqual([
      "delete /v1/batch_schedules/{schedule_id} deleteBatchSchedule",
      "get /v1/batch_schedules listBatchSchedules",
      "get /v1/batch_schedules/{schedule_id} retrieveBatchSchedule",
      "get /v1/batch_schedules/{schedule_id}/batches listBatchScheduleBatches",
      "post /v1/batch_schedules createBatchSchedule",
      "post /v1/batch_schedules/{schedule_id} updateBatchSchedule",
    ]);
    for (const [path, verbs] of Object.entries(res.body.paths)) {
      for (const op of path.startsWith("/v1/batch_schedules") ? Object.values(verbs) : []) {
        expect(op.security).toEqual([{ bearerAuth: [] }]);
        expect(op.tags).toEqual(["batch_schedules"]);
      }
    }
    expect(Object.keys(res.body.components.schemas)).toEqual(
      expect.arrayContaining([
        "BatchSchedule",
        "BatchScheduleTemplate",
        "CreateBatchScheduleRequest",
        "BatchScheduleList",
      ]),
    );
  });
});
