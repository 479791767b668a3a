import type { BatchEndpoint, ModelCatalogue, ResolvedModel } from "../models";
import { type BatchError, fileErrors, type LineError, lineErrors } from "./batch-errors";
import { type ChunkBounds, type ChunkPlan, ChunkPlanner } from "./chunk-planner";
import { DEFAULT_MAX_LINE_BYTES, readLines } from "./line-reader";
import { checkRequestLine, endpointTask, type LineRules } from "./validate-line";

/**
 * Validates a batch input file in one streaming pass and plans its chunks. Memory is bounded by the
 * longest line, a 16-byte key per `custom_id` (at most 50,000) and the plans, whatever the file size.
 *
 * It reads to the end even after `maxErrors`, so `omitted` is exact and a `too_many_tasks` past the
 * cap is still found; that costs no more than validating a good file. It stops at the request past
 * `maxRequests`, since nothing after it can save the batch. Each line gets at most one error:
 * per-line checks first (validate-line.ts), then a duplicate `custom_id`, then a model that differs
 * from the batch's (the base model if given, else the first valid line's; LoRA adapters on it match).
 * A stream error rejects the promise (after cancelling the read): the job should be retried.
 */

const MAX_REQUESTS_PER_BATCH = 50_000;
const DEFAULT_MAX_ERRORS = 100;

export type ValidateInputOptions = {
  endpoint: BatchEndpoint;
  catalogue: ModelCatalogue;
  /** The batch's base model (batch create `model`, an extension), or null. */
  baseModel?: string | null;
  maxRequests?: number;
  /** Listed errors; the rest are only counted in `omitted`. */
  maxErrors?: number;
  maxLineBytes?: number;
  chunkBounds?: Partial<ChunkBounds>;
  /** Called with each planned request's custom_id, in request order, while no line has failed. */
  onRequest?: (customId: string) => Promise<void>;
};

export type ValidInput = {
  ok: true;
  /** Request lines (blank lines excluded): `request_counts.total`. */
  total: number;
  /** The batch's model: the base model if given, else the first request's. */
  model: ResolvedModel;
  chunks: ChunkPlan[];
};

export type InvalidInput = {
  ok: false;
  /** Request lines read; reading stops after the line that broke `maxRequests`. */
  total: number;
  /**
   * In line order, at most `maxErrors` per-line errors, then any file-level error (`too_many_tasks`,
   * `empty_file`), which is always listed.
   */
  errors: BatchError[];
  /** Per-line errors found but not listed; see `fileErrors.omitted` for a closing entry. */
  omitted: number;
  /** The batch's model as far as it is known (the base model, else the first valid line's). */
  model: string | null;
};

export async function validateInput(
  stream: ReadableStream<Uint8Array>,
  options: ValidateInputOptions,
): Promise<ValidInput | InvalidInput> {
  const maxRequests = options.maxRequests ?? MAX_REQUESTS_PER_BATCH;
  const maxErrors = options.maxErrors ?? DEFAULT_MAX_ERRORS;
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const rules: LineRules = {
    endpoint: options.endpoint,
    catalogue: options.catalogue,
    baseModel: options.baseModel || null,
  };

  const base = resolveBaseModel(rules);
  if (base !== null && "code" in base) {
    await stream.cancel().catch(() => undefined);
    return { ok: false, total: 0, errors: [base], omitted: 0, model: rules.baseModel };
  }

  let batchModel = base;
  const customIds = new Set<string>();
  const planner = new ChunkPlanner(options.chunkBounds);
  const errors: BatchError[] = [];
  let omitted = 0;
  let total = 0;
  let failed = 0;
  const report = (error: LineError, line: number): void => {
    failed += 1;
    if (errors.length < maxErrors) {
      errors.push({ ...error, line });
    } else {
      omitted += 1;
    }
  };

  for await (const raw of readLines(stream, { maxLineBytes })) {
    total += 1;
    if (total > maxRequests) {
      errors.push({ ...lineErrors.tooManyTasks(maxRequests), line: raw.line });
      break;
    }
    if (raw.kind === "too_large") {
      report(lineErrors.tooLarge(raw.end - raw.start, maxLineBytes), raw.line);
      continue;
    }
    if (raw.kind === "invalid_utf8") {
      report(lineErrors.invalidJson(), raw.line);
      continue;
    }
    const check = checkRequestLine(raw.text, rules);
    // Ids of bad lines are remembered too, so a later duplicate of one is reported now.
    const firstUse = check.customId === null || (await remember(customIds, check.customId));
    if (!check.ok) {
      report(check.error, raw.line);
    } else if (!firstUse) {
      report(lineErrors.duplicateCustomId(), raw.line);
    } else if (batchModel !== null && batchModel.id !== check.model.id) {
      report(lineErrors.modelMismatch(batchModel.requested, check.model.requested), raw.line);
    } else {
      batchModel ??= check.model;
      if (failed === 0) {
        planner.add(raw);
        await options.onRequest?.(check.customId);
      }
    }
  }

  if (total === 0) {
    errors.push(fileErrors.emptyFile());
  }
  if (errors.length > 0 || omitted > 0 || batchModel === null) {
    return { ok: false, total, errors, omitted, model: batchModel?.requested ?? rules.baseModel };
  }
  return { ok: true, total, model: batchModel, chunks: planner.finish() };
}

function resolveBaseModel(rules: LineRules): ResolvedModel | BatchError | null {
  if (rules.baseModel === null) {
    return null;
  }
  const base = rules.catalogue.resolve(undefined, rules.baseModel);
  if (base === null) {
    return fileErrors.baseModelNotFound(rules.baseModel);
  }
  if (base.task !== endpointTask(rules.endpoint)) {
    return {
      ...lineErrors.modelWrongTask(base.requested, base.task, rules.endpoint),
      param: "model",
      line: null,
    };
  }
  return base;
}

const encoder = new TextEncoder();

/**
 * Adds a custom_id to the set, keyed by the first 16 bytes of its SHA-256 so a hostile 1 MB id
 * costs 16 bytes (a false duplicate needs a 128-bit collision). False when it was already there.
 */
async function remember(seen: Set<string>, customId: string): Promise<boolean> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(customId));
  const key = String.fromCharCode(...new Uint8Array(digest, 0, 16));
  if (seen.has(key)) {
    return false;
  }
  seen.add(key);
  return true;
}
