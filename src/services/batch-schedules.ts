import type { Deps } from "../app/deps";
import {
  type CronSpec,
  checkCron,
  DEFAULT_TIMEZONE,
  MAX_TEMPLATE_METADATA_PAIRS,
  nextRunAfter,
  SCHEDULE_METADATA_KEY,
} from "../domain/batch-schedules";
import { parseCompletionWindow } from "../domain/completion-window";
import { isId, newId, type ProjectId } from "../domain/ids";
import { nowSeconds } from "../domain/time";
import { ApiError, invalidValue } from "../errors/api-error";
import type { Batch } from "../schemas/batch";
import type {
  BatchSchedule,
  BatchTemplate,
  CreateBatchScheduleBody,
  UpdateBatchScheduleBody,
} from "../schemas/batch-schedule";
import { type ListPage, listPage, toListPage } from "../schemas/common";
import type { ScheduleInput, ScheduleRecord, ScheduleSettings } from "../storage/d1/schedules-store";
import { parseWebhookUrl } from "../webhooks/url";
import { requireBatchInputFile } from "./batches";

/** The one mapping from a stored schedule to its wire object. */
function toScheduleObject(record: ScheduleRecord): BatchSchedule {
  return {
    id: record.id,
    object: "batch_schedule",
    status: record.status,
    cron: record.cron,
    timezone: record.timezone,
    input_file_id: record.input.kind === "file" ? record.input.fileId : null,
    input_url: record.input.kind === "url" ? record.input.url : null,
    batch: record.template,
    next_run_at: record.nextRunAt,
    last_run_at: record.lastRunAt,
    last_batch_id: record.lastBatchId,
    last_error: record.lastError,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
  };
}

function notFound(id: string): ApiError {
  return new ApiError("not_found", `No batch schedule found with id '${id}'.`, { param: "schedule_id" });
}

async function mustGet(deps: Deps, projectId: ProjectId, id: string): Promise<ScheduleRecord> {
  const record = isId("schedule", id) ? await deps.schedules.get(projectId, id) : null;
  if (!record) {
    throw notFound(id);
  }
  return record;
}

/** The input named by a request body; `undefined` when it names none. */
function inputOf(body: { input_file_id?: string; input_url?: string }): ScheduleInput | undefined {
  if (body.input_file_id !== undefined && body.input_url !== undefined) {
    throw new ApiError("invalid_request", "Give either 'input_file_id' or 'input_url', not both.", {
      param: "input_url",
      code: "invalid_value",
    });
  }
  if (body.input_file_id !== undefined) {
    return { kind: "file", fileId: body.input_file_id };
  }
  return body.input_url !== undefined ? { kind: "url", url: body.input_url } : undefined;
}

function checkSpec(spec: CronSpec, now: number): CronSpec {
  const problem = checkCron(spec, now);
  if (problem) {
    throw invalidValue(problem.param, problem.message);
  }
  return spec;
}

/** Checks the input; a URL comes back normalized. */
async function checkInput(deps: Deps, projectId: ProjectId, input: ScheduleInput): Promise<ScheduleInput> {
  if (input.kind === "url") {
    // the webhooks' rule: https only, plus loopback http on the local stack
    return { kind: "url", url: parseWebhookUrl(input.url, deps.config.environment, "input_url") };
  }
  await requireBatchInputFile(deps, projectId, input.fileId);
  return input;
}

/** Checks the template; its webhook URL comes back normalized. */
function checkTemplate(deps: Deps, template: BatchTemplate): BatchTemplate {
  if (parseCompletionWindow(template.completion_window) === null) {
    throw invalidValue(
      "batch.completion_window",
      `Invalid value: '${template.completion_window}'. Supported values are: '24h' (and, as an extension, any window from '1m' to '7d').`,
    );
  }
  const keys = Object.keys(template.metadata ?? {});
  if (keys.includes(SCHEDULE_METADATA_KEY)) {
    throw invalidValue(
      "batch.metadata",
      `The metadata key '${SCHEDULE_METADATA_KEY}' is reserved: every run sets it.`,
    );
  }
  if (keys.length > MAX_TEMPLATE_METADATA_PAIRS) {
    throw invalidValue(
      "batch.metadata",
      `A schedule's batch metadata holds at most ${MAX_TEMPLATE_METADATA_PAIRS} pairs: each run adds '${SCHEDULE_METADATA_KEY}'.`,
    );
  }
  if (template.webhook_url) {
    return {
      ...template,
      webhook_url: parseWebhookUrl(template.webhook_url, deps.config.environment, "batch.webhook_url"),
    };
  }
  return template;
}

