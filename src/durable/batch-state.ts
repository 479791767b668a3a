import type { BatchStatus } from "../domain/batch-status";
import { assertTransition, STATUS_TIMESTAMP } from "../domain/batch-status";
import type { Batch } from "../schemas/batch";
import type { BatchParams } from "../services/batch-params";
import type { LineUsage } from "./coordinator-types";

/** Everything a coordinator keeps besides its chunk and line ledger; stored as one JSON row. */
export type CoordinatorState = {
  batch: Batch;
  params: BatchParams;
  /** Why dispatch stopped early, once it did. */
  stop: "cancel" | "expire" | null;
  /** Set when finalize starts: from then on the line ledger is frozen. */
  finalizeStartedAt: number | null;
  /** File ids chosen when finalize starts, so a retried finalize writes the same files. */
  plannedOutputFileId: string | null;
  plannedErrorFileId: string | null;
  /** Epoch ms of the last change that showed progress (the watchdog's clock). */
  lastProgressAt: number;
};

export function enterStatus(state: CoordinatorState, to: BatchStatus, nowSeconds: number): void {
  assertTransition(state.batch.status, to);
  state.batch.status = to;
  const field = STATUS_TIMESTAMP[to];
  if (field !== "created_at" && state.batch[field] === null) {
    state.batch[field] = nowSeconds;
  }
}

export function addUsage(state: CoordinatorState, usage: LineUsage): void {
  const total = state.batch.usage;
  total.input_tokens += usage.input;
  total.output_tokens += usage.output;
  total.input_tokens_details.cached_tokens += usage.cached;
  total.output_tokens_details.reasoning_tokens += usage.reasoning;
  total.total_tokens = total.input_tokens + total.output_tokens;
}

/** The terminal status a finalized batch enters: cancelled, expired or completed. */
export function enterFinalStatus(state: CoordinatorState, nowSeconds: number): void {
  if (state.stop === "cancel") {
    if (state.batch.status !== "cancelling") {
      enterStatus(state, "cancelling", nowSeconds);
    }
    enterStatus(state, "cancelled", nowSeconds);
  } else if (state.stop === "expire") {
    enterStatus(state, "expired", nowSeconds);
  } else {
    enterStatus(state, "completed", nowSeconds);
  }
}
