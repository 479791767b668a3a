import type { Deps } from "../../app/deps";
import { lineModel } from "../../domain/models";
import { type AsyncMode, asyncItem, cutIntoRequests } from "../../inference/async-items";
import { modelSpec } from "../../inference/known-models";
import { affinityKey } from "../../inference/prefix-affinity";
import type { BatchEndpoint, ModelCatalogue } from "../../inference/types";
import type { ChunkRequest } from "../../storage/r2/batch-work";

export type AsyncSubmitContext = {
  batchId: string;
  chunk: number;
  endpoint: BatchEndpoint;
  baseModel: string | null;
  catalogue: ModelCatalogue;
  mode: AsyncMode;
  /** Lines whose async request failed before: they run synchronously now. */
  syncOnly: ReadonlySet<number>;
};

export type AsyncSubmitResult = {
  /** Lines now waiting on Workers AI's async queue: this runner leaves them alone. */
  sent: Set<number>;
  /** Lines that cannot go async (with `only`, they fail instead of running synchronously). */
  ineligible: Set<number>;
  /** The coordinator refused a submit: the batch was cancelled, expired or paused meanwhile. */
  stopped: boolean;
};

type Entry = { requestIndex: number; item: Record<string, unknown> };

/**
 * Groups the chunk's lines that can run on the async queue by model and prompt prefix, cuts each
 * group into requests under Workers AI's size limit, and sends them: each recorded by the batch's
 * coordinator before it is sent and given its request id after. A request Workers AI refuses
 * leaves its lines to the synchronous path, in this same runner.
 */
export async function submitAsyncLines(
  deps: Deps,
  requests: ChunkRequest[],
  context: AsyncSubmitContext,
): Promise<AsyncSubmitResult> {
  const result: AsyncSubmitResult = { sent: new Set(), ineligible: new Set(), stopped: false };
  const groups = new Map<string, { model: string; affinity: string | null; entries: Entry[] }>();
  for (const request of requests) {
    const { model } = lineModel(context.catalogue, request.body, context.baseModel);
    const inference = model ? { endpoint: context.endpoint, body: request.body, model } : null;
    const item =
      context.mode === "off" || !inference || context.syncOnly.has(request.requestIndex)
        ? null
        : asyncItem(inference, modelSpec(inference.model.id));
    if (!inference || !item) {
      result.ineligible.add(request.requestIndex);
      continue;
    }
    const affinity = await affinityKey(inference);
    const key = `${inference.model.id}\u0000${affinity ?? ""}`;
    const group = groups.get(key) ?? { model: inference.model.id, affinity, entries: [] };
    group.entries.push({ requestIndex: request.requestIndex, item });
    groups.set(key, group);
  }
  const coordinator = deps.coordinators.get(context.batchId);
  for (const group of groups.values()) {
    for (const part of cutIntoRequests(group.entries)) {
      const indexes = part.map((entry) => entry.requestIndex);
      const lease = await coordinator.beginAsyncSubmit(context.chunk, group.model, indexes);
      if (!lease.ok) {
        result.stopped = true;
        return result;
      }
      let requestId: string;
      try {
        requestId = await deps.asyncBatches.submit(
          group.model,
          part.map((entry) => ({ ...entry.item, external_reference: String(entry.requestIndex) })),
          group.affinity,
        );
      } catch (err) {
        console.warn(
          JSON.stringify({
            msg: "async submit refused; lines run synchronously",
            batchId: context.batchId,
            err: String(err),
          }),
        );
        await coordinator.asyncFailed(lease.submission);
        continue;
      }
      // the event consumer finds the batch here; if this write fails, the backstop poll still does
      await deps.asyncRequests
        .put(
          requestId,
          { batchId: context.batchId, submission: lease.submission },
          Math.floor(Date.now() / 1000),
        )
        .catch((err) =>
          console.error(JSON.stringify({ msg: "async request index write failed", err: String(err) })),
        );
      await coordinator.asyncSubmitted(lease.submission, requestId);
      for (const index of indexes) {
        result.sent.add(index);
      }
    }
  }
  return result;
}
