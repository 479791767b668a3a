import { DurableObject } from "cloudflare:workers";
import { createDeps, type Deps } from "../app/deps";
import type { BatchParams } from "../domain/batch-params";
import { isTerminal } from "../domain/batch-status";
import { nowSeconds } from "../domain/time";
import { enqueueMessages } from "../queue/messages";
import type { Batch } from "../schemas/batch";
import type { WebhookDelivery } from "../schemas/webhook";
import { AsyncLedger } from "./async-ledger";
import { BatchAsync } from "./batch-async";
import { BatchEnding, usageKey } from "./batch-ending";
import { pauseBatch, resumeBatch } from "./batch-pause";
import { releaseTokens, remainingLines, reserveTokens } from "./batch-quota";
import { redriveBatch } from "./batch-redrive";
import { type CoordinatorState, countAdded, D1Mirror, enterStatus, isPaused, StateRow } from "./batch-state";
import { ChunkDispatcher } from "./chunk-dispatcher";
import { ChunkLedger } from "./chunk-ledger";
import { migrateCoordinator } from "./coordinator-migrations";
import type {
  AsyncCollectLease,
  AsyncSubmitLease,
  CancelResult,
  ChunkLease,
  Coordinator,
  LineRecord,
  PauseResult,
  RecordResult,
  ResultsView,
  ValidationLease,
  ValidationOutcome,
} from "./coordinator-types";
import { type TimerKind, Timers } from "./timers";
import { UsageLedger } from "./usage-ledger";
import { WebhookOutbox } from "./webhook-outbox";

/**
 * How often a live batch checks itself for lost messages and stalled chunks: with LEASE_MS, a
 * crashed runner's chunk runs again within LEASE_MS + this.
 */
const WATCHDOG_INTERVAL_MS = 15_000;
/** How long a cancelled batch waits for in-flight lines before writing its files regardless. */
const CANCEL_GRACE_MS = 30_000;
/**
 * One instance per batch (`idFromName(batchId)`): the single writer of the batch's status, counts,
 * timestamps and file ids. Its line ledger (one row per finished request, INSERT OR IGNORE) is what
 * makes at-least-once queue delivery safe: a recorded line is never counted or run twice.
 */
