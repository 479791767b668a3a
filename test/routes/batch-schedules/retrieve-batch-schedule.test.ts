import { describe, expect, it } from "vitest";
import { BatchScheduleSchema } from "../../../src/schemas/batch-schedule";
import { call, type ErrorEnvelope } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { PROJECT_B } from "../../helpers/projects";
import { createSchedule } from "../../helpers/schedules";

describe("GET /v1/batch_schedules/{schedule_id}", () => {
  it("returns the schedule as it was created", async () => {
    const created = await createSchedule({ timezone: "Europe/Berlin" });
    const res = await call("GET", `/v1/batch_schedules/${created.id}`);
    expect(res.status).toBe(200);
    expect(BatchScheduleSchema.parse(res.body)).toEqual(created);
  });

  it.each([
    ["an unknown id", "bsched_01J0000000000000000000000"],
    ["an id of another kind", "batch_01J0000000000000000000000"],
  ])("answers 404 for %s", async (_label, id) => {
    const res = await call("GET", `/v1/batch_schedules/${id}`);
    expect(res.status).toBe(404);
    expect((res.body as ErrorEnvelope).error).toMatchObject({ code: null, param: "schedule_id" });
  });

  it("answers 404 for another project's schedule", async () => {
    const theirs = await createSchedule({}, PROJECT_B.key);
    const res = await call("GET", `/v1/batch_schedules/${theirs.id}`);
    expect(res.status).toBe(404);
    expect((res.body as ErrorEnvelope).error.message).toContain(theirs.id);
  });

  describeAuthCases((key) => call("GET", "/v1/batch_schedules/bsched_01J0000000000000000000000", { key }));
});
