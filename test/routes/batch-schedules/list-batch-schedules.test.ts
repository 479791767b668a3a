import { describe, expect, it } from "vitest";
import { BatchScheduleListSchema } from "../../../src/schemas/batch-schedule";
import { call, type ErrorEnvelope } from "../../helpers/api";
import { describeAuthCases } from "../../helpers/auth";
import { PROJECT_B } from "../../helpers/projects";
import { createSchedule } from "../../helpers/schedules";

describe("GET /v1/batch_schedules", () => {
  it("pages newest first with after, first_id, last_id and has_more", async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      created.push((await createSchedule()).id);
    }
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const res = await call("GET", `/v1/batch_schedules?limit=2${after ? `&after=${after}` : ""}`);
      expect(res.status).toBe(200);
      const page = BatchScheduleListSchema.parse(res.body);
      expect(page.data.length).toBeLessThanOrEqual(2);
      expect(page.first_id).toBe(page.data[0]?.id ?? null);
      expect(page.last_id).toBe(page.data.at(-1)?.id ?? null);
      seen.push(...page.data.map((schedule) => schedule.id));
      if (!page.has_more) {
        break;
      }
      after = page.last_id ?? undefined;
    }
    expect(seen.filter((id) => created.includes(id))).toEqual([...created].reverse());
  });

  it("never lists another project's schedules", async () => {
    const theirs = await createSchedule({}, PROJECT_B.key);
    const res = await call<{ data: Array<{ id: string }> }>("GET", "/v1/batch_schedules?limit=100");
    expect(res.status).toBe(200);
    expect(res.body.data.map((schedule) => schedule.id)).not.toContain(theirs.id);
    const own = await call<{ data: Array<{ id: string }> }>("GET", "/v1/batch_schedules", {
      key: PROJECT_B.key,
    });
    expect(own.body.data.map((schedule) => schedule.id)).toContain(theirs.id);
  });

  it.each(["limit=0", "limit=101", "limit=abc"])("answers 400 for %s", async (query) => {
    const res = await call("GET", `/v1/batch_schedules?${query}`);
    expect(res.status).toBe(400);
    expect((res.body as ErrorEnvelope).error.param).toBe("limit");
  });

  describeAuthCases((key) => call("GET", "/v1/batch_schedules", { key }));
});
