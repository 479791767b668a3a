import { isTerminal } from "../domain/batch-status";
import { enqueueMessages } from "../queue/messages";
import type { AsyncLedger } from "./async-ledger";
import {
  type CoordinatorState,
  countAdded,
  type D1Mirror,
  executionOf,
  isPaused,
  type StateRow,
} from "./batch-state";
import type { ChunkDispatcher } from "./chunk-dispatcher";
import type { ChunkLedger } from "./chunk-ledger";
import type { AsyncCollectLease, AsyncSubmitLease, LineRecord } from "./coordinator-types";
import type { Timers } from "./timers";
import type { UsageLedger } from "./usage-ledger";

/** Backstop polls sent per watchdog pass; the rest wait for the next pass (15 s later). */
const POLLS_PER_PASS = 50;

export type AsyncParts = {
  stateRow: StateRow;
  ledger: ChunkLedger;
  asyncLedger: AsyncLedger;
  timers: Timers;
  mirrorToD1: D1Mirror;
  usage: UsageLedger;
  flushUsage: (state: CoordinatorState) => Promise<void>;
  dispatcher: () => ChunkDispatcher;
  queue: () => Queue;
};

function accepting(state: CoordinatorState | null): state is CoordinatorState {
  return (
    state !== null &&
    state.stop === null &&
    state.finalizeStartedAt === null &&
    !isTerminal(state.batch.status) &&
    state.batch.status !== "cancelling"
  );
}

function showPending(state: CoordinatorState, asyncLedger: AsyncLedger): void {
  const pending = asyncLedger.outstanding().requests;
  if (state.batch.execution || pending > 0) {
    executionOf(state).async_requests_pending = pending;
  }
}

/**
 * The coordinator's side of Workers AI's async batch queue: records each request before it is
 * sent and its id after, hands collect jobs what they need, records the answers into the same line
 * ledger as synchronous lines (so the output keeps input order and counts stay exact), drops
 * answers that come after a cancel or the expiry, and polls as a backstop for lost events.
 */
export class BatchAsync {
  constructor(private readonly parts: AsyncParts) {}

  beginSubmit(chunk: number, model: string, requestIndexes: number[]): AsyncSubmitLease {
    const state = this.parts.stateRow.load();
    if (!accepting(state) || state.batch.status !== "in_progress" || isPaused(state)) {
      return { ok: false };
    }
    const submission = this.parts.asyncLedger.begin(chunk, model, requestIndexes, Date.now());
    showPending(state, this.parts.asyncLedger);
    this.parts.stateRow.save(state);
    return { ok: true, submission };
  }

  submitted(submission: number, requestId: string): void {
    this.parts.asyncLedger.submitted(submission, requestId, Date.now());
  }

  /** The request's lines run synchronously: its chunk is sent again if nobody holds it. */
  async failed(submission: number): Promise<void> {
    const row = this.parts.asyncLedger.get(submission);
    if (!row || row.state === "done" || row.state === "failed") {
      return;
    }
    this.parts.asyncLedger.fallBack(submission);
    await this.wakeChunk(row.chunk);
  }

  beginCollect(submission: number): AsyncCollectLease {
    const state = this.parts.stateRow.load();
    const row = this.parts.asyncLedger.get(submission);
    const chunk = row ? this.parts.ledger.plan(row.chunk) : null;
    if (!accepting(state) || row?.state !== "queued" || row.request_id === null || !chunk) {
      return { run: false };
    }
    return {
      run: true,
      requestId: row.request_id,
      model: row.model,
      chunk,
      requestIndexes: this.parts.asyncLedger.linesOf(submission),
      endpoint: state.batch.endpoint,
      inputKey: state.params.inputKey,
      baseModel: state.params.baseModel,
    };
  }

  async record(submission: number, segment: string, lines: LineRecord[]): Promise<void> {
    const state = this.parts.stateRow.load();
    const row = this.parts.asyncLedger.get(submission);
    // after a cancel or the expiry an answer is dropped, never counted: finalize names those lines
    if (!accepting(state) || row?.state !== "queued") {
      return;
    }
    const now = Date.now();
    const { added, chunkComplete } = this.parts.ledger.recordAsync(row.chunk, segment, lines);
    countAdded(state, added);
    this.parts.usage.add(now, added);
    const answered = new Set(lines.map((line) => line.requestIndex));
    const missing = this.parts.asyncLedger.linesOf(submission).filter((index) => !answered.has(index));
    this.parts.asyncLedger.done(submission);
    if (missing.length > 0) {
      this.parts.asyncLedger.fallBack(submission, missing);
    }
    if (added.length > 0) {
      state.lastProgressAt = now;
    }
    showPending(state, this.parts.asyncLedger);
    this.parts.stateRow.save(state);
    if (missing.length > 0) {
      await this.wakeChunk(row.chunk);
    }
    if (chunkComplete && this.parts.ledger.allDone()) {
      await this.parts.timers.set("finalize", now);
    }
    await this.parts.flushUsage(state);
    await this.parts.mirrorToD1.mirror(state);
  }

  /** The watchdog's backstop: polls requests whose completion event has not come. */
  async pollDue(state: CoordinatorState): Promise<void> {
    if (!accepting(state)) {
      return;
    }
    const due = this.parts.asyncLedger.takeDuePolls(Date.now(), POLLS_PER_PASS);
    if (due.length > 0) {
      await enqueueMessages(
        this.parts.queue(),
        due.map((row) => ({ kind: "collect_async" as const, batchId: state.batch.id, submission: row.id })),
      );
    }
  }

  private async wakeChunk(chunk: number): Promise<void> {
    const state = this.parts.stateRow.load();
    if (!accepting(state)) {
      return;
    }
    const plan = this.parts.ledger.wake(chunk, Date.now());
    if (plan && !isPaused(state)) {
      await this.parts.dispatcher().send(state.batch.id, [plan]);
    }
  }
}
