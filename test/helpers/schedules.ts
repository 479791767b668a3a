import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createDeps, type Deps } from "../../src/app/deps";
import worker from "../../src/index";
import type { Batch } from "../../src/schemas/batch";
import { type BatchSchedule, BatchScheduleSchema } from "../../src/schemas/batch-schedule";
import { call } from "./api";
import { chatLine, jsonl, uploadJsonl } from "./batches";
import { PROJECT_A } from "./projects";

/** A cron that cannot come due while a test file runs, so only `next_run_at` decides when a run starts. */
export const YEARLY = "0 0 1 1 *";

export const TEMPLATE = { endpoint: "/v1/chat/completions", completion_window: "24h" } as const;

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** A batch input file of `lines` chat requests. */
export async function inputFile(lines = 2, key: string = PROJECT_A.key): Promise<string> {
  return uploadJsonl(jsonl(Array.from({ length: lines }, (_, i) => chatLine(`r${i}`, `question ${i}`))), key);
}

/** Creates a schedule through the API; `body` is merged over a yearly schedule due now. */
export async function createSchedule(
  body: Record<string, unknown> = {},
  key: string = PROJECT_A.key,
): Promise<BatchSchedule> {
  const input =
    "input_file_id" in body || "input_url" in body ? {} : { input_file_id: await inputFile(2, key) };
  const res = await call("POST", "/v1/batch_schedules", {
    key,
    json: { cron: YEARLY, next_run_at: nowSeconds(), batch: TEMPLATE, ...input, ...body },
  });
  if (res.status !== 200) {
    throw new Error(`schedule create failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return BatchScheduleSchema.parse(res.body);
}

export async function getSchedule(id: string, key: string = PROJECT_A.key): Promise<BatchSchedule> {
  const res = await call("GET", `/v1/batch_schedules/${id}`, { key });
  if (res.status !== 200) {
    throw new Error(`schedule retrieve failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return BatchScheduleSchema.parse(res.body);
}

export async function scheduleBatches(id: string, key: string = PROJECT_A.key): Promise<Batch[]> {
  const res = await call<{ data: Batch[] }>("GET", `/v1/batch_schedules/${id}/batches?limit=100`, { key });
  if (res.status !== 200) {
    throw new Error(`schedule batches failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body.data;
}

/** Runs the Worker's `scheduled` handler once, as the every-minute trigger does, and waits for it. */
export async function triggerCron(): Promise<void> {
  const controller = createScheduledController({ scheduledTime: new Date(), cron: "* * * * *" });
  await worker.scheduled(controller, env);
}

/** The Worker's deps with some replaced, for driving the cron jobs directly. */
export function testDeps(overrides: Partial<Deps> = {}): Deps {
  return createDeps(env, overrides);
}

/** Writes columns of a schedule row directly, to put it in a state the API cannot (a past claim). */
export async function patchScheduleRow(
  id: string,
  columns: Record<string, string | number | null>,
): Promise<void> {
  const names = Object.keys(columns);
  await env.DB.prepare(
    `UPDATE batch_schedules SET ${names.map((name, i) => `${name} = ?${i + 2}`).join(", ")} WHERE id = ?1`,
  )
    .bind(id, ...Object.values(columns))
    .run();
}