export class BatchCoordinator extends DurableObject<Env> implements Coordinator {
  private readonly sql: SqlStorage;
  private readonly timers: Timers;
  private readonly ledger: ChunkLedger;
  private readonly asyncLedger: AsyncLedger;
  private readonly asyncRequests: BatchAsync;
  private readonly stateRow: StateRow;
  private readonly mirrorToD1: D1Mirror;
  private readonly webhooks: WebhookOutbox;
  private readonly usage: UsageLedger;
  private depsCache: Deps | undefined;
  private dispatcherCache: ChunkDispatcher | undefined;
  private readonly ending: BatchEnding;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.timers = new Timers(this.sql, ctx.storage);
    this.ledger = new ChunkLedger(this.sql);
    this.asyncLedger = new AsyncLedger(this.sql);
    this.stateRow = new StateRow(this.sql);
    this.mirrorToD1 = new D1Mirror(() => this.deps.batches);
    this.webhooks = new WebhookOutbox(this.sql, this.timers, () => this.deps);
    this.usage = new UsageLedger(this.sql, () => this.deps.usage);
    this.ending = new BatchEnding({
      stateRow: this.stateRow,
      ledger: this.ledger,
      timers: this.timers,
      mirrorToD1: this.mirrorToD1,
      webhooks: this.webhooks,
      usage: this.usage,
      deps: () => this.deps,
    });
    this.asyncRequests = new BatchAsync({
      stateRow: this.stateRow,
      ledger: this.ledger,
      asyncLedger: this.asyncLedger,
      timers: this.timers,
      mirrorToD1: this.mirrorToD1,
      usage: this.usage,
      flushUsage: (state) => this.usage.flush(usageKey(state)),
      dispatcher: () => this.dispatcher,
      queue: () => this.deps.queue,
    });
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
  async validated(verdict: ValidationOutcome): Promise<Batch> {
    const before = this.stateRow.mustLoad();
    if (before.batch.status !== "validating") {
      return before.batch;
    }
    const now = Date.now();
    const outcome = verdict.ok ? await reserveTokens(this.deps, before, verdict, now) : verdict;
    // the reservation waited on D1, and a cancel may have come in meanwhile: read the state again
    const state = this.stateRow.mustLoad();
    if (state.batch.status !== "validating") {
      if (verdict.ok) {
        await releaseTokens(this.deps, state.batch.id);
      }
      return state.batch;
    }
    state.lastProgressAt = now;
    if (!outcome.ok) {
      state.batch.model ??= outcome.model;
      state.batch.errors = { object: "list", data: outcome.errors };
      enterStatus(state, "failed", nowSeconds(now));
      this.stateRow.save(state);
      await this.ending.onTerminal(state);
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

  async pause(): Promise<PauseResult> {
    return pauseBatch(this.pauseParts);
  }

  async resume(): Promise<PauseResult> {
    return resumeBatch(this.pauseParts);
  }

  private get pauseParts() {
    return {
      stateRow: this.stateRow,
      mirrorToD1: this.mirrorToD1,
      dispatcher: () => this.dispatcher,
      dispatch: (state: CoordinatorState) => this.dispatch(state),
    };
  }

  // ---- RPC: chunk runners ------------------------------------------------------------------

  /** Whether runners may start new lines; they ask between flushes so a cancel stops them at once. */
  async mayProceed(): Promise<boolean> {
    const state = this.stateRow.load();
    return state !== null && state.batch.status === "in_progress" && state.stop === null && !isPaused(state);
  }

  async beginChunk(index: number): Promise<ChunkLease> {
    const state = this.stateRow.load();
    if (state?.batch.status !== "in_progress" || state.stop !== null || isPaused(state)) {
      return { run: false, reason: "not_running" };
    }
    const lease = this.ledger.lease(index, Date.now());
    if (!lease.ok) {
      return { run: false, reason: lease.reason };
    }
    // this runner holds the chunk now: requests a dead predecessor began but never sent are void
    this.asyncLedger.abandonSubmitting(index);
    return {
      run: true,
      chunk: lease.chunk,
      doneRequests: lease.doneRequests,
      endpoint: state.batch.endpoint,
      inputKey: state.params.inputKey,
      baseModel: state.params.baseModel,
      deadlineMs: (state.batch.expires_at ?? Number.MAX_SAFE_INTEGER / 1000) * 1000,
      projectId: state.params.projectId,
      remaining: remainingLines(state.batch),
      awaitingAsync: this.asyncLedger.awaiting(index),
      syncOnly: this.asyncLedger.syncOnly(index),
    };
  }

  /**
   * Records finished lines of a chunk (idempotent per request index) and renews the runner's lease.
   * `final` says the runner has stopped working on the chunk; `resend` that its time slice ended.
   */
  async recordLines(
    index: number,
    segment: string,
    lines: LineRecord[],
    final: boolean,
    resend = false,
  ): Promise<RecordResult> {
    const state = this.stateRow.load();
    if (!state || state.finalizeStartedAt !== null || isTerminal(state.batch.status)) {
      return { proceed: false, chunkComplete: false };
    }
    const now = Date.now();
    const awaiting = final ? this.asyncLedger.awaiting(index).length : 0;
    const { added, chunkComplete, requeued } = this.ledger.record(
      index,
      segment,
      lines,
      final,
      now,
      awaiting,
    );
    countAdded(state, added);
    // in the same synchronous step as the ledger insert: a line's usage counts exactly when it does
    this.usage.add(now, added);
    if (added.length > 0) {
      state.lastProgressAt = now;
    }
    this.stateRow.save(state);
    if (state.stop === null) {
      if (requeued && resend && !isPaused(state)) {
        // the runner's time slice ended with lines left: back in the queue now, not at the watchdog
        await this.dispatcher.send(state.batch.id, [requeued]);
      }
      await this.dispatch(state);
      // the batch can only have become done when this chunk did
      if (chunkComplete && this.ledger.allDone()) {
        await this.timers.set("finalize", now);
      }
    } else if (final && this.ledger.runningCount(now) === 0) {
      // cancelled or expired: the last runner has handed in its lines
      await this.timers.set("finalize", now);
    }
    await this.usage.flush(usageKey(state));
    await this.mirrorToD1.mirror(state);
    return { proceed: state.stop === null && !isPaused(state), chunkComplete };
  }

  // ---- RPC: Workers AI's async batch queue (src/durable/batch-async.ts) --------------------

  async beginAsyncSubmit(chunk: number, model: string, requestIndexes: number[]): Promise<AsyncSubmitLease> {
    return this.asyncRequests.beginSubmit(chunk, model, requestIndexes);
  }

  async asyncSubmitted(submission: number, requestId: string): Promise<void> {
    this.asyncRequests.submitted(submission, requestId);
  }

  async asyncFailed(submission: number): Promise<void> {
    await this.asyncRequests.failed(submission);
  }

  async beginAsyncCollect(submission: number): Promise<AsyncCollectLease> {
    return this.asyncRequests.beginCollect(submission);
  }

  async recordAsyncLines(submission: number, segment: string, lines: LineRecord[]): Promise<void> {
    await this.asyncRequests.record(submission, segment, lines);
  }

  async resultsView(fromRequest: number, maxChunks: number): Promise<ResultsView> {
    const state = this.stateRow.load();
    return {
      status: state?.batch.status ?? "validating",
      stop: state?.stop ?? null,
      chunks: state ? this.ledger.chunksFrom(fromRequest, maxChunks) : [],
    };
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
      await this.ending.onTerminal(state);
      return;
    }
    switch (kind) {
      case "expire":
        await this.timers.clear("expire");
        await this.ending.expire(state);
        return;
      case "finalize":
        await this.ending.finalize(state);
        return;
      case "watchdog":
        await redriveBatch(state, {
          stateRow: this.stateRow,
          ledger: this.ledger,
          timers: this.timers,
          ending: this.ending,
          dispatcher: this.dispatcher,
          queue: this.deps.queue,
          dispatch: () => this.dispatch(state),
        });
        await this.asyncRequests.pollDue(state);
        await this.timers.set("watchdog", Date.now() + WATCHDOG_INTERVAL_MS);
        return;
    }
  }

  // ---- dispatch and finalize ---------------------------------------------------------------

  private async dispatch(state: CoordinatorState): Promise<void> {
    if (state.stop !== null || state.batch.status !== "in_progress" || isPaused(state)) {
      return;
    }
    await this.dispatcher.fill(state.batch.id);
  }
}
