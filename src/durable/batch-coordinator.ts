import { DurableObject } from "cloudflare:workers";
import { createDeps, type Deps } from "../app/deps";
import type { BatchParams } from "../domain/batch-params";
import { isTerminal } from "../domain/batch-status";
import { nowSeconds } from "../domain/time";
import { enqueueMessages } from "../queue/messages";
import type { Batch } from "../schemas/batch";
import type { WebhookDelivery } from "../schemas/webhook";
import {
  addUsage,
  type CoordinatorState,
  D1Mirror,
  enterFinalStatus,
  enterStatus,
  StateRow,
} from "./batch-state";
import { ChunkDispatcher } from "./chunk-dispatcher";
import { ChunkLedger, LEASE_MS } from "./chunk-ledger";
import { migrateCoordinator } from "./coordinator-migrations";
import type {
  CancelResult,
  ChunkLease,
  Coordinator,
  LineRecord,
  RecordResult,
  ValidationLease,
  ValidationOutcome,
} from "./coordinator-types";
import { finalizeBatch } from "./finalize";
import { type TimerKind, Timers } from "./timers";
import { WebhookOutbox } from "./webhook-outbox";

/**
 * How often a live batch checks itself for lost messages and stalled chunks: with LEASE_MS, a
 * crashed runner's chunk runs again within LEASE_MS + this.
 */
const WATCHDOG_INTERVAL_MS = 15_000;
/** How long a cancelled batch waits for in-flight lines before writing its files regardless. */
const CANCEL_GRACE_MS = 30_000;
/**
 * How long an expired batch waits for runners to hand in the lines that finished before the
 * deadline (they flush within a second) before writing its files regardless.
 */
const EXPIRE_GRACE_MS = 5_000;

/**
 * One instance per batch (`idFromName(batchId)`): the single writer of the batch's status, counts,
 * timestamps and file ids. Its line ledger (one row per finished request, INSERT OR IGNORE) is what
 * makes at-least-once queue delivery safe: a recorded line is never counted or run twice.
 */
