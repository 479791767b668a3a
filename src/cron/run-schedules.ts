import type { Deps } from "../app/deps";
import { nextRunAfter, SCHEDULE_METADATA_KEY } from "../domain/batch-schedules";
import { type FileId, newId } from "../domain/ids";
import { nowSeconds } from "../domain/time";
import { ApiError } from "../errors/api-error";
import type { CreateBatchBody } from "../schemas/batch";
import type { ScheduleRunError } from "../schemas/batch-schedule";
import { createBatch } from "../services/batches";
import { InputUrlError, importFileFromUrl } from "../services/input-url";
import type { ClaimedRun, ScheduleRecord } from "../storage/d1/schedules-store";

/**
 * Starts the runs of due batch schedules. A run is claimed in D1 before anything else (so two
 * invocations never start it twice), and the batch it creates carries an Idempotency-Key made of
 * the schedule id, the run's number and its due time: a claim whose invocation died is taken over
 * later and finishes the same run, creating the same batch at most once.
 */

type Run = Pick<ClaimedRun, "number" | "dueAt" | "pendingFileId">;
type RunOptions = { fetch: typeof fetch; now: number; limits: ScheduleRunLimits };

export type ScheduleRunLimits = {
  /** Runs started per invocation; the rest wait for the next minute. */
  maxRuns: number;
  /** Each URL download's time limit. */
  urlTimeoutMs: number;
};

const DEFAULT_SCHEDULE_RUN_LIMITS: ScheduleRunLimits = { maxRuns: 20, urlTimeoutMs: 120_000 };

/** A cron invocation lives at most 15 minutes (wall clock): an older claim belongs to a dead one. */
const ABANDONED_CLAIM_SECONDS = 15 * 60;

export type ScheduleRunReport = { started: number; failed: number };

// the run number keeps two runs apart even when a user sets next_run_at to the same time twice
function runIdempotencyKey(scheduleId: string, run: Run): string {
  return `${scheduleId}:run:${run.number}:${run.dueAt}`;
}

function batchBody(schedule: ScheduleRecord, inputFileId: string): CreateBatchBody {
  const { template } = schedule;
  // a fixed key order: the idempotency check hashes the body, and a retried run must match it
  return {
    input_file_id: inputFileId,
    endpoint: template.endpoint,
    completion_window: template.completion_window,
    metadata: { ...(template.metadata ?? {}), [SCHEDULE_METADATA_KEY]: schedule.id },
    ...(template.model !== undefined ? { model: template.model } : {}),
    ...(template.output_expires_after !== undefined
      ? { output_expires_after: template.output_expires_after }
      : {}),
    ...(template.webhook_url ? { webhook_url: template.webhook_url } : {}),
  };
}

async function runInput(
  deps: Deps,
  schedule: ScheduleRecord,
  run: Run,
  options: RunOptions,
): Promise<string> {
  if (schedule.input.kind === "file") {
    return schedule.input.fileId;
  }
  const pending = run.pendingFileId;
  if (pending !== null && (await deps.files.get(schedule.projectId, pending))) {
    return pending;
  }
  // the file id is recorded before the download, so a retried run imports into the same file and
  // its batch body (hence its idempotency hash) stays the same
  const fileId = (pending ?? newId("file")) as FileId;
  if (pending === null && !(await deps.schedules.setPendingFile(schedule.id, run.number, fileId))) {
    throw new Error(`schedule ${schedule.id} lost its claim on run ${run.number}`);
  }
  const file = await importFileFromUrl(deps, {
    projectId: schedule.projectId,
    fileId,
    url: schedule.input.url,
    fetch: options.fetch,
    timeoutMs: options.limits.urlTimeoutMs,
    now: options.now,
  });
  return file.id;
}

function toRunError(err: unknown): ScheduleRunError {
  if (err instanceof InputUrlError) {
    return { code: err.code, message: err.message };
  }
  if (err instanceof ApiError && err.status < 500) {
    return { code: err.code ?? "batch_create_failed", message: err.message };
  }
  return { code: "internal_error", message: "The run could not start because of an internal error." };
}

