import type { BatchParams } from "../domain/batch-params";
import type { BatchStatus } from "../domain/batch-status";
import { assertTransition, STATUS_TIMESTAMP } from "../domain/batch-status";
import { nowSeconds } from "../domain/time";
import type { Batch } from "../schemas/batch";
import type { BatchStore } from "../storage/d1/batches-store";
import type { LineRecord, LineUsage } from "./coordinator-types";

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
  /**
   * Epoch ms the batch was paused (`POST /v1/batches/{id}/pause`), null or absent while it runs:
   * no dispatch, no new lines; the expire timer runs on. Absent in states saved before pausing existed.
   */
  pausedAt?: number | null;
};

export function isPaused(state: CoordinatorState): boolean {
  return state.pausedAt !== null && state.pausedAt !== undefined;
}

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

/** The batch's `execution` counts, created on first use (absent until a line ran or was queued). */
export function executionOf(state: CoordinatorState): NonNullable<Batch["execution"]> {
  state.batch.execution ??= { sync: 0, async: 0, async_requests_pending: 0 };
  return state.batch.execution;
}

/** Counts lines new to the ledger: request_counts, usage, and which path ran them. */
export function countAdded(state: CoordinatorState, added: LineRecord[]): void {
  for (const line of added) {
    if (line.outcome === "completed") {
      state.batch.request_counts.completed++;
    } else {
      state.batch.request_counts.failed++;
    }
    if (line.usage) {
      addUsage(state, line.usage);
    }
    if (line.execution) {
      executionOf(state)[line.execution]++;
    }
  }
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

/** The coordinator's state, one JSON row in its SQLite. */
export class StateRow {
  constructor(private readonly sql: SqlStorage) {}

  load(): CoordinatorState | null {
    const row = this.sql.exec<{ json: string }>("SELECT json FROM state WHERE id = 1").toArray()[0];
    return row ? (JSON.parse(row.json) as CoordinatorState) : null;
  }

  mustLoad(): CoordinatorState {
    const state = this.load();
    if (!state) {
      throw new Error("batch coordinator is not initialized");
    }
    return state;
  }

  save(state: CoordinatorState): void {
    this.sql.exec("INSERT OR REPLACE INTO state (id, json) VALUES (1, ?)", JSON.stringify(state));
  }
}

/** At most one D1 mirror of counts per this interval; status changes always mirror at once. */
const MIRROR_INTERVAL_MS = 1_000;

/** Copies the batch object to its D1 row, the read path for lists and the cron watchdog. */
export class D1Mirror {
  private lastAt = 0;
  private lastStatus: string | null = null;

  constructor(private readonly batches: () => BatchStore) {}

  async mirror(state: CoordinatorState, force = false): Promise<void> {
    const now = Date.now();
    if (!force && state.batch.status === this.lastStatus && now - this.lastAt < MIRROR_INTERVAL_MS) {
      return;
    }
    this.lastAt = now;
    this.lastStatus = state.batch.status;
    await this.batches().mirror(state.batch, nowSeconds(state.lastProgressAt));
  }
}
