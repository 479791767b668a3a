import { DEFAULT_SYNC_BATCH_MAX_ITEMS } from "../app/config";
import type { Deps } from "../app/deps";
import { errorTypeForStatus, NON_HTTP_ERRORS } from "../domain/batch-line";
import type { ProjectId } from "../domain/ids";
import { describeType, type LineError, lineErrors } from "../domain/jsonl/batch-errors";
import { checkRequestLine, type LineCheck, type LineRules } from "../domain/jsonl/validate-line";
import { ApiError, type ErrorBody, invalidType, missingParameter } from "../errors/api-error";
import type { FlowInfo } from "../inference/fair-share";
import { type LineOutcome, runLine } from "../inference/line-runner";
import type { BatchEndpoint, ResolvedModel } from "../inference/types";
import type { SyncBatchId, SyncBatchResult } from "../schemas/sync-batch";
import { CallUsage, type UsageAccount } from "./usage-recording";

/**
 * The synchronous batch call: many requests in one HTTP request, answered together, sorted by id.
 * Whole-call problems (shape, limits, ids, a missing model) are 400s naming the row; anything a
 * single request could fail with becomes that row's `{error}`, and the call still answers 200.
 */

export const SYNC_BATCH_LIMITS = {
  maxItems: DEFAULT_SYNC_BATCH_MAX_ITEMS,
  maxBodyBytes: 1024 * 1024,
  /** Requests in flight at once; the per-model rate limiter paces them further. */
  concurrency: 8,
  /** Clients and proxies give up on a silent connection long before Workers would stop the request. */
  timeoutMs: 60_000,
} as const;

const USE_BATCHES = "Use the Batches API (/v1/batches) for larger jobs.";

export type SyncBatchItem = { id: SyncBatchId; body: Record<string, unknown> };
export type SyncBatchJob = {
  /** Extension, as on batch create: rows without `model` run on it, and other names are LoRA adapters on it. */
  baseModel: string | null;
  items: SyncBatchItem[];
};

