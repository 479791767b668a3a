import type { Deps } from "../app/deps";
import { type RetentionLimits, runRetention } from "./retention";
import { runDueSchedules, type ScheduleRunLimits } from "./run-schedules";
import { runWatchdog } from "./watchdog";

/**
 * The Worker's cron trigger (every minute): starts due batch schedules, re-drives stalled batches,
 * and sweeps expired storage. The three jobs run side by side and are isolated: one that throws is
 * logged and the others still finish. The handler itself never throws.
 */

export type CronOptions = {
  /** Defaults to the wall clock; `controller.scheduledTime` is only the trigger's nominal minute. */
  now?: number;
  fetch?: typeof fetch;
  scheduleLimits?: ScheduleRunLimits;
  retentionLimits?: RetentionLimits;
};

const JOBS = ["schedules", "watchdog", "retention"] as const;

export async function runCron(deps: Deps, options: CronOptions = {}): Promise<Record<string, unknown>> {
  const now = options.now ?? Date.now();
  const results = await Promise.allSettled([
    // a wrapper: the runtime's fetch throws "Illegal invocation" when called as another object's method
    runDueSchedules(deps, {
      now,
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      limits: options.scheduleLimits,
    }),
    runWatchdog(deps, { now }),
    runRetention(deps, { now, limits: options.retentionLimits }),
  ]);
  const report: Record<string, unknown> = {};
  results.forEach((result, i) => {
    const job = JOBS[i] ?? "unknown";
    if (result.status === "fulfilled") {
      report[job] = result.value;
    } else {
      report[job] = "failed";
      console.error(JSON.stringify({ msg: "cron job failed", job, err: String(result.reason) }));
    }
  });
  return report;
}

/** `scheduled` of the Worker's default export. */
export async function handleScheduled(controller: ScheduledController, deps: Deps): Promise<void> {
  const report = await runCron(deps);
  console.info(
    JSON.stringify({
      msg: "cron ran",
      cron: controller.cron,
      scheduledTime: controller.scheduledTime,
      ...report,
    }),
  );
}
