import { describe, expect, it } from "vitest";
import { BatchScheduleDeletedSchema } from "../../../src/schemas/batch-schedule";
import { call, type ErrorEnvelope } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { PROJECT_B } from "../../helpers/projects";
import { createSchedule, scheduleBatches, triggerCron } from "../../helpers/schedules";

describe("DELETE /v1/batch_schedules/{schedule_id}", () => {
  it("deletes the schedule: it is gone and its due run never starts", async () => {
    const schedule = await createSchedule();
    const res = await call("DELETE", `/v1/batch_schedules/${schedule.id}`);
    expect(res.status).toBe(200);
    expect(BatchScheduleDeletedSchema.parse(res.body)).toEqual({
      id: schedule.id,
      object: "batch_schedule.deleted",
      deleted: true,
    });
    expect((await call("GET", `/v1/batch_schedules/${schedule.id}`)).status).toBe(404);
    expect((await call("DELETE", `/v1/batch_schedules/${schedule.id}`)).status).toBe(404);

    await triggerCron();
    const batches = await call<{ data: Array<{ metadata: Record<string, string> | null }> }>(
      "GET",
      "/v1/batches?limit=100",
    );
    expect(batches.body.data.filter((batch) => batch.metadata?.batch_schedule_id === schedule.id)).toEqual(
      [],
    );
  });

  it("keeps the batches its runs created", async () => {
    const schedule = await createSchedule();
    await triggerCron();
    const [batch] = await scheduleBatches(schedule.id);
    expect(batch).toBeDefined();
    expect((await call("DELETE", `/v1/batch_schedules/${schedule.id}`)).status).toBe(200);
    const kept = await call<{ metadata: Record<string, string> }>("GET", `/v1/batches/${batch?.id}`);
    expect(kept.status).toBe(200);
    expect(kept.body.metadata.batch_schedule_id).toBe(schedule.id);
  });

  it("answers 404 for another project's schedule and leaves it alone", async () => {
    const theirs = await createSchedule({}, PROJECT_B.key);
    const res = await call("DELETE", `/v1/batch_schedules/${theirs.id}`);
    expect(res.status).toBe(404);
    expect((res.body as ErrorEnvelope).error.param).toBe("schedule_id");
    expect((await call("GET", `/v1/batch_schedules/${theirs.id}`, { key: PROJECT_B.key })).status).toBe(200);
  });

  it("answers 404 for an unknown id", async () => {
    expect((await call("DELETE", "/v1/batch_schedules/bsched_01J0000000000000000000000")).status).toBe(404);
  });

  describeAuthCases((key) => call("DELETE", "/v1/batch_schedules/bsched_01J0000000000000000000000", { key }));
});