/** Starts one claimed run; records its batch or its error on the schedule. Never throws for a run error. */
async function startRun(
  deps: Deps,
  schedule: ScheduleRecord,
  run: Run,
  options: RunOptions,
): Promise<boolean> {
  const at = nowSeconds(options.now);
  const { dueAt } = run;
  try {
    const inputFileId = await runInput(deps, schedule, run, options);
    const batch = await createBatch(
      deps,
      schedule.projectId,
      batchBody(schedule, inputFileId),
      runIdempotencyKey(schedule.id, run),
    );
    // the schedule's batch list reads this link, never the metadata a client could forge; a run
    // taken over after a crash gets the same batch back from its idempotency key and links it again
    await deps.batches.linkSchedule(schedule.projectId, batch.id, schedule.id);
    await deps.schedules.finishRun(schedule.id, run.number, { batchId: batch.id }, at);
    console.info(
      JSON.stringify({
        msg: "schedule run started a batch",
        scheduleId: schedule.id,
        dueAt,
        batchId: batch.id,
      }),
    );
    return true;
  } catch (err) {
    const error = toRunError(err);
    // the URL is never logged: it may carry a token
    console.warn(
      JSON.stringify({
        msg: "schedule run could not start",
        scheduleId: schedule.id,
        dueAt,
        code: error.code,
        err: String(err),
      }),
    );
    // if this write fails too, the claim stays and is taken over once it counts as abandoned
    await deps.schedules.finishRun(schedule.id, run.number, { error }, at).catch((writeErr: unknown) => {
      console.error(
        JSON.stringify({
          msg: "could not record a schedule run",
          scheduleId: schedule.id,
          err: String(writeErr),
        }),
      );
    });
    return false;
  }
}

/** The next run after `now`; null (the schedule stops) if its stored cron no longer parses. */
function safeNextRun(schedule: ScheduleRecord, now: number): number | null {
  try {
    return nextRunAfter(schedule, now);
  } catch (err) {
    console.error(
      JSON.stringify({ msg: "schedule cron no longer parses", scheduleId: schedule.id, err: String(err) }),
    );
    return null;
  }
}

export async function runDueSchedules(
  deps: Deps,
  options: { now: number; fetch: typeof fetch; limits?: ScheduleRunLimits },
): Promise<ScheduleRunReport> {
  const limits = options.limits ?? DEFAULT_SCHEDULE_RUN_LIMITS;
  const runOptions: RunOptions = { fetch: options.fetch, now: options.now, limits };
  const now = nowSeconds(options.now);
  const report: ScheduleRunReport = { started: 0, failed: 0 };
  const count = (ok: boolean): void => {
    report[ok ? "started" : "failed"]++;
  };

  // runs a dead invocation claimed come first: they are older than anything due now
  const abandoned = await deps.schedules.listAbandoned(now - ABANDONED_CLAIM_SECONDS, limits.maxRuns);
  for (const schedule of abandoned) {
    const run = schedule.run;
    if (run && (await deps.schedules.reclaimRun(schedule.id, run.claimedAt, now))) {
      console.warn(
        JSON.stringify({
          msg: "taking over an abandoned schedule run",
          scheduleId: schedule.id,
          dueAt: run.dueAt,
        }),
      );
      count(await startRun(deps, schedule, run, runOptions));
    }
  }

  const due = await deps.schedules.listDue(now, limits.maxRuns - abandoned.length);
  for (const schedule of due) {
    const dueAt = schedule.nextRunAt;
    if (dueAt === null) {
      continue;
    }
    // the next run counts from now, not from the missed time: downtime costs one run, not a burst
    const next = safeNextRun(schedule, options.now);
    const number = await deps.schedules.claimRun(schedule.id, dueAt, next, now);
    if (number !== null) {
      count(await startRun(deps, schedule, { number, dueAt, pendingFileId: null }, runOptions));
    }
  }
  return report;
}
