import { describe, expect, it } from "vitest";
import { BatchSchema } from "../../src/schemas/batch";
import { call } from "../helpers/api";
import { fileLines, waitForBatch } from "../helpers/batches";
import {
  createSchedule,
  getSchedule,
  nowSeconds,
  scheduleBatches,
  TEMPLATE,
  triggerCron,
} from "../helpers/schedules";

// The Worker's `scheduled` handler, run as the every-minute trigger runs it.
describe("scheduled(): batch schedules", { timeout: 40_000 }, () => {
  it("starts one batch for a schedule due now, which completes", async () => {
    const schedule = await createSchedule({ batch: { ...TEMPLATE, metadata: { job: "nightly" } } });
    await triggerCron();

    const batches = await scheduleBatches(schedule.id);
    expect(batches).toHaveLength(1);
    const [first] = batches;
    expect(first).toMatchObject({
      input_file_id: schedule.input_file_id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      metadata: { job: "nightly", batch_schedule_id: schedule.id },
    });
    const done = BatchSchema.parse(await waitForBatch(first?.id ?? ""));
    expect(done).toMatchObject({
      status: "completed",
      request_counts: { total: 2, completed: 2, failed: 0 },
    });
    expect((await fileLines(done.output_file_id)).map((line) => line.custom_id)).toEqual(["r0", "r1"]);

    const after = await getSchedule(schedule.id);
    expect(after).toMatchObject({ last_batch_id: done.id, last_error: null, status: "active" });
    expect(after.last_run_at).toBeGreaterThanOrEqual(schedule.created_at);
    // yearly: the next run is next year's, not another one now
    expect(after.next_run_at).toBeGreaterThan(nowSeconds() + 86400);
    await triggerCron();
    expect(await scheduleBatches(schedule.id)).toHaveLength(1);
  });

  it("starts nothing for a paused schedule, even one that was due", async () => {
    const pausedAtCreate = await createSchedule({ status: "paused", next_run_at: undefined });
    const due = await createSchedule({ next_run_at: nowSeconds() - 60 });
    const pause = await call("POST", `/v1/batch_schedules/${due.id}`, { json: { status: "paused" } });
    expect(pause.status).toBe(200);
    await triggerCron();
    expect(await scheduleBatches(pausedAtCreate.id)).toEqual([]);
    expect(await scheduleBatches(due.id)).toEqual([]);
    expect(await getSchedule(due.id)).toMatchObject({ last_run_at: null, next_run_at: null });
  });

  it("starts a run missed during downtime once, then follows the cron from now", async () => {
    const threeDaysAgo = nowSeconds() - 3 * 86400;
    const schedule = await createSchedule({ cron: "* * * * *", next_run_at: threeDaysAgo });
    await triggerCron();
    expect(await scheduleBatches(schedule.id)).toHaveLength(1);
    const after = await getSchedule(schedule.id);
    const now = nowSeconds();
    expect(after.next_run_at).toBeGreaterThan(now - 1);
    expect(after.next_run_at).toBeLessThanOrEqual(now + 60);
    expect((after.next_run_at ?? 0) % 60).toBe(0);
  });

  it("starts one batch when two invocations run at once", async () => {
    const schedules = await Promise.all([createSchedule(), createSchedule(), createSchedule()]);
    await Promise.all([triggerCron(), triggerCron(), triggerCron()]);
    for (const schedule of schedules) {
      const batches = await scheduleBatches(schedule.id);
      expect(batches).toHaveLength(1);
      expect((await getSchedule(schedule.id)).last_batch_id).toBe(batches[0]?.id);
    }
  });

  it("starts a second run when next_run_at is set to the first run's time again", async () => {
    const schedule = await createSchedule({ next_run_at: 1_000 });
    await triggerCron();
    const again = await call("POST", `/v1/batch_schedules/${schedule.id}`, { json: { next_run_at: 1_000 } });
    expect(again.status).toBe(200);
    await triggerCron();
    const batches = await scheduleBatches(schedule.id);
    expect(batches).toHaveLength(2);
    expect(new Set(batches.map((batch) => batch.id)).size).toBe(2);
  });

  it("records why a run could not start and tries again at the next run", async () => {
    const schedule = await createSchedule();
    const deleted = await call("DELETE", `/v1/files/${schedule.input_file_id}`);
    expect(deleted.status).toBe(200);
    await triggerCron();
    expect(await scheduleBatches(schedule.id)).toEqual([]);
    const failed = await getSchedule(schedule.id);
    expect(failed.last_error).toMatchObject({
      message: expect.stringContaining(schedule.input_file_id ?? ""),
    });
    expect(failed.last_run_at).not.toBeNull();
    expect(failed.last_batch_id).toBeNull();
    expect(failed.next_run_at).toBeGreaterThan(nowSeconds());
  });
});
