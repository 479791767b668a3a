import type { Deps } from "../app/deps";
import { nowSeconds } from "../domain/time";
import { releaseTokens } from "./batch-quota";
import {
  type CoordinatorState,
  type D1Mirror,
  enterFinalStatus,
  enterStatus,
  type StateRow,
} from "./batch-state";
import type { ChunkLedger } from "./chunk-ledger";
import { finalizeBatch } from "./finalize";
import type { Timers } from "./timers";
import type { UsageKey, UsageLedger } from "./usage-ledger";
import type { WebhookOutbox } from "./webhook-outbox";

/**
 * How long an expired batch waits for runners to hand in the lines that finished before the
 * deadline (they flush within a second; the rest is room for a loaded consumer) before writing its
 * files regardless.
 */
const EXPIRE_GRACE_MS = 10_000;

/** Where a batch's usage is rolled up: its project, model, creating key and id. */
export function usageKey(state: CoordinatorState): UsageKey {
  return {
    kind: state.batch.endpoint === "/v1/embeddings" ? "embeddings" : "completions",
    projectId: state.params.projectId,
    model: state.batch.model ?? state.params.baseModel ?? "",
    apiKeyId: state.params.apiKeyId ?? "",
    batchId: state.batch.id,
  };
}

export type BatchEndingParts = {
  stateRow: StateRow;
  ledger: ChunkLedger;
  timers: Timers;
  mirrorToD1: D1Mirror;
  webhooks: WebhookOutbox;
  usage: UsageLedger;
  deps: () => Deps;
};

/**
 * How a batch's coordinator ends it: stopping at the deadline, writing the output and error files
 * (one finalize at a time), and what every terminal status does (timers cleared, tokens released,
 * usage flushed, the D1 mirror, the webhook event). Split from the Durable Object, which keeps the RPCs.
 */
export class BatchEnding {
  private finalizing: Promise<void> | null = null;

  constructor(private readonly parts: BatchEndingParts) {}

  private get stateRow(): StateRow {
    return this.parts.stateRow;
  }

  private get ledger(): ChunkLedger {
    return this.parts.ledger;
  }

  private get timers(): Timers {
    return this.parts.timers;
  }

  private get deps(): Deps {
    return this.parts.deps();
  }

  /**
   * Stops dispatch at the deadline. Runners stop starting lines then and hand in what finished, so
   * files are written once none is running (or after a short grace): a line that finished before
   * the deadline is never lost to a flush still on its way.
   */
  async expire(state: CoordinatorState): Promise<void> {
    // a batch already writing its files has every line's outcome: it completes rather than expires
    if (state.stop !== null || state.finalizeStartedAt !== null) {
      await this.finalize(state);
      return;
    }
    state.stop = "expire";
    state.lastProgressAt = Date.now();
    this.stateRow.save(state);
    const now = Date.now();
    if (state.batch.status === "validating" || this.ledger.runningCount(now) === 0) {
      await this.finalize(state);
    } else {
      await this.timers.set("finalize", now + EXPIRE_GRACE_MS);
    }
  }

  /** One finalize at a time per instance: an expiry or a retry during a running one joins it. */
  finalize(state: CoordinatorState): Promise<void> {
    this.finalizing ??= this.writeFinalFiles(state).finally(() => {
      this.finalizing = null;
    });
    return this.finalizing;
  }

  async writeFinalFiles(state: CoordinatorState): Promise<void> {
    const now = Date.now();
    if (state.finalizeStartedAt === null) {
      state.finalizeStartedAt = now;
      if (state.stop === null && state.batch.status === "in_progress") {
        enterStatus(state, "finalizing", nowSeconds(now));
      }
      this.stateRow.save(state);
      await this.parts.mirrorToD1.mirror(state, true);
    }
    const files = await finalizeBatch(this.deps, {
      state,
      chunks: this.ledger.all(),
      linesOf: (chunk) => this.ledger.linesOf(chunk),
      plan: (outputFileId, errorFileId) => {
        state.plannedOutputFileId = outputFileId;
        state.plannedErrorFileId = errorFileId;
        this.stateRow.save(state);
      },
    });
    state.batch.output_file_id = files.outputFileId;
    state.batch.error_file_id = files.errorFileId;
    state.batch.request_counts.completed = files.completed;
    state.batch.request_counts.failed = files.failed;
    // status reads come from this object: write the usage rollups before it shows the batch ended,
    // so a client that sees the end also sees all of its usage
    await this.parts.usage.flush(usageKey(state), true);
    enterFinalStatus(state, nowSeconds());
    state.lastProgressAt = Date.now();
    this.stateRow.save(state);
    await this.timers.clear("finalize");
    // the chunk results stay: GET /v1/batches/{id}/results reads them until the retention sweep
    await this.onTerminal(state);
  }

  async onTerminal(state: CoordinatorState): Promise<void> {
    await this.timers.clear("expire");
    await this.timers.clear("watchdog");
    await releaseTokens(this.deps, state.batch.id);
    // a no-op after writeFinalFiles; for the other ways to end (a validation failure, a repeat)
    await this.parts.usage.flush(usageKey(state), true);
    await this.parts.mirrorToD1.mirror(state, true);
    // only now are the terminal status and files visible through the API
    await this.parts.webhooks.enqueue(state.batch, state.params);
  }
}
