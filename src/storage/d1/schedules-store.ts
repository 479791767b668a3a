import { z } from "zod";
import { SCHEDULE_STATUSES, type ScheduleStatus } from "../../domain/batch-schedules";
import type { ProjectId } from "../../domain/ids";
import { type BatchTemplate, BatchTemplateSchema, type ScheduleRunError } from "../../schemas/batch-schedule";
import { keysetPage } from "./keyset-page";

export type ScheduleId = `bsched_${string}`;

export type ScheduleInput = { kind: "file"; fileId: string } | { kind: "url"; url: string };

/** A run being started: its number (1 for a schedule's first run), the `next_run_at` it claimed, and its progress. */
export type ClaimedRun = { number: number; dueAt: number; claimedAt: number; pendingFileId: string | null };

export type ScheduleRecord = {
  id: ScheduleId;
  projectId: ProjectId;
  status: ScheduleStatus;
  cron: string;
  timezone: string;
  input: ScheduleInput;
  template: BatchTemplate;
  nextRunAt: number | null;
  lastRunAt: number | null;
  lastBatchId: string | null;
  lastError: ScheduleRunError | null;
  run: ClaimedRun | null;
  createdAt: number;
  updatedAt: number;
};

/** What a user sets; the rest belongs to the cron. */
export type ScheduleSettings = Pick<ScheduleRecord, "status" | "cron" | "timezone" | "input" | "template">;

export type RunOutcome = { batchId: string } | { error: ScheduleRunError };

/**
 * The D1 table of batch schedules. Every user-facing query is scoped to a project; the cron's
 * queries span projects. A run is claimed by a conditional UPDATE (`claimRun`), so concurrent cron
 * invocations start each run once; a claim left by a crashed invocation is taken over (`reclaimRun`).
 */
export interface ScheduleStore {
  insert(record: ScheduleRecord): Promise<void>;
  get(projectId: ProjectId, id: string): Promise<ScheduleRecord | null>;
  /** Newest first; fetches `limit + 1` rows so the caller can tell whether there are more. */
  list(projectId: ProjectId, options: { limit: number; after?: string }): Promise<ScheduleRecord[]>;
  /** Writes `settings`, and `nextRunAt` only when given, so a run claimed meanwhile keeps its own. */
  update(
    projectId: ProjectId,
    id: string,
    settings: ScheduleSettings,
    nextRunAt: number | null | undefined,
    now: number,
  ): Promise<ScheduleRecord | null>;
  delete(projectId: ProjectId, id: string): Promise<boolean>;
  /** Active, unclaimed schedules due by `now`, most overdue first. */
  listDue(now: number, limit: number): Promise<ScheduleRecord[]>;
  /** Schedules whose run was claimed before `claimedBefore` and never finished. */
  listAbandoned(claimedBefore: number, limit: number): Promise<ScheduleRecord[]>;
  /** The run's number when this caller claimed the run due at `dueAt` (`next_run_at` becomes `nextRunAt`), else null. */
  claimRun(id: string, dueAt: number, nextRunAt: number | null, now: number): Promise<number | null>;
  /** True when this caller took over the abandoned claim made at `claimedAt`. */
  reclaimRun(id: string, claimedAt: number, now: number): Promise<boolean>;
  /** Records the file a URL run streams into, so a retried run reuses it. */
  setPendingFile(id: string, run: number, fileId: string): Promise<boolean>;
  finishRun(id: string, run: number, outcome: RunOutcome, now: number): Promise<void>;
}

const RowSchema = z.object({
  id: z.templateLiteral(["bsched_", z.string()]),
  project_id: z.templateLiteral(["proj_", z.string()]),
  status: z.enum(SCHEDULE_STATUSES),
  cron: z.string(),
  timezone: z.string(),
  input_file_id: z.string().nullable(),
  input_url: z.string().nullable(),
  template: z.string(),
  next_run_at: z.number().int().nullable(),
  last_run_at: z.number().int().nullable(),
  last_batch_id: z.string().nullable(),
  last_error_code: z.string().nullable(),
  last_error_message: z.string().nullable(),
  run_count: z.number().int(),
  run_due_at: z.number().int().nullable(),
  claimed_at: z.number().int().nullable(),
  pending_file_id: z.string().nullable(),
  created_at: z.number().int(),
  updated_at: z.number().int(),
});

