import { Cron } from "croner";

/**
 * The vocabulary of batch schedules and their clock. A cron expression has five fields (minute
 * precision, like the Worker's own trigger) and is read in an IANA time zone; croner computes the
 * run times, DST gaps and repeats included. The D1 `CHECK`s in migrations/0005 mirror these lists.
 */

export const SCHEDULE_STATUSES = ["active", "paused"] as const;
export type ScheduleStatus = (typeof SCHEDULE_STATUSES)[number];

export const DEFAULT_TIMEZONE = "UTC";

/**
 * Every batch a schedule starts carries its id under this metadata key; the key is reserved in
 * templates and in `POST /v1/batches`. The schedule's batch list reads a server-side link instead.
 */
export const SCHEDULE_METADATA_KEY = "batch_schedule_id";

/** A batch allows 16 metadata pairs and a run adds one. */
export const MAX_TEMPLATE_METADATA_PAIRS = 15;

export type CronSpec = { cron: string; timezone: string };

export type CronProblem = { param: "cron" | "timezone"; message: string };

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

function cronOf(spec: CronSpec): Cron {
  // paused and without a callback: croner only computes times, it never arms a timer
  return new Cron(spec.cron, { mode: "5-part", timezone: spec.timezone, paused: true });
}

/** Why `spec` cannot drive a schedule, or null when it can. */
export function checkCron(spec: CronSpec, now: number = Date.now()): CronProblem | null {
  if (!isTimeZone(spec.timezone)) {
    return {
      param: "timezone",
      message: `Invalid 'timezone': '${spec.timezone}' is not an IANA time zone such as 'UTC' or 'Europe/Berlin'.`,
    };
  }
  let next: Date | null;
  try {
    next = cronOf(spec).nextRun(new Date(now));
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^CronPattern: /, "") : String(err);
    return {
      param: "cron",
      message: `Invalid 'cron': '${spec.cron}' is not a five-field cron expression (minute hour day-of-month month day-of-week): ${reason}`,
    };
  }
  if (next === null) {
    return { param: "cron", message: `Invalid 'cron': '${spec.cron}' never matches a date.` };
  }
  return null;
}

/** The first run strictly after `afterMs`, in unix seconds; null if the expression never runs again. */
export function nextRunAfter(spec: CronSpec, afterMs: number): number | null {
  const next = cronOf(spec).nextRun(new Date(afterMs));
  return next ? Math.floor(next.getTime() / 1000) : null;
}
