import type { Deps } from "../app/deps";
import { SCHEDULE_METADATA_KEY } from "../domain/batch-schedules";
import { isTerminal } from "../domain/batch-status";
import { type FileId, newId, type ProjectId } from "../domain/ids";
import { nowSeconds } from "../domain/time";
import { ApiError, invalidValue } from "../errors/api-error";
import type { Batch } from "../schemas/batch";
import { createBatch } from "./batches";

/**
 * Extension: a new batch from the requests of an ended batch that did not succeed (failed by the
 * model, expired or cancelled). Its input file is written by streaming the original's chunks
 * through; nothing that succeeded runs again. The new batch keeps the endpoint, window, base model,
 * output expiry, webhook and metadata, plus `retry_of` naming the original.
 */

export const RETRY_METADATA_KEY = "retry_of";
const MAX_METADATA_PAIRS = 16;
const CHUNKS_PER_VIEW = 8;
const INPUT_EXPIRY_SECONDS = 30 * 86400;
const encoder = new TextEncoder();

function notFound(id: string): ApiError {
  return new ApiError("not_found", `No batch found with id '${id}'.`, { param: "batch_id" });
}

function retryMetadata(batch: Batch): Record<string, string> {
  const metadata: Record<string, string> = { ...(batch.metadata ?? {}) };
  delete metadata[SCHEDULE_METADATA_KEY];
  metadata[RETRY_METADATA_KEY] = batch.id;
  if (Object.keys(metadata).length > MAX_METADATA_PAIRS) {
    throw invalidValue(
      "metadata",
      `The batch already has ${MAX_METADATA_PAIRS} metadata pairs, so its retry has no room for '${RETRY_METADATA_KEY}'.`,
    );
  }
  return metadata;
}

/** Streams the requests that did not succeed into a new input file; returns its size and line count. */
async function writeRetryInput(
  deps: Deps,
  batch: Batch,
  inputKey: string,
  fileId: FileId,
): Promise<{ bytes: number; lines: number }> {
  const writer = deps.fileContents.createWriter(fileId);
  const coordinator = deps.coordinators.get(batch.id);
  let lines = 0;
  try {
    let from = 0;
    for (;;) {
      const view = await coordinator.resultsView(from, CHUNKS_PER_VIEW);
      if (view.chunks.length === 0) {
        break;
      }
      for (const chunk of view.chunks) {
        const succeeded = new Set(
          chunk.lines.filter((line) => line.outcome === "completed").map((line) => line.request_index),
        );
        const requests = await deps.batchWork.readChunk(inputKey, chunk.plan);
        if (requests === null) {
          throw new ApiError(
            "conflict",
            "The batch's input file is no longer stored, so it cannot be retried.",
            {
              param: "batch_id",
              shouldRetry: false,
            },
          );
        }
        for (const request of requests) {
          if (!succeeded.has(request.requestIndex)) {
            const line = {
              custom_id: request.customId,
              method: "POST",
              url: batch.endpoint,
              body: request.body,
            };
            await writer.write(encoder.encode(`${JSON.stringify(line)}\n`));
            lines++;
          }
        }
        from = chunk.plan.firstRequest + chunk.plan.requestCount;
      }
    }
    if (lines === 0) {
      await writer.abort();
      return { bytes: 0, lines };
    }
    return { bytes: (await writer.close()).bytes, lines };
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

export async function retryBatch(deps: Deps, projectId: ProjectId, batchId: string): Promise<Batch> {
  const row = await deps.batches.get(projectId, batchId);
  if (!row) {
    throw notFound(batchId);
  }
  const batch = (await deps.coordinators.get(row.batch.id).snapshot()) ?? row.batch;
  if (!isTerminal(batch.status) || batch.status === "failed") {
    throw new ApiError(
      "conflict",
      `Cannot retry a batch with status '${batch.status}': only a completed, expired or cancelled batch has requests to retry.`,
      { shouldRetry: false },
    );
  }
  const metadata = retryMetadata(batch);
  const fileId = newId("file");
  const written = await writeRetryInput(deps, batch, row.params.inputKey, fileId);
  if (written.lines === 0) {
    throw new ApiError("invalid_request", `Every request of batch ${batch.id} succeeded: nothing to retry.`, {
      param: "batch_id",
      code: "nothing_to_retry",
    });
  }
  const createdAt = nowSeconds();
  await deps.files.registerGenerated({
    id: fileId,
    projectId,
    filename: `${batch.id}_retry.jsonl`,
    purpose: "batch",
    bytes: written.bytes,
    createdAt,
    expiresAt: createdAt + INPUT_EXPIRY_SECONDS,
  });
  return createBatch(deps, projectId, {
    input_file_id: fileId,
    endpoint: batch.endpoint,
    completion_window: batch.completion_window,
    metadata,
    model: row.params.baseModel ?? undefined,
    output_expires_after: { anchor: "created_at", seconds: row.params.outputExpiresAfterSeconds },
    webhook_url: row.params.webhookUrl,
  });
}