function toRecord(row: unknown): ScheduleRecord {
  const r = RowSchema.parse(row);
  const input: ScheduleInput =
    r.input_url !== null
      ? { kind: "url", url: r.input_url }
      : { kind: "file", fileId: r.input_file_id ?? "" };
  return {
    id: r.id,
    projectId: r.project_id,
    status: r.status,
    cron: r.cron,
    timezone: r.timezone,
    input,
    template: BatchTemplateSchema.parse(JSON.parse(r.template)),
    nextRunAt: r.next_run_at,
    lastRunAt: r.last_run_at,
    lastBatchId: r.last_batch_id,
    lastError:
      r.last_error_code !== null ? { code: r.last_error_code, message: r.last_error_message ?? "" } : null,
    run:
      r.run_due_at !== null && r.claimed_at !== null
        ? {
            number: r.run_count,
            dueAt: r.run_due_at,
            claimedAt: r.claimed_at,
            pendingFileId: r.pending_file_id,
          }
        : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function inputColumns(input: ScheduleInput): [string | null, string | null] {
  return input.kind === "file" ? [input.fileId, null] : [null, input.url];
}

export class D1ScheduleStore implements ScheduleStore {
  constructor(private readonly db: D1Database) {}

  async insert(record: ScheduleRecord): Promise<void> {
    await this.db
      .prepare(
        `INSERT INTO batch_schedules (id, project_id, status, cron, timezone, input_file_id, input_url, template,
           next_run_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)`,
      )
      .bind(
        record.id,
        record.projectId,
        record.status,
        record.cron,
        record.timezone,
        ...inputColumns(record.input),
        JSON.stringify(record.template),
        record.nextRunAt,
        record.createdAt,
      )
      .run();
  }

  async get(projectId: ProjectId, id: string): Promise<ScheduleRecord | null> {
    const row = await this.db
      .prepare("SELECT * FROM batch_schedules WHERE project_id = ?1 AND id = ?2")
      .bind(projectId, id)
      .first();
    return row ? toRecord(row) : null;
  }

  async list(projectId: ProjectId, options: { limit: number; after?: string }): Promise<ScheduleRecord[]> {
    const { results } = await keysetPage(
      this.db,
      {
        select: "SELECT * FROM batch_schedules",
        idColumn: "id",
        conditions: ["project_id = ?"],
        binds: [projectId],
      },
      options,
    ).all();
    return results.map(toRecord);
  }

  async update(
    projectId: ProjectId,
    id: string,
    settings: ScheduleSettings,
    nextRunAt: number | null | undefined,
    now: number,
  ): Promise<ScheduleRecord | null> {
    const row = await this.db
      .prepare(
        `UPDATE batch_schedules SET status = ?3, cron = ?4, timezone = ?5, input_file_id = ?6, input_url = ?7,
           template = ?8, next_run_at = CASE WHEN ?9 THEN ?10 ELSE next_run_at END, updated_at = ?11
         WHERE project_id = ?1 AND id = ?2 RETURNING *`,
      )
      .bind(
        projectId,
        id,
        settings.status,
        settings.cron,
        settings.timezone,
        ...inputColumns(settings.input),
        JSON.stringify(settings.template),
        nextRunAt === undefined ? 0 : 1,
        nextRunAt ?? null,
        now,
      )
      .first();
    return row ? toRecord(row) : null;
  }

  async delete(projectId: ProjectId, id: string): Promise<boolean> {
    const result = await this.db
      .prepare("DELETE FROM batch_schedules WHERE project_id = ?1 AND id = ?2")
      .bind(projectId, id)
      .run();
    return result.meta.changes > 0;
  }

  async listDue(now: number, limit: number): Promise<ScheduleRecord[]> {
    const { results } = await this.db
      .prepare(
        `SELECT * FROM batch_schedules WHERE status = 'active' AND claimed_at IS NULL AND next_run_at <= ?1
         ORDER BY next_run_at LIMIT ?2`,
      )
      .bind(now, limit)
      .all();
    return results.map(toRecord);
  }

  async listAbandoned(claimedBefore: number, limit: number): Promise<ScheduleRecord[]> {
    const { results } = await this.db
      .prepare("SELECT * FROM batch_schedules WHERE claimed_at < ?1 ORDER BY claimed_at LIMIT ?2")
      .bind(claimedBefore, limit)
      .all();
    return results.map(toRecord);
  }

  async claimRun(id: string, dueAt: number, nextRunAt: number | null, now: number): Promise<number | null> {
    const row = await this.db
      .prepare(
        `UPDATE batch_schedules SET next_run_at = ?3, last_run_at = ?4, run_count = run_count + 1, run_due_at = ?2,
           claimed_at = ?4, pending_file_id = NULL, updated_at = ?4
         WHERE id = ?1 AND status = 'active' AND next_run_at = ?2 AND claimed_at IS NULL
         RETURNING run_count`,
      )
      .bind(id, dueAt, nextRunAt, now)
      .first<{ run_count: number }>();
    return row?.run_count ?? null;
  }

  async reclaimRun(id: string, claimedAt: number, now: number): Promise<boolean> {
    const result = await this.db
      .prepare("UPDATE batch_schedules SET claimed_at = ?3 WHERE id = ?1 AND claimed_at = ?2")
      .bind(id, claimedAt, now)
      .run();
    return result.meta.changes > 0;
  }

  async setPendingFile(id: string, run: number, fileId: string): Promise<boolean> {
    const result = await this.db
      .prepare(
        "UPDATE batch_schedules SET pending_file_id = ?3 WHERE id = ?1 AND run_count = ?2 AND claimed_at IS NOT NULL",
      )
      .bind(id, run, fileId)
      .run();
    return result.meta.changes > 0;
  }

  async finishRun(id: string, run: number, outcome: RunOutcome, now: number): Promise<void> {
    const [batchId, code, message] =
      "batchId" in outcome
        ? [outcome.batchId, null, null]
        : [null, outcome.error.code, outcome.error.message];
    await this.db
      .prepare(
        `UPDATE batch_schedules SET run_due_at = NULL, claimed_at = NULL, pending_file_id = NULL,
           last_batch_id = COALESCE(?3, last_batch_id), last_error_code = ?4, last_error_message = ?5, updated_at = ?6
         WHERE id = ?1 AND run_count = ?2 AND claimed_at IS NOT NULL`,
      )
      .bind(id, run, batchId, code, message, now)
      .run();
  }
}
