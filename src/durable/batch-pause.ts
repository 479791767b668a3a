import { isTerminal } from "../domain/batch-status";
import { nowSeconds } from "../domain/time";
import { type CoordinatorState, type D1Mirror, isPaused, type StateRow } from "./batch-state";
import type { ChunkDispatcher } from "./chunk-dispatcher";
import type { PauseResult } from "./coordinator-types";

export type PauseParts = {
  stateRow: StateRow;
  mirrorToD1: D1Mirror;
  dispatcher: () => ChunkDispatcher;
  /** Fills the dispatch window (a no-op unless the batch is in progress, unstopped and unpaused). */
  dispatch: (state: CoordinatorState) => Promise<void>;
};

/** Whether the batch is still heading for its files on its own: nothing is left to pause or resume. */
function isEnding(state: CoordinatorState): boolean {
  return (
    isTerminal(state.batch.status) ||
    state.stop !== null ||
    state.finalizeStartedAt !== null ||
    state.batch.status === "cancelling" ||
    state.batch.status === "finalizing"
  );
}

/**
 * Pauses a validating or running batch (idempotent): nothing new is dispatched and runners start no
 * new lines (`mayProceed` and `recordLines` say so); lines in flight finish and are recorded. The
 * expire timer is left alone, so a paused batch still expires at its deadline.
 */
export async function pauseBatch(parts: PauseParts): Promise<PauseResult> {
  const state = parts.stateRow.mustLoad();
  if (isPaused(state)) {
    return isTerminal(state.batch.status)
      ? { ok: false, batch: state.batch }
      : { ok: true, batch: state.batch };
  }
  if (isEnding(state)) {
    return { ok: false, batch: state.batch };
  }
  const now = Date.now();
  state.pausedAt = now;
  state.batch.paused_at = nowSeconds(now);
  // a pause is progress for the watchdog's clock: the cron must not take a quiet paused batch for a stuck one
  state.lastProgressAt = now;
  parts.stateRow.save(state);
  await parts.mirrorToD1.mirror(state, true);
  return { ok: true, batch: state.batch };
}

/**
 * Resumes a paused batch (idempotent: a running batch is returned as is): chunks whose runner
 * stopped for the pause, or whose message was refused during it, are sent again at once, then the
 * dispatch window is filled. A terminal batch answers `ok: false`.
 */
export async function resumeBatch(parts: PauseParts): Promise<PauseResult> {
  const state = parts.stateRow.mustLoad();
  if (isTerminal(state.batch.status)) {
    return { ok: false, batch: state.batch };
  }
  if (!isPaused(state)) {
    return { ok: true, batch: state.batch };
  }
  const now = Date.now();
  state.pausedAt = null;
  state.batch.paused_at = null;
  state.lastProgressAt = now;
  parts.stateRow.save(state);
  if (state.stop === null && state.batch.status === "in_progress") {
    await parts.dispatcher().resendIdle(state.batch.id, now);
    await parts.dispatch(state);
  }
  await parts.mirrorToD1.mirror(state, true);
  return { ok: true, batch: state.batch };
}
