import { enqueueMessages } from "../queue/messages";
import type { BatchEnding } from "./batch-ending";
import { type CoordinatorState, isPaused, type StateRow } from "./batch-state";
import type { ChunkDispatcher } from "./chunk-dispatcher";
import { type ChunkLedger, LEASE_MS } from "./chunk-ledger";
import type { Timers } from "./timers";

export type RedriveParts = {
  stateRow: StateRow;
  ledger: ChunkLedger;
  timers: Timers;
  ending: BatchEnding;
  dispatcher: ChunkDispatcher;
  queue: Queue;
  dispatch: () => Promise<void>;
};

/**
 * The coordinator's watchdog: re-enqueues whatever a lost message or a crashed consumer left
 * behind (a validation, chunks whose lease lapsed), retries a stuck finalize, and expires a batch
 * past its deadline whose alarm was lost.
 */
export async function redriveBatch(state: CoordinatorState, parts: RedriveParts): Promise<void> {
  const now = Date.now();
  if (state.batch.expires_at !== null && now >= state.batch.expires_at * 1000) {
    await parts.ending.expire(state);
    return;
  }
  if (state.finalizeStartedAt !== null) {
    await parts.timers.set("finalize", now);
    return;
  }
  if (state.batch.status === "validating") {
    if (now - state.lastProgressAt >= LEASE_MS) {
      state.lastProgressAt = now;
      parts.stateRow.save(state);
      await enqueueMessages(parts.queue, [{ kind: "validate_batch", batchId: state.batch.id }]);
    }
    return;
  }
  if (state.batch.status === "cancelling") {
    await parts.timers.set("finalize", now);
    return;
  }
  if (!isPaused(state)) {
    const resent = await parts.dispatcher.resendStalled(state.batch.id, now);
    if (resent > 0) {
      console.warn(
        JSON.stringify({ msg: "re-driving stalled chunks", batchId: state.batch.id, chunks: resent }),
      );
    }
    await parts.dispatch();
  }
  if (parts.ledger.allDone()) {
    await parts.timers.set("finalize", now);
  }
}
