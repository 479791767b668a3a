import type { Deps } from "../../app/deps";
import { errorTypeForStatus, httpErrorLine, successLine } from "../../domain/batch-line";
import { lineModel } from "../../domain/models";
import type { LineRecord } from "../../durable/coordinator-types";
import { itemError, splitTotal } from "../../inference/async-responses";
import { estimateTokens, toOpenAiResponse } from "../../inference/to-openai";
import {
  type AsyncItemResult,
  type AsyncPoll,
  type BatchEndpoint,
  InferenceError,
  type InferenceRequest,
} from "../../inference/types";
import { codeStatus } from "../../inference/workers-ai-codes";
import type { ChunkRequest } from "../../storage/r2/batch-work";

type Line = { text: string; record: Omit<LineRecord, "position"> };

/** Which request of the chunk an item answers: its `external_reference`, else its index. */
function requestIndexOf(item: AsyncItemResult, requestIndexes: number[]): number | undefined {
  const reference = item.externalReference === null ? Number.NaN : Number(item.externalReference);
  if (Number.isInteger(reference) && requestIndexes.includes(reference)) {
    return reference;
  }
  return requestIndexes[item.index];
}

function failedLine(request: ChunkRequest, code: string, message: string, requestId: string): Line {
  const status = codeStatus(code);
  return {
    text: httpErrorLine(
      request.customId,
      status,
      { message, type: errorTypeForStatus(status), param: null, code, attempts: 1 },
      requestId,
      "async",
    ),
    record: { requestIndex: request.requestIndex, outcome: "failed", usage: null, execution: "async" },
  };
}

/**
 * Usage per item as the model gives it; where the items carry none and Workers AI reports only
 * the request's total, the total is split over the items in proportion to their prompt sizes, so
 * the batch's `usage` matches Workers AI's total exactly (README "Async batch queue").
 */
function withSplitUsage(
  items: AsyncItemResult[],
  total: { input: number; output: number } | null,
  prompts: string[],
) {
  const lacking = items.every((item) => !item.success || !hasUsage(item.result));
  if (!total || !lacking) {
    return items.map((item) => item.result);
  }
  const weights = items.map((item, i) => (item.success ? estimateTokens(prompts[i] ?? "") : 0));
  const input = splitTotal(total.input, weights);
  const output = splitTotal(total.output, weights);
  return items.map((item, i) =>
    item.success && typeof item.result === "object" && item.result !== null
      ? {
          ...item.result,
          usage: {
            prompt_tokens: input[i],
            completion_tokens: output[i],
            total_tokens: (input[i] ?? 0) + (output[i] ?? 0),
          },
        }
      : item.result,
  );
}

function hasUsage(result: unknown): boolean {
  return typeof result === "object" && result !== null && "usage" in result && result.usage != null;
}

function toLines(
  poll: Extract<AsyncPoll, { state: "done" }>,
  requestId: string,
  requestIndexes: number[],
  byIndex: Map<number, { request: ChunkRequest; inference: InferenceRequest | null }>,
): Line[] {
  const matched = poll.items
    .map((item) => ({ item, requestIndex: requestIndexOf(item, requestIndexes) }))
    .filter((m): m is { item: AsyncItemResult; requestIndex: number } => m.requestIndex !== undefined);
  const prompts = matched.map((m) => JSON.stringify(byIndex.get(m.requestIndex)?.request.body ?? ""));
  const results = withSplitUsage(
    matched.map((m) => m.item),
    poll.usage,
    prompts,
  );
  const lines: Line[] = [];
  const seen = new Set<number>();
  matched.forEach(({ item, requestIndex }, i) => {
    const entry = byIndex.get(requestIndex);
    if (!entry || seen.has(requestIndex)) {
      return;
    }
    seen.add(requestIndex);
    const itemRequestId = `${requestId}#${item.index}`;
    if (!item.success || !entry.inference) {
      const error = itemError(item.result);
      lines.push(failedLine(entry.request, error.code, error.message, itemRequestId));
      return;
    }
    try {
      const success = toOpenAiResponse(results[i], entry.inference);
      lines.push({
        text: successLine(entry.request.customId, success.body, itemRequestId, "async"),
        record: {
          requestIndex,
          outcome: "completed",
          execution: "async",
          usage: {
            input: success.usage.inputTokens,
            output: success.usage.outputTokens,
            cached: success.usage.cachedTokens,
            reasoning: success.usage.reasoningTokens,
          },
        },
      });
    } catch (err) {
      const error = err instanceof InferenceError ? err : null;
      lines.push(
        failedLine(
          entry.request,
          error?.code ?? "invalid_upstream_response",
          String(error?.message ?? err),
          itemRequestId,
        ),
      );
    }
  });
  return lines;
}

/**
 * Turns an async request's answer into lines: asks the coordinator whether the answer is still
 * wanted, polls Workers AI, maps each item back to its line, writes the lines as one result
 * segment and records them. A request still queued is left for its event or the next backstop
 * poll; one that failed for a passing reason hands its lines to the synchronous path, one that
 * failed for good puts every line in the error file with Workers AI's code.
 */
export async function collectAsync(deps: Deps, batchId: string, submission: number): Promise<void> {
  const coordinator = deps.coordinators.get(batchId);
  const lease = await coordinator.beginAsyncCollect(submission);
  if (!lease.run) {
    return;
  }
  let poll: AsyncPoll;
  let failure: InferenceError | null = null;
  try {
    poll = await deps.asyncBatches.poll(lease.model, lease.requestId);
  } catch (err) {
    failure =
      err instanceof InferenceError
        ? err
        : new InferenceError(String(err), { status: 502, code: "unknown", transient: true });
    poll = { state: "pending" };
  }
  if (failure?.transient) {
    await coordinator.asyncFailed(submission);
    return;
  }
  if (!failure && poll.state === "pending") {
    return;
  }
  const requests = await deps.batchWork.readChunk(lease.inputKey, lease.chunk);
  if (requests === null) {
    // the input's bytes are gone (damage from outside): the lines go to the synchronous path,
    // whose runner gives its lease back the same way
    await coordinator.asyncFailed(submission);
    return;
  }
  const catalogue = await deps.inference.catalogue();
  const wanted = new Set(lease.requestIndexes);
  const byIndex = new Map<number, { request: ChunkRequest; inference: InferenceRequest | null }>();
  for (const request of requests) {
    if (!wanted.has(request.requestIndex)) {
      continue;
    }
    const { model } = lineModel(catalogue, request.body, lease.baseModel);
    const endpoint = lease.endpoint as BatchEndpoint;
    byIndex.set(request.requestIndex, {
      request,
      inference: model ? { endpoint, body: request.body, model } : null,
    });
  }
  const lines =
    failure !== null
      ? [...byIndex.values()].map(({ request }) =>
          failedLine(request, failure.code, failure.message, lease.requestId),
        )
      : toLines(
          poll as Extract<AsyncPoll, { state: "done" }>,
          lease.requestId,
          lease.requestIndexes,
          byIndex,
        );
  const segment =
    lines.length > 0
      ? await deps.batchWork.writeSegment(
          batchId,
          lease.chunk.index,
          lines.map((line) => line.text),
        )
      : "";
  await coordinator.recordAsyncLines(
    submission,
    segment,
    lines.map((line, position) => ({ ...line.record, position })),
  );
}
