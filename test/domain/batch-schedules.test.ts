import { describe, expect, it } from "vitest";
import { checkCron, nextRunAfter } from "../../src/domain/batch-schedules";

const at = (iso: string): number => Date.parse(iso);
const iso = (seconds: number | null): string | null =>
  seconds === null ? null : new Date(seconds * 1000).toISOString();

describe("nextRunAfter", () => {
  it.each([
    ["*/15 * * * *", "UTC", "2026-03-10T10:07:30Z", "2026-03-10T10:15:00.000Z"],
    ["*/15 * * * *", "UTC", "2026-03-10T10:15:00Z", "2026-03-10T10:30:00.000Z"],
    ["0 2 * * *", "UTC", "2026-03-10T02:00:00Z", "2026-03-11T02:00:00.000Z"],
    ["0 9 * * 1-5", "UTC", "2026-03-13T12:00:00Z", "2026-03-16T09:00:00.000Z"],
    ["@daily", "UTC", "2026-03-10T10:00:00Z", "2026-03-11T00:00:00.000Z"],
    ["0 2 * * *", "America/New_York", "2026-01-10T00:00:00Z", "2026-01-10T07:00:00.000Z"],
    ["0 2 * * *", "America/New_York", "2026-07-10T00:00:00Z", "2026-07-10T06:00:00.000Z"],
    // 02:30 does not exist in Berlin on 29 March 2026 (clocks jump 02:00 -> 03:00): the run moves to 03:00 CEST
    ["30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z", "2026-03-29T01:00:00.000Z"],
  ])("%s in %s after %s is %s", (cron, timezone, after, expected) => {
    expect(iso(nextRunAfter({ cron, timezone }, at(after)))).toBe(expected);
  });
});

describe("checkCron", () => {
  it("accepts five-field expressions and nicknames in any IANA zone", () => {
    for (const cron of ["* * * * *", "0 0 1 1 *", "5,35 */2 * * MON-FRI", "@hourly", "0 12 L * *"]) {
      expect(checkCron({ cron, timezone: "Asia/Tokyo" })).toBeNull();
    }
  });

  it.each([
    ["every day", "UTC", "cron"],
    ["0 0 * * * *", "UTC", "cron"],
    ["60 * * * *", "UTC", "cron"],
    ["* * * 13 *", "UTC", "cron"],
    ["0 0 31 2 *", "UTC", "cron"],
    ["* * * * *", "Mars/Olympus_Mons", "timezone"],
    ["* * * * *", "", "timezone"],
  ])("rejects %j in %j, naming %s", (cron, timezone, param) => {
    expect(checkCron({ cron, timezone })).toMatchObject({
      param,
      message: expect.stringContaining("Invalid"),
    });
  });
});