export async function createSchedule(
  deps: Deps,
  projectId: ProjectId,
  body: CreateBatchScheduleBody,
  now: number = Date.now(),
): Promise<BatchSchedule> {
  const spec = checkSpec({ cron: body.cron, timezone: body.timezone ?? DEFAULT_TIMEZONE }, now);
  const input = inputOf(body);
  if (!input) {
    throw new ApiError("invalid_request", "Missing required parameter: 'input_file_id' (or 'input_url').", {
      param: "input_file_id",
      code: "missing_required_parameter",
    });
  }
  const template = checkTemplate(deps, body.batch);
  const checkedInput = await checkInput(deps, projectId, input);
  const status = body.status ?? "active";
  if (status === "paused" && body.next_run_at !== undefined) {
    throw invalidValue("next_run_at", "A paused schedule has no next run: leave out 'next_run_at'.");
  }
  const createdAt = nowSeconds(now);
  const record: ScheduleRecord = {
    id: newId("schedule", now),
    projectId,
    status,
    ...spec,
    input: checkedInput,
    template,
    nextRunAt: status === "active" ? (body.next_run_at ?? nextRunAfter(spec, now)) : null,
    lastRunAt: null,
    lastBatchId: null,
    lastError: null,
    run: null,
    createdAt,
    updatedAt: createdAt,
  };
  await deps.schedules.insert(record);
  return toScheduleObject(record);
}

export async function retrieveSchedule(deps: Deps, projectId: ProjectId, id: string): Promise<BatchSchedule> {
  return toScheduleObject(await mustGet(deps, projectId, id));
}

export async function listSchedules(
  deps: Deps,
  projectId: ProjectId,
  query: { limit: number; after?: string },
): Promise<ListPage<BatchSchedule>> {
  const records = await deps.schedules.list(projectId, query);
  return toListPage(records.map(toScheduleObject), query.limit);
}

/**
 * Changes what the body names; fields it leaves out keep their values, and only changed fields are
 * checked (pausing works even if the input file has expired since). Resuming, or a new cron or time
 * zone, moves `next_run_at` to the cron's next time unless the body sets it.
 */
export async function updateSchedule(
  deps: Deps,
  projectId: ProjectId,
  id: string,
  body: UpdateBatchScheduleBody,
  now: number = Date.now(),
): Promise<BatchSchedule> {
  const current = await mustGet(deps, projectId, id);
  let spec: CronSpec = { cron: current.cron, timezone: current.timezone };
  if (body.cron !== undefined || body.timezone !== undefined) {
    spec = checkSpec({ cron: body.cron ?? current.cron, timezone: body.timezone ?? current.timezone }, now);
  }
  const clockChanged = spec.cron !== current.cron || spec.timezone !== current.timezone;
  const input = inputOf(body);
  const settings: ScheduleSettings = {
    status: body.status ?? current.status,
    ...spec,
    template: body.batch ? checkTemplate(deps, body.batch) : current.template,
    input: input ? await checkInput(deps, projectId, input) : current.input,
  };
  let nextRunAt: number | null | undefined;
  if (settings.status === "paused") {
    if (body.next_run_at !== undefined) {
      throw invalidValue("next_run_at", "A paused schedule has no next run: leave out 'next_run_at'.");
    }
    nextRunAt = null;
  } else if (body.next_run_at !== undefined) {
    nextRunAt = body.next_run_at;
  } else if (current.status === "paused" || clockChanged) {
    nextRunAt = nextRunAfter(settings, now);
  }
  const updated = await deps.schedules.update(projectId, current.id, settings, nextRunAt, nowSeconds(now));
  if (!updated) {
    throw notFound(id);
  }
  return toScheduleObject(updated);
}

export async function deleteSchedule(
  deps: Deps,
  projectId: ProjectId,
  id: string,
): Promise<{ id: string; object: "batch_schedule.deleted"; deleted: true }> {
  if (!isId("schedule", id) || !(await deps.schedules.delete(projectId, id))) {
    throw notFound(id);
  }
  return { id, object: "batch_schedule.deleted", deleted: true };
}

/** The batches the schedule's runs created, newest first. */
export async function listScheduleBatches(
  deps: Deps,
  projectId: ProjectId,
  id: string,
  query: { limit: number; after?: string },
): Promise<ListPage<Batch>> {
  const schedule = await mustGet(deps, projectId, id);
  const page = await deps.batches.listBySchedule(projectId, schedule.id, query);
  return listPage(page.batches, page.hasMore);
}
