import { describe, expect, it } from "vitest";
import { type BatchSchedule, BatchScheduleSchema } from "../../../src/schemas/batch-schedule";
import { call, type ErrorEnvelope } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { PROJECT_B } from "../../helpers/projects";
import { createSchedule, inputFile, nowSeconds, TEMPLATE, YEARLY } from "../../helpers/schedules";

async function update(id: string, json: unknown, key?: string | null) {
  return call<BatchSchedule>("POST", `/v1/batch_schedules/${id}`, { json, key });
}

describe("POST /v1/batch_schedules/{schedule_id}", () => {
  it("pauses (no next run) and resumes (next run from the cron)", async () => {
    const schedule = await createSchedule({ cron: "*/10 * * * *" });
    const paused = await update(schedule.id, { status: "paused" });
    expect(paused.status).toBe(200);
    expect(BatchScheduleSchema.parse(paused.body)).toMatchObject({ status: "paused", next_run_at: null });
    expect(paused.body.updated_at).toBeGreaterThanOrEqual(schedule.updated_at);

    const before = nowSeconds();
    const resumed = await update(schedule.id, { status: "active" });
    expect(resumed.status).toBe(200);
    const next = resumed.body.next_run_at ?? 0;
    expect(resumed.body.status).toBe("active");
    expect(next % 600).toBe(0);
    expect(next).toBeGreaterThan(before);
    expect(next).toBeLessThanOrEqual(before + 600);
  });

  it("changes the cron and time zone, and recomputes the next run", async () => {
    const schedule = await createSchedule();
    const res = await update(schedule.id, { cron: "0 12 * * *", timezone: "America/New_York" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ cron: "0 12 * * *", timezone: "America/New_York" });
    const next = new Date((res.body.next_run_at ?? 0) * 1000);
    // noon in New York is 16:00 or 17:00 UTC, depending on DST
    expect([16, 17]).toContain(next.getUTCHours());
    expect(next.getUTCMinutes()).toBe(0);
  });

  it("keeps next_run_at when only the template changes, and sets it when asked", async () => {
    const schedule = await createSchedule({ next_run_at: 12_345 });
    const res = await update(schedule.id, { batch: { ...TEMPLATE, metadata: { team: "search" } } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ next_run_at: 12_345, batch: { metadata: { team: "search" } } });
    const moved = await update(schedule.id, { next_run_at: 99_999 });
    expect(moved.body.next_run_at).toBe(99_999);
  });

  it("switches the input between a file and a URL", async () => {
    const schedule = await createSchedule();
    const toUrl = await update(schedule.id, { input_url: "https://exports.example.com/a.jsonl" });
    expect(toUrl.status).toBe(200);
    expect(toUrl.body).toMatchObject({
      input_file_id: null,
      input_url: "https://exports.example.com/a.jsonl",
    });
    const fileId = await inputFile();
    const toFile = await update(schedule.id, { input_file_id: fileId });
    expect(toFile.body).toMatchObject({ input_file_id: fileId, input_url: null });
  });

  it("leaves the schedule unchanged on an empty body", async () => {
    const schedule = await createSchedule();
    const res = await update(schedule.id, {});
    expect(res.status).toBe(200);
    expect({ ...res.body, updated_at: 0 }).toEqual({ ...schedule, updated_at: 0 });
  });

  const invalid: Array<[string, Record<string, unknown>, string | null, string]> = [
    ["a malformed cron", { cron: "* * *" }, "cron", "invalid_value"],
    ["an unknown time zone", { timezone: "Nowhere/Land" }, "timezone", "invalid_value"],
    ["an unknown file", { input_file_id: "file-DOESNOTEXIST" }, "input_file_id", "invalid_request_error"],
    ["an http URL", { input_url: "http://exports.example.com/a.jsonl" }, "input_url", "invalid_value"],
    [
      "both inputs",
      { input_file_id: "file-x", input_url: "https://a.example/x" },
      "input_url",
      "invalid_value",
    ],
    [
      "a bad template",
      { batch: { ...TEMPLATE, completion_window: "1s" } },
      "batch.completion_window",
      "invalid_value",
    ],
    ["next_run_at while pausing", { status: "paused", next_run_at: 5 }, "next_run_at", "invalid_value"],
    ["an unknown field", { paused: true }, null, "unknown_parameter"],
  ];
  it.each(invalid)("answers 400 for %s and changes nothing", async (_label, body, param, code) => {
    const schedule = await createSchedule();
    const res = await update(schedule.id, body);
    expect(res.status).toBe(400);
    const error = (res.body as unknown as ErrorEnvelope).error;
    expect(error.param).toBe(param);
    expect(code === "invalid_request_error" ? error.type : error.code).toBe(code);
    expect((await call("GET", `/v1/batch_schedules/${schedule.id}`)).body).toEqual(schedule);
  });

  it("answers 404 for another project's schedule and an unknown id", async () => {
    const theirs = await createSchedule({}, PROJECT_B.key);
    expect((await update(theirs.id, { status: "paused" })).status).toBe(404);
    expect((await call("GET", `/v1/batch_schedules/${theirs.id}`, { key: PROJECT_B.key })).body).toEqual(
      theirs,
    );
    expect((await update("bsched_01J0000000000000000000000", { cron: YEARLY })).status).toBe(404);
  });

  describeAuthCases((key) => update("bsched_01J0000000000000000000000", { status: "paused" }, key));
});
