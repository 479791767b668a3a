import type { Deps } from "../app/deps";
import { nonHttpErrorLine } from "../domain/batch-line";
import { isTerminal } from "../domain/batch-status";
import type { ProjectId } from "../domain/ids";
import type { ChunkResults, Coordinator, ResultsView } from "../durable/coordinator-types";
import { ApiError } from "../errors/api-error";
import type { BatchResult, BatchResultStatus, ListBatchResultsQuery } from "../schemas/batch-result";
import { type ListPage, listPage } from "../schemas/common";
import type { ChunkRequest } from "../storage/r2/batch-work";

/**
 * Extension: a batch's requests merged with their results, in input order, readable while the
 * batch runs. The coordinator's ledger says which lines finished and where their result text
 * lies; the input chunk gives each request's custom_id and body. Memory holds one chunk at a time.
 */

/** Chunks asked of the coordinator per call. */
const CHUNKS_PER_VIEW = 8;

type ChunkEntry = { request: ChunkRequest | null; line: number; index: number; text: string | null };

/** A line with no result yet: pending while the batch may still run it, else as the error file says. */
function unrunStatus(view: ResultsView): BatchResultStatus {
  if (!isTerminal(view.status)) {
    return "pending";
  }
  return view.stop === "cancel" ? "cancelled" : "expired";
}

/** The error-file line of a request that never ran, as finalize writes it. */
function unrunLine(status: BatchResultStatus, customId: string): string | null {
  if (status === "cancelled") {
    return nonHttpErrorLine(customId, "batch_cancelled");
  }
  return status === "expired" ? nonHttpErrorLine(customId, "batch_expired") : null;
}

function attemptsOf(line: Record<string, unknown>): number | null {
  const response = line.response as { body?: { error?: { attempts?: unknown } } } | null;
  const error = line.error as { attempts?: unknown } | null;
  const attempts = response?.body?.error?.attempts ?? error?.attempts;
  return typeof attempts === "number" ? attempts : null;
}

function toResult(entry: ChunkEntry, status: BatchResultStatus, customIdFallback: string): BatchResult {
  const line = entry.text === null ? null : (JSON.parse(entry.text) as Record<string, unknown>);
  return {
    id: String(entry.index),
    object: "batch.result",
    line: entry.line,
    custom_id:
      entry.request?.customId ?? (typeof line?.custom_id === "string" ? line.custom_id : customIdFallback),
    status,
    request: entry.request?.body ?? null,
    response: (line?.response as BatchResult["response"]) ?? null,
    error: (line?.error as BatchResult["error"]) ?? null,
    attempts: line ? attemptsOf(line) : null,
  };
}

function matches(result: BatchResult, query: ListBatchResultsQuery): boolean {
  return (
    (query.status === undefined || result.status === query.status) &&
    (query.custom_id === undefined || result.custom_id === query.custom_id) &&
    (query.custom_id_prefix === undefined || result.custom_id.startsWith(query.custom_id_prefix))
  );
}

/** The chunk's requests at or after `from`, each with its recorded result text, if any. */
async function chunkEntries(deps: Deps, inputKey: string, chunk: ChunkResults, from: number) {
  const requests = await deps.batchWork.readChunk(inputKey, chunk.plan).catch(() => null);
  const recorded = new Map(chunk.lines.map((line) => [line.request_index, line]));
  const segments = new Map<string, string[]>();
  for (const key of new Set(chunk.lines.map((line) => line.segment))) {
    segments.set(key, await deps.batchWork.readSegment(key));
  }
  const entries: Array<ChunkEntry & { outcome: "completed" | "failed" | null }> = [];
  for (let i = 0; i < chunk.plan.requestCount; i++) {
    const index = chunk.plan.firstRequest + i;
    if (index < from) {
      continue;
    }
    const ledger = recorded.get(index);
    const request = requests?.[i] ?? null;
    entries.push({
      request,
      index,
      line: request?.line ?? chunk.plan.firstLine + i,
      text: ledger ? (segments.get(ledger.segment)?.[ledger.position] ?? null) : null,
      outcome: ledger?.outcome ?? null,
    });
  }
  return entries;
}

async function collect(
  deps: Deps,
  coordinator: Coordinator,
  inputKey: string,
  query: ListBatchResultsQuery,
): Promise<BatchResult[]> {
  const found: BatchResult[] = [];
  let from = query.after === undefined ? 0 : Number(query.after) + 1;
  for (;;) {
    const view = await coordinator.resultsView(from, CHUNKS_PER_VIEW);
    if (view.chunks.length === 0) {
      return found;
    }
    for (const chunk of view.chunks) {
      for (const entry of await chunkEntries(deps, inputKey, chunk, from)) {
        const status = entry.outcome ?? unrunStatus(view);
        entry.text ??= unrunLine(status, entry.request?.customId ?? "");
        const result = toResult(entry, status, "");
        if (matches(result, query)) {
          found.push(result);
          if (found.length > query.limit) {
            return found;
          }
        }
      }
      from = chunk.plan.firstRequest + chunk.plan.requestCount;
    }
  }
}

export async function listBatchResults(
  deps: Deps,
  projectId: ProjectId,
  batchId: string,
  query: ListBatchResultsQuery,
): Promise<ListPage<BatchResult>> {
  const row = await deps.batches.get(projectId, batchId);
  if (!row) {
    throw new ApiError("not_found", `No batch found with id '${batchId}'.`, { param: "batch_id" });
  }
  const found = await collect(deps, deps.coordinators.get(row.batch.id), row.params.inputKey, query);
  return listPage(found.slice(0, query.limit), found.length > query.limit);
}