export class BatchCoordinator extends DurableObject<Env> implements Coordinator {
  private readonly sql: SqlStorage;
  private readonly timers: Timers;
  private readonly ledger: ChunkLedger;
  private readonly stateRow: StateRow;
  private readonly mirrorToD1: D1Mirror;
  private readonly webhooks: WebhookOutbox;
  private depsCache: Deps | undefined;
  private dispatcherCache: ChunkDispatcher | undefined;
  private finalizing: Promise<void> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.timers = new Timers(this.sql, ctx.storage);
    this.ledger = new ChunkLedger(this.sql);
    this.stateRow = new StateRow(this.sql);
    this.mirrorToD1 = new D1Mirror(() => this.deps.batches);
    this.webhooks = new WebhookOutbox(this.sql, this.timers, () => this.deps);
    ctx.blockConcurrencyWhile(async () => migrateCoordinator(this.sql));
  }

  private get deps(): Deps {
    this.depsCache ??= createDeps(this.env);
    return this.depsCache;
  }

  /** Sends through `deps.queue`, like every other enqueue here, so it is counted under BINDING_METRICS. */
  private get dispatcher(): ChunkDispatcher {
    this.dispatcherCache ??= new ChunkDispatcher(this.ledger, this.deps.queue);
    return this.dispatcherCache;
  }

  // ---- RPC: lifecycle ----------------------------------------------------------------------

  /** Starts a new batch (idempotent: a second call returns the existing batch unchanged). */
  async init(batch: Batch, params: BatchParams): Promise<Batch> {
    const existing = this.stateRow.load();
    if (existing) {
      return existing.batch;
    }
    const state: CoordinatorState = {
      batch,
      params,
      stop: null,
      finalizeStartedAt: null,
      plannedOutputFileId: null,
      plannedErrorFileId: null,
      lastProgressAt: Date.now(),
    };
    this.stateRow.save(state);
    if (batch.expires_at !== null) {
      await this.timers.set("expire", batch.expires_at * 1000);
    }
    await this.timers.set("watchdog", Date.now() + WATCHDOG_INTERVAL_MS);
    await enqueueMessages(this.deps.queue, [{ kind: "validate_batch", batchId: batch.id }]);
    return batch;
  }

  async snapshot(): Promise<Batch | null> {
    return this.stateRow.load()?.batch ?? null;
  }

  /** The batch's webhook deliveries; empty until it ends. */
  async webhookDeliveries(): Promise<WebhookDelivery[]> {
    return this.webhooks.deliveries();
  }

  async beginValidation(): Promise<ValidationLease> {
    const state = this.stateRow.load();
    if (state?.batch.status !== "validating") {
      return { run: false };
    }
    return {
      run: true,
      endpoint: state.batch.endpoint,
      inputKey: state.params.inputKey,
      baseModel: state.params.baseModel,
    };
  }

  /** The validate job's verdict. Ignored unless the batch is still validating. */
  async validated(outcome: ValidationOutcome): Promise<Batch> {
    const state = this.stateRow.mustLoad();
    if (state.batch.status !== "validating") {
      return state.batch;
    }
    const now = Date.now();
    state.lastProgressAt = now;
    if (!outcome.ok) {
      state.batch.model ??= outcome.model;
      state.batch.errors = { object: "list", data: outcome.errors };
      enterStatus(state, "failed", nowSeconds(now));
      this.stateRow.save(state);
      await this.onTerminal(state);
      return state.batch;
    }
    this.ledger.insertPlan(outcome.chunks);
    state.batch.model ??= outcome.model;
    state.batch.request_counts.total = outcome.total;
    enterStatus(state, "in_progress", nowSeconds(now));
    this.stateRow.save(state);
    await this.dispatch(state);
    await this.mirrorToD1.mirror(state, true);
    return state.batch;
  }

  /** Cancels the batch: no new dispatch at once, in-flight lines finish, then partial files. */
  async cancel(): Promise<CancelResult> {
    const state = this.stateRow.mustLoad();
    const status = state.batch.status;
    if (status === "cancelling" || status === "cancelled") {
      return { ok: true, batch: state.batch };
    }
    if (isTerminal(status)) {
      return { ok: false, batch: state.batch };
    }
    if (state.finalizeStartedAt !== null) {
      // every line has an outcome and the files are being written: nothing is left to cancel
      return { ok: true, batch: state.batch };
    }
    const now = Date.now();
    enterStatus(state, "cancelling", nowSeconds(now));
    state.stop ??= "cancel";
    state.lastProgressAt = now;
    this.stateRow.save(state);
    await this.mirrorToD1.mirror(state, true);
    if (this.ledger.runningCount(now) === 0) {
      await this.timers.set("finalize", now);
    } else {
      await this.timers.set("finalize", now + CANCEL_GRACE_MS);
    }
    return { ok: true, batch: state.batch };
  }

  // ---- RPC: chunk runners ------------------------------------------------------------------

  /** Whether runners may start new lines; they ask between flushes so a cancel stops them at once. */
  async mayProceed(): Promise<boolean> {
    const state = this.stateRow.load();
    return state !== null && state.batch.status === "in_progress" && state.stop === null;
  }

  async beginChunk(index: number): Promise<ChunkLease> {
    const state = this.stateRow.load();
    if (state?.batch.status !== "in_progress" || state.stop !== null) {
      return { run: false, reason: "not_running" };
    }
    const lease = this.ledger.lease(index, Date.now());
    if (!lease.ok) {
      return { run: false, reason: lease.reason };
    }
    return {
      run: true,
      chunk: lease.chunk,
      doneRequests: lease.doneRequests,
      endpoint: state.batch.endpoint,
      inputKey: state.params.inputKey,
      baseModel: state.params.baseModel,
      deadlineMs: (state.batch.expires_at ?? Number.MAX_SAFE_INTEGER / 1000) * 1000,
    };
  }

  /**
   * Records finished lines of a chunk (idempotent per request index) and renews the runner's lease.
   * `final` says the runner has stopped working on the chunk.
   */
  async recordLines(
    index: number,
    segment: string,
    lines: LineRecord[],
    final: boolean,
  ): Promise<RecordResult> {
    const state = this.stateRow.load();
    if (!state || state.finalizeStartedAt !== null || isTerminal(state.batch.status)) {
      return { proceed: false, chunkComplete: false };
    }
    const now = Date.now();
    const { added, chunkComplete } = this.ledger.record(index, segment, lines, final, now);
    for (const line of added) {
      if (line.outcome === "completed") {
        state.batch.request_counts.completed++;
      } else {
        state.batch.request_counts.failed++;
      }
      if (line.usage) {
        addUsage(state, line.usage);
      }
    }
    if (added.length > 0) {
      state.lastProgressAt = now;
    }
    this.stateRow.save(state);
    if (state.stop === null) {
      await this.dispatch(state);
      // the batch can only have become done when this chunk did
      if (chunkComplete && this.ledger.allDone()) {
        await this.timers.set("finalize", now);
      }
    } else if (final && this.ledger.runningCount(now) === 0) {
      // cancelled or expired: the last runner has handed in its lines
      await this.timers.set("finalize", now);
    }
    await this.mirrorToD1.mirror(state);
    return { proceed: state.stop === null, chunkComplete };
  }

  // ---- alarms ------------------------------------------------------------------------------

  override async alarm(): Promise<void> {
    await this.timers.runDue(async (kind: TimerKind) => this.onTimer(kind));
  }

  /** Runs the watchdog now; the cron trigger calls this for batches that stopped moving. */
  async watchdog(): Promise<Batch | null> {
    await this.onTimer("watchdog");
    return this.stateRow.load()?.batch ?? null;
  }

  private async onTimer(kind: TimerKind): Promise<void> {
    if (kind === "webhooks") {
      // webhook deliveries happen after the batch ends, so before the terminal early return below
      await this.webhooks.deliverDue();
      return;
    }
    const state = this.stateRow.load();
    if (!state) {
      await this.timers.clear(kind);
      return;
    }
    if (isTerminal(state.batch.status)) {
      await this.timers.clear(kind);
      // a timer left over after the end, or the cron watchdog calling a batch that D1 still shows
      // live, means the terminal mirror (and with it the webhook event) may be lost: repeat both,
      // each is idempotent
      await this.onTerminal(state);
      return;
    }
    switch (kind) {
      case "expire":
        await this.timers.clear("expire");
        await this.expire(state);
        return;
      case "finalize":
        await this.finalize(state);
        return;
      case "watchdog":
        await this.redrive(state);
        await this.timers.set("watchdog", Date.now() + WATCHDOG_INTERVAL_MS);
        return;
    }
  }

  /**
   * Stops dispatch at the deadline. Runners stop starting lines then and hand in what finished, so
   * files are written once none is running (or after a short grace): a line that finished before
   * the deadline is never lost to a flush still on its way.
   */
  private async expire(state: CoordinatorState): Promise<void> {
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

  /** Re-enqueues whatever a lost message or a crashed consumer left behind. */
  private async redrive(state: CoordinatorState): Promise<void> {
    const now = Date.now();
    if (state.batch.expires_at !== null && now >= state.batch.expires_at * 1000) {
      await this.expire(state);
      return;
    }
    if (state.finalizeStartedAt !== null) {
      await this.timers.set("finalize", now);
      return;
    }
    if (state.batch.status === "validating") {
      if (now - state.lastProgressAt >= LEASE_MS) {
        state.lastProgressAt = now;
        this.stateRow.save(state);
        await enqueueMessages(this.deps.queue, [{ kind: "validate_batch", batchId: state.batch.id }]);
      }
      return;
    }
    if (state.batch.status === "cancelling") {
      await this.timers.set("finalize", now);
      return;
    }
    const resent = await this.dispatcher.resendStalled(state.batch.id, now);
    if (resent > 0) {
      console.warn(
        JSON.stringify({ msg: "re-driving stalled chunks", batchId: state.batch.id, chunks: resent }),
      );
    }
    await this.dispatch(state);
    if (this.ledger.allDone()) {
      await this.timers.set("finalize", now);
    }
  }

  // ---- dispatch and finalize ---------------------------------------------------------------

  private async dispatch(state: CoordinatorState): Promise<void> {
    if (state.stop !== null || state.batch.status !== "in_progress") {
      return;
    }
    await this.dispatcher.fill(state.batch.id);
  }

  /** One finalize at a time per instance: an expiry or a retry during a running one joins it. */
  private finalize(state: CoordinatorState): Promise<void> {
    this.finalizing ??= this.writeFinalFiles(state).finally(() => {
      this.finalizing = null;
    });
    return this.finalizing;
  }

  private async writeFinalFiles(state: CoordinatorState): Promise<void> {
    const now = Date.now();
    if (state.finalizeStartedAt === null) {
      state.finalizeStartedAt = now;
      if (state.stop === null && state.batch.status === "in_progress") {
        enterStatus(state, "finalizing", nowSeconds(now));
      }
      this.stateRow.save(state);
      await this.mirrorToD1.mirror(state, true);
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
    enterFinalStatus(state, nowSeconds());
    state.lastProgressAt = Date.now();
    this.stateRow.save(state);
    await this.timers.clear("finalize");
    await this.onTerminal(state);
    try {
      await this.deps.batchWork.deleteBatch(state.batch.id);
    } catch (err) {
      console.warn(
        JSON.stringify({ msg: "could not delete chunk results", batchId: state.batch.id, err: String(err) }),
      );
    }
  }

  private async onTerminal(state: CoordinatorState): Promise<void> {
    await this.timers.clear("expire");
    await this.timers.clear("watchdog");
    await this.mirrorToD1.mirror(state, true);
    // only now are the terminal status and files visible through the API
    await this.webhooks.enqueue(state.batch, state.params);
  }
}
