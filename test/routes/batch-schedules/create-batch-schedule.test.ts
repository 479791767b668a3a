import { describe, expect, it } from "vitest";
import { BatchScheduleSchema } from "../../../src/schemas/batch-schedule";
import { call, type ErrorEnvelope } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { PROJECT_B } from "../../helpers/projects";
import { inputFile, nowSeconds, TEMPLATE, YEARLY } from "../../helpers/schedules";

function post(json: unknown, key?: string | null) {
  return call("POST", "/v1/batch_schedules", { json, key });
}

describe("POST /v1/batch_schedules", () => {
  it("creates an active schedule whose next run is the cron's next time", async () => {
    const fileId = await inputFile();
    const before = nowSeconds();
    const res = await post({
      cron: "*/5 * * * *",
      input_file_id: fileId,
      batch: { ...TEMPLATE, metadata: { job: "nightly" }, model: "@cf/meta/llama-3.1-8b-instruct-fast" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    const schedule = BatchScheduleSchema.parse(res.body);
    expect(schedule).toMatchObject({
      object: "batch_schedule",
      status: "active",
      cron: "*/5 * * * *",
      timezone: "UTC",
      input_file_id: fileId,
      input_url: null,
      batch: { ...TEMPLATE, metadata: { job: "nightly" }, model: "@cf/meta/llama-3.1-8b-instruct-fast" },
      last_run_at: null,
      last_batch_id: null,
      last_error: null,
    });
    expect(schedule.id).toMatch(/^bsched_/);
    const next = schedule.next_run_at ?? 0;
    expect(next % 300).toBe(0);
    expect(next).toBeGreaterThan(before);
    expect(next).toBeLessThanOrEqual(before + 300);
  });

  it("reads the cron in the given time zone", async () => {
    const res = await post({
      cron: "30 9 * * *",
      timezone: "Asia/Kolkata",
      input_file_id: await inputFile(),
      batch: TEMPLATE,
    });
    expect(res.status).toBe(200);
    const schedule = BatchScheduleSchema.parse(res.body);
    expect(schedule.timezone).toBe("Asia/Kolkata");
    const next = new Date((schedule.next_run_at ?? 0) * 1000);
    // 09:30 in India (UTC+05:30, no DST) is 04:00 UTC
    expect([next.getUTCHours(), next.getUTCMinutes()]).toEqual([4, 0]);
  });

  it("accepts an https input_url, an explicit first run and a paused start", async () => {
    const url = await post({
      cron: YEARLY,
      input_url: "https://exports.example.com/nightly.jsonl?token=abc",
      next_run_at: 1_000,
      batch: { ...TEMPLATE, webhook_url: "https://hooks.example.com/batches" },
    });
    expect(url.status).toBe(200);
    expect(url.body).toMatchObject({
      input_file_id: null,
      input_url: "https://exports.example.com/nightly.jsonl?token=abc",
      next_run_at: 1_000,
      batch: { webhook_url: "https://hooks.example.com/batches" },
    });
    const paused = await post({
      cron: YEARLY,
      status: "paused",
      input_file_id: await inputFile(),
      batch: TEMPLATE,
    });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ status: "paused", next_run_at: null });
  });

  it("allows loopback http URLs on the local stack", async () => {
    const res = await post({ cron: YEARLY, input_url: "http://127.0.0.1:9999/in.jsonl", batch: TEMPLATE });
    expect(res.status).toBe(200);
  });

  const invalid: Array<[string, Record<string, unknown>, string | null, string | null]> = [
    ["a malformed cron", { cron: "every day" }, "cron", "invalid_value"],
    ["a six-field cron", { cron: "0 0 2 * * *" }, "cron", "invalid_value"],
    ["an out-of-range minute", { cron: "61 * * * *" }, "cron", "invalid_value"],
    ["a cron that never matches", { cron: "0 0 30 2 *" }, "cron", "invalid_value"],
    ["an unknown time zone", { timezone: "Mars/Olympus" }, "timezone", "invalid_value"],
    ["a missing cron", { cron: undefined }, "cron", "missing_required_parameter"],
    ["no input", { input_file_id: undefined }, "input_file_id", "missing_required_parameter"],
    ["an unknown file", { input_file_id: "file-DOESNOTEXIST" }, "input_file_id", null],
    [
      "an http URL",
      { input_file_id: undefined, input_url: "http://exports.example.com/a.jsonl" },
      "input_url",
      "invalid_value",
    ],
    [
      "an ftp URL",
      { input_file_id: undefined, input_url: "ftp://exports.example.com/a.jsonl" },
      "input_url",
      "invalid_value",
    ],
    [
      "a relative URL",
      { input_file_id: undefined, input_url: "/exports/a.jsonl" },
      "input_url",
      "invalid_value",
    ],
    ["both inputs", { input_url: "https://exports.example.com/a.jsonl" }, "input_url", "invalid_value"],
    ["a missing template", { batch: undefined }, "batch", "missing_required_parameter"],
    [
      "an unknown endpoint",
      { batch: { ...TEMPLATE, endpoint: "/v1/images" } },
      "batch.endpoint",
      "invalid_value",
    ],
    [
      "an 8-day window",
      { batch: { ...TEMPLATE, completion_window: "8d" } },
      "batch.completion_window",
      "invalid_value",
    ],
    [
      "the reserved metadata key",
      { batch: { ...TEMPLATE, metadata: { batch_schedule_id: "x" } } },
      "batch.metadata",
      "invalid_value",
    ],
    [
      "16 metadata pairs",
      {
        batch: {
          ...TEMPLATE,
          metadata: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, "v"])),
        },
      },
      "batch.metadata",
      "invalid_value",
    ],
    [
      "an http webhook_url",
      { batch: { ...TEMPLATE, webhook_url: "http://hooks.example.com/x" } },
      "batch.webhook_url",
      "invalid_value",
    ],
    [
      "an unknown template field",
      { batch: { ...TEMPLATE, input_file_id: "file-x" } },
      "batch",
      "unknown_parameter",
    ],
    ["an unknown field", { every: "day" }, null, "unknown_parameter"],
    ["a negative next_run_at", { next_run_at: -1 }, "next_run_at", "invalid_value"],
    [
      "next_run_at on a paused schedule",
      { status: "paused", next_run_at: 1 },
      "next_run_at",
      "invalid_value",
    ],
    ["an unknown status", { status: "stopped" }, "status", "invalid_value"],
  ];
  it.each(invalid)("answers 400 for %s", async (_label, patch, param, code) => {
    const res = await post({ cron: YEARLY, input_file_id: await inputFile(), batch: TEMPLATE, ...patch });
    expect(res.status).toBe(400);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    expect((res.body as ErrorEnvelope).error).toMatchObject({ type: "invalid_request_error", param, code });
  });

  it("answers 400 for another project's file and for a file that is not a batch input", async () => {
    const theirs = await inputFile(1, PROJECT_B.key);
    const other = await call("POST", "/v1/batch_schedules", {
      json: { cron: YEARLY, input_file_id: theirs, batch: TEMPLATE },
    });
    expect(other.status).toBe(400);
    expect((other.body as ErrorEnvelope).error.param).toBe("input_file_id");

    const form = new FormData();
    form.append("purpose", "user_data");
    form.append("file", new File(["notes"], "notes.txt"));
    const upload = await call<{ id: string }>("POST", "/v1/files", { body: form });
    expect(upload.status).toBe(200);
    const wrongPurpose = await post({ cron: YEARLY, input_file_id: upload.body.id, batch: TEMPLATE });
    expect(wrongPurpose.status).toBe(400);
    expect((wrongPurpose.body as ErrorEnvelope).error).toMatchObject({
      param: "input_file_id",
      code: "invalid_value",
    });
  });

  it("answers 400 for a body that is not JSON", async () => {
    const res = await call("POST", "/v1/batch_schedules", {
      body: "cron=daily",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(400);
  });

  describeAuthCases((key) =>
    post({ cron: YEARLY, input_url: "https://example.com/a.jsonl", batch: TEMPLATE }, key),
  );
});
