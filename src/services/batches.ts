import type { Deps } from "../app/deps";
import type { BatchParams } from "../domain/batch-params";
import { parseCompletionWindow } from "../domain/completion-window";
import { sha256Hex } from "../domain/crypto";
import { type BatchId, newId, type ProjectId } from "../domain/ids";
import { nowSeconds } from "../domain/time";
import { ApiError, invalidValue } from "../errors/api-error";
import type { Batch, CreateBatchBody } from "../schemas/batch";
import { type ListPage, listPage } from "../schemas/common";
import type { FileRecord } from "../storage/d1/files-store";
import { withEta, withEtas } from "./batch-eta";
import { batchWebhookUrl } from "./webhooks";

const DEFAULT_OUTPUT_EXPIRY_SECONDS = 30 * 86400;

function notFound(id: string): ApiError {
  return new ApiError("not_found", `No batch found with id '${id}'.`, { param: "batch_id" });
}

/** A new batch as `POST /v1/batches` returns it: validating, nothing counted yet. */
export function newBatchObject(
  id: BatchId,
  body: CreateBatchBody,
  createdAt: number,
  windowSeconds: number,
): Batch {
  return {
    id,
    object: "batch",
    endpoint: body.endpoint,
    model: body.model || null,
    errors: null,
    input_file_id: body.input_file_id,
    completion_window: body.completion_window,
    status: "validating",
    output_file_id: null,
    error_file_id: null,
    created_at: createdAt,
    in_progress_at: null,
    expires_at: createdAt + windowSeconds,
    finalizing_at: null,
    completed_at: null,
    failed_at: null,
    expired_at: null,
    cancelling_at: null,
    cancelled_at: null,
    request_counts: { total: 0, completed: 0, failed: 0 },
    usage: {
      input_tokens: 0,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 0,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 0,
    },
    metadata: body.metadata ?? null,
  };
}

/** The project's live file `fileId`, which must have purpose `batch`; otherwise a 400 on `input_file_id`. */
export async function requireBatchInputFile(
  deps: Deps,
  projectId: ProjectId,
  fileId: string,
): Promise<FileRecord> {
  const file = await deps.files.get(projectId, fileId);
  if (!file) {
    throw new ApiError(
      "invalid_request",
      `Cannot find file ${fileId}, or project ${projectId} does not have access to it.`,
      { param: "input_file_id" },
    );
  }
  if (file.purpose !== "batch") {
    throw invalidValue(
      "input_file_id",
      `The file ${file.id} has purpose '${file.purpose}'; a batch needs purpose 'batch'.`,
    );
  }
  return file;
}

/**
 * Creates a batch: checks the input file, writes the D1 row, then starts its coordinator. With an
 * `Idempotency-Key`, the key is claimed first so that a retry returns the same batch.
 */
export async function createBatch(
  deps: Deps,
  projectId: ProjectId,
  body: CreateBatchBody,
  idempotencyKey?: string,
  apiKeyId: string | null = null,
): Promise<Batch> {
  const windowSeconds = parseCompletionWindow(body.completion_window);
  if (windowSeconds === null) {
    throw invalidValue(
      "completion_window",
      `Invalid value: '${body.completion_window}'. Supported values are: '24h' (and, as an extension, any window from '1m' to '7d' written like '30m', '1h', '72h' or '7d').`,
    );
  }
  const webhookUrl = await batchWebhookUrl(deps, projectId, body.webhook_url);
  let id: BatchId = newId("batch");
  if (idempotencyKey !== undefined) {
    const requestHash = await sha256Hex(JSON.stringify(body));
    const claim = await deps.idempotency.claim(projectId, "batches", idempotencyKey, requestHash, id);
    if (claim.requestHash !== requestHash) {
      throw new ApiError("conflict", "This Idempotency-Key was already used with a different request body.", {
        param: "Idempotency-Key",
        code: "idempotency_key_reused",
        shouldRetry: false,
      });
    }
    if (claim.resourceId !== id) {
      const existing = await deps.batches.get(projectId, claim.resourceId);
      if (existing) {
        return (await deps.coordinators.get(existing.batch.id).snapshot()) ?? existing.batch;
      }
      // the first attempt claimed the key but did not finish creating: finish it under its id
      id = claim.resourceId as BatchId;
    }
  }

  const file = await requireBatchInputFile(deps, projectId, body.input_file_id);
  const seconds = body.output_expires_after?.seconds ?? DEFAULT_OUTPUT_EXPIRY_SECONDS;
  const batch = newBatchObject(id, body, nowSeconds(), windowSeconds);
  const params: BatchParams = {
    projectId,
    inputKey: file.r2Key,
    baseModel: body.model ?? null,
    outputExpiresAfterSeconds: seconds,
    webhookUrl,
    apiKeyId,
  };
  if (!(await deps.batches.get(projectId, id))) {
    await deps.batches.insert(projectId, batch, params);
  }
  return deps.coordinators.get(id).init(batch, params);
}

export async function retrieveBatch(deps: Deps, projectId: ProjectId, id: string): Promise<Batch> {
  const row = await deps.batches.get(projectId, id);
  if (!row) {
    throw notFound(id);
  }
  const coordinator = deps.coordinators.get(row.batch.id);
  // a batch whose coordinator never started (a crash between the two writes) starts now
  const batch = (await coordinator.snapshot()) ?? (await coordinator.init(row.batch, row.params));
  return withEta(deps, projectId, batch);
}

export async function listBatches(
  deps: Deps,
  projectId: ProjectId,
  options: { limit: number; after?: string },
): Promise<ListPage<Batch>> {
  const page = await deps.batches.list(projectId, options);
  return listPage(await withEtas(deps, projectId, page.batches), page.hasMore);
}

export async function cancelBatch(deps: Deps, projectId: ProjectId, id: string): Promise<Batch> {
  const row = await deps.batches.get(projectId, id);
  if (!row) {
    throw notFound(id);
  }
  const coordinator = deps.coordinators.get(row.batch.id);
  if (!(await coordinator.snapshot())) {
    await coordinator.init(row.batch, row.params);
  }
  const result = await coordinator.cancel();
  if (!result.ok) {
    throw new ApiError("conflict", `Cannot cancel a batch with status '${result.batch.status}'.`, {
      shouldRetry: false,
    });
  }
  return result.batch;
}