export function bodyTooLarge(maxBytes: number): ApiError {
  return new ApiError(
    "invalid_request",
    `The synchronous batch endpoint takes request bodies of at most ${maxBytes} bytes. ${USE_BATCHES}`,
    { code: "request_too_large" },
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function rowError(index: number, code: string, message: string): ApiError {
  return new ApiError("invalid_request", message, { param: `data[${index}]`, code });
}

function parseRow(row: unknown, index: number, baseModel: string | null): SyncBatchItem {
  const at = `data[${index}]`;
  if (!Array.isArray(row)) {
    throw rowError(
      index,
      "invalid_type",
      `Invalid type for '${at}': expected an [id, request body] pair, but got ${describeType(row)} instead.`,
    );
  }
  if (row.length !== 2) {
    const elements = `${row.length} element${row.length === 1 ? "" : "s"}`;
    throw rowError(
      index,
      "invalid_value",
      `Invalid '${at}': expected an [id, request body] pair, but got ${elements}.`,
    );
  }
  const [id, body] = row as [unknown, unknown];
  if (typeof id !== "string" && typeof id !== "number") {
    throw rowError(
      index,
      "invalid_type",
      `Invalid type for the id of '${at}': expected a string or a number, but got ${describeType(id)} instead.`,
    );
  }
  if (!isObject(body)) {
    throw rowError(
      index,
      "invalid_type",
      `Invalid type for the request body of '${at}': expected an object, but got ${describeType(body)} instead.`,
    );
  }
  const model = body.model;
  // the model routes the request (rate limits, LoRA), so a row without one cannot be run at all
  if ((model === undefined || model === null || model === "") && baseModel === null) {
    throw missingParameter(`${at}.model`);
  }
  if (model !== undefined && model !== null && typeof model !== "string") {
    throw invalidType(
      `${at}.model`,
      `Invalid type for '${at}.model': expected a string, but got ${describeType(model)} instead.`,
    );
  }
  return { id, body };
}

function parseBaseModel(model: unknown): string | null {
  if (model === undefined || model === null || model === "") {
    return null;
  }
  if (typeof model !== "string") {
    throw invalidType(
      "model",
      `Invalid type for 'model': expected a string, but got ${describeType(model)} instead.`,
    );
  }
  return model;
}

/**
 * Checks a `{"data": [[id, body], …]}` request as a whole and returns its items in request order.
 * Throws the first problem, in row order, as a 400 whose `param` names the row (`data[3]`).
 */
export function parseSyncBatchRequest(input: unknown, maxItems: number): SyncBatchJob {
  if (!isObject(input)) {
    throw new ApiError(
      "invalid_request",
      `Invalid type for the request body: expected an object, but got ${describeType(input)} instead.`,
      { code: "invalid_type" },
    );
  }
  const baseModel = parseBaseModel(input.model);
  const rows = input.data;
  if (rows === undefined || rows === null) {
    throw missingParameter("data");
  }
  if (!Array.isArray(rows)) {
    throw invalidType(
      "data",
      `Invalid type for 'data': expected an array, but got ${describeType(rows)} instead.`,
    );
  }
  if (rows.length === 0) {
    throw new ApiError(
      "invalid_request",
      "Invalid 'data': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      { param: "data", code: "empty_array" },
    );
  }
  if (rows.length > maxItems) {
    throw new ApiError(
      "invalid_request",
      `The synchronous batch endpoint takes at most ${maxItems} requests per call, but got ${rows.length}. ${USE_BATCHES}`,
      { param: "data", code: "too_many_items" },
    );
  }
  const items: SyncBatchItem[] = [];
  const seen = new Map<SyncBatchId, number>();
  for (const [index, row] of rows.entries()) {
    const item = parseRow(row, index, baseModel);
    const first = items[0];
    if (first && typeof item.id !== typeof first.id) {
      throw rowError(
        index,
        "mixed_id_types",
        `The id of 'data[${index}]' is a ${typeof item.id} but the id of 'data[0]' is a ${typeof first.id}: ids must be all strings or all numbers, so that the results can be sorted.`,
      );
    }
    const earlier = seen.get(item.id);
    if (earlier !== undefined) {
      throw rowError(
        index,
        "duplicate_id",
        `The id of 'data[${index}]' is a duplicate of the id of 'data[${earlier}]'. Ids must be unique within a call.`,
      );
    }
    seen.set(item.id, index);
    items.push(item);
  }
  return { baseModel, items };
}

/** One request's answer when a per-request check fails: the error the single endpoint would give. */
function checkFailed(error: LineError): ErrorBody {
  // batch-line params are relative to the line (`body.messages`); here they are relative to the body
  const param = error.param?.replace(/^body\./, "") ?? null;
  return { error: { message: error.message, type: "invalid_request_error", param, code: error.code } };
}

function timeoutError(message: string): ErrorBody {
  return { error: { message, type: "server_error", param: null, code: "request_timeout" } };
}

function answer(outcome: LineOutcome, timedOut: ErrorBody): Record<string, unknown> {
  switch (outcome.kind) {
    case "success":
      return outcome.body;
    case "aborted":
      return timedOut;
    case "error":
      if (outcome.status === 408) {
        return timeoutError(NON_HTTP_ERRORS.request_timeout);
      }
      return {
        error: {
          message: outcome.message,
          type: errorTypeForStatus(outcome.status),
          param: null,
          code: outcome.code,
        },
      };
  }
}

function compareIds(a: SyncBatchResult, b: SyncBatchResult): number {
  // parseSyncBatchRequest allows one id type per call, so `<` is numeric or by UTF-16 code unit
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

export type SyncBatchRunOptions = {
  /** Epoch ms the HTTP request arrived; the deadline counts from it. */
  startedAt: number;
  timeoutMs?: number;
  concurrency?: number;
  /** Whose usage the call's model requests are (Admin API usage); not recorded without it. */
  account?: UsageAccount;
};

/** The flow id of a project's synchronous calls in a pool's fair share: all of them share one. */
export const SYNC_FLOW_ID = "sync";

type SyncDeps = Pick<Deps, "inference" | "rateLimiter"> &
  Partial<Pick<Deps, "usage" | "rateLimits" | "config">>;

/**
 * Who the call's model requests are for in the pool's fair share: the project's interactive flow,
 * served before the project's queued batch lines and within its share (weight and
 * `max_requests_per_1_minute` as for its batches). Without a project, first come first served.
 */
async function syncFlows(
  deps: SyncDeps,
  projectId: string | undefined,
  deadlineMs: number,
  items: number,
): Promise<(model: ResolvedModel) => FlowInfo | undefined> {
  if (projectId === undefined) {
    return () => undefined;
  }
  // the route's account is the request's own project
  const overrides = (await deps.rateLimits?.list(projectId as ProjectId).catch(() => [])) ?? [];
  const caps = new Map(overrides.map((o) => [o.model, o.maxRequestsPer1Minute]));
  const weight = deps.config?.projectWeights[projectId] ?? 1;
  return (model) => ({
    projectId,
    batchId: SYNC_FLOW_ID,
    deadlineMs,
    remaining: items,
    weight,
    capRpm: caps.get(model.id) ?? null,
    priority: "interactive",
  });
}

/**
 * Runs every item through the same model mapping, checks, rate limiter and retries as a batch line,
 * `concurrency` at a time. An item still waiting or running at the deadline is answered with a
 * `request_timeout` error at once; a model call already sent is left to finish unobserved.
 */
export async function runSyncBatch(
  deps: SyncDeps,
  endpoint: BatchEndpoint,
  { baseModel, items }: SyncBatchJob,
  options: SyncBatchRunOptions,
): Promise<SyncBatchResult[]> {
  const timeoutMs = options.timeoutMs ?? SYNC_BATCH_LIMITS.timeoutMs;
  const deadlineMs = options.startedAt + timeoutMs;
  const timedOut = timeoutError(
    `The request did not finish within the ${timeoutMs / 1000} s limit of the synchronous batch endpoint. ${USE_BATCHES}`,
  );
  const catalogue = await deps.inference.catalogue();
  if (baseModel !== null && catalogue.resolve(baseModel) === null) {
    const error = lineErrors.modelNotFound(baseModel, "model");
    throw new ApiError("invalid_request", error.message, { param: error.param, code: error.code });
  }
  const rules: LineRules = { endpoint, catalogue, baseModel };
  const usage = options.account ? new CallUsage(endpoint, options.account) : null;
  const flowFor = await syncFlows(deps, options.account?.projectId, deadlineMs, items.length);
  const stop = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<LineOutcome>((resolve) => {
    timer = setTimeout(
      () => {
        stop.abort();
        resolve({ kind: "aborted", reason: "deadline", attempts: 0 });
      },
      Math.max(0, deadlineMs - Date.now()),
    );
  });

  const runItem = async (item: SyncBatchItem): Promise<Record<string, unknown>> => {
    const check = checkItem(item, rules);
    if (!check.ok) {
      return checkFailed(check.error);
    }
    const outcome = await Promise.race([
      runLine(deps.inference, deps.rateLimiter, {
        request: { endpoint, body: item.body, model: check.model },
        deadlineMs,
        signal: stop.signal,
        flow: flowFor(check.model),
      }),
      deadline,
    ]);
    if (outcome.kind === "success") {
      usage?.add(check.model.requested, outcome.usage);
    }
    return answer(outcome, timedOut);
  };

  const results: SyncBatchResult[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as SyncBatchItem;
      results.push([item.id, await runItem(item)]);
    }
  };
  const concurrency = options.concurrency ?? SYNC_BATCH_LIMITS.concurrency;
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  } finally {
    clearTimeout(timer);
    // hand the limiter the successes it has not heard about yet, so the model's rate keeps adapting
    await deps.rateLimiter.flush();
    if (usage && deps.usage) {
      await usage.record(deps.usage);
    }
  }
  return results.sort(compareIds);
}

/** The per-request rules of a batch line (model task, `messages`/`prompt`/`input`, no streaming). */
function checkItem(item: SyncBatchItem, rules: LineRules): LineCheck {
  // wrapped as a batch line so that the batch's own checks apply unchanged
  const line = JSON.stringify({ custom_id: "sync", method: "POST", url: rules.endpoint, body: item.body });
  return checkRequestLine(line, rules);
}
