import { describe, expect, it } from "vitest";
import { BatchListSchema } from "../../../src/schemas/batch";
import { call, type ErrorEnvelope } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { createBatch } from "../../helpers/batches";
import { PROJECT_B } from "../../helpers/projects";
import { createSchedule, inputFile, patchScheduleRow, triggerCron } from "../../helpers/schedules";

describe("GET /v1/batch_schedules/{schedule_id}/batches", () => {
  it("lists the schedule's batches newest first, and only them", async () => {
    const schedule = await createSchedule();
    const other = await createSchedule();
    const created: string[] = [];
    for (let run = 0; run < 3; run++) {
      // make the yearly schedule due again, as if a year had passed
      await patchScheduleRow(schedule.id, { next_run_at: 1_000 + run });
      await triggerCron();
      const res = await call("GET", `/v1/batch_schedules/${schedule.id}/batches`);
      created.unshift(BatchListSchema.parse(res.body).data[0]?.id ?? "");
    }
    await createBatch(await inputFile(), { metadata: { team: "x" } });

    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const res = await call(
        "GET",
        `/v1/batch_schedules/${schedule.id}/batches?limit=2${after ? `&after=${after}` : ""}`,
      );
      expect(res.status).toBe(200);
      const page = BatchListSchema.parse(res.body);
      for (const batch of page.data) {
        expect(batch.metadata?.batch_schedule_id).toBe(schedule.id);
      }
      seen.push(...page.data.map((batch) => batch.id));
      if (!page.has_more) {
        break;
      }
      after = page.last_id ?? undefined;
    }
    expect(seen).toEqual(created);
    expect(new Set(seen).size).toBe(3);
    const others = await call("GET", `/v1/batch_schedules/${other.id}/batches`);
    expect(BatchListSchema.parse(others.body).data.map((batch) => batch.metadata?.batch_schedule_id)).toEqual(
      [other.id],
    );
  });

  it("never lists a batch made by hand: its metadata cannot claim the schedule", async () => {
    const schedule = await createSchedule();
    await patchScheduleRow(schedule.id, { next_run_at: 1_000 });
    await triggerCron();
    const [run] = BatchListSchema.parse(
      (await call("GET", `/v1/batch_schedules/${schedule.id}/batches`)).body,
    ).data;
    expect(run?.metadata?.batch_schedule_id).toBe(schedule.id);

    const forged = await call<ErrorEnvelope>("POST", "/v1/batches", {
      json: {
        input_file_id: await inputFile(),
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
        metadata: { batch_schedule_id: schedule.id },
      },
    });
    expect(forged.status).toBe(400);
    expect(forged.headers.get("x-request-id")).toMatch(/^req_/);
    expect(forged.body.error).toMatchObject({ param: "metadata", code: "invalid_value" });
    expect(forged.body.error.message).toContain("'batch_schedule_id' is reserved");
    const listed = await call("GET", `/v1/batch_schedules/${schedule.id}/batches`);
    expect(BatchListSchema.parse(listed.body).data.map((batch) => batch.id)).toEqual([run?.id]);
  });

  it("answers 404 for another project's schedule and an unknown id", async () => {
    const theirs = await createSchedule({}, PROJECT_B.key);
    for (const id of [theirs.id, "bsched_01J0000000000000000000000"]) {
      const res = await call("GET", `/v1/batch_schedules/${id}/batches`);
      expect(res.status).toBe(404);
      expect((res.body as ErrorEnvelope).error.param).toBe("schedule_id");
    }
  });

  it("answers 400 for a bad limit", async () => {
    const schedule = await createSchedule({ status: "paused", next_run_at: undefined });
    const res = await call("GET", `/v1/batch_schedules/${schedule.id}/batches?limit=0`);
    expect(res.status).toBe(400);
    expect((res.body as ErrorEnvelope).error.param).toBe("limit");
  });

  describeAuthCases((key) =>
    call("GET", "/v1/batch_schedules/bsched_01J0000000000000000000000/batches", { key }),
  );
});
