import type { BatchParams } from "../domain/batch-params";
import type { ProjectId } from "../domain/ids";
import type { ChunkPlan } from "../domain/jsonl/chunk-planner";
import type { Batch, BatchError } from "../schemas/batch";
import type { WebhookDelivery } from "../schemas/webhook";

export type ValidationOutcome =
  | { ok: true; total: number; model: string; chunks: ChunkPlan[] }
  /** `model`: the batch's model as far as validation got to know it. */
  | { ok: false; model: string | null; errors: BatchError[] };

export type ValidationLease =
  | { run: false }
  | { run: true; endpoint: string; inputKey: string; baseModel: string | null };

export type ChunkLease =
  | { run: false; reason: "not_running" | "leased" | "done" | "unknown_chunk" }
  | {
      run: true;
      chunk: ChunkPlan;
      /** Requests of this chunk already in the ledger: never sent to the model again. */
      doneRequests: number[];
      endpoint: string;
      inputKey: string;
      baseModel: string | null;
      /** Epoch ms after which no line may start (the batch's expires_at). */
      deadlineMs: number;
      /** The batch's project and its lines not yet recorded: the pool limiter's fair share. */
      projectId: ProjectId;
      remaining: number;
      /** Requests of this chunk waiting on an async request: neither run nor sent again. */
      awaitingAsync: number[];
      /** Requests whose async request failed: they run on the synchronous path only. */
      syncOnly: number[];
    };

/** What a collect job needs to turn an async request's answer into lines. */
export type AsyncCollectLease =
  | { run: false }
  | {
      run: true;
      requestId: string;
      model: string;
      chunk: ChunkPlan;
      /** The request's lines by item index. */
      requestIndexes: number[];
      endpoint: string;
      inputKey: string;
      baseModel: string | null;
    };

export type AsyncSubmitLease = { ok: true; submission: number } | { ok: false };

export type LineUsage = { input: number; output: number; cached: number; reasoning: number };

export type LineRecord = {
  requestIndex: number;
  outcome: "completed" | "failed";
  /** Position of the line's JSON in its segment object. */
  position: number;
  usage: LineUsage | null;
  /** Which path ran it (lines that never reached the model have none). */
  execution?: "sync" | "async";
};

/** `proceed: false` tells a chunk runner to start no new lines (cancelled, expired, finalizing). */
export type RecordResult = { proceed: boolean; chunkComplete: boolean };

/** One recorded line: where its result text is (segment key and position in it). */
export type LedgerLine = {
  request_index: number;
  outcome: "completed" | "failed";
  segment: string;
  position: number;
};

export type ChunkResults = { plan: ChunkPlan; lines: LedgerLine[] };

/** What the results endpoint reads from the ledger: a run of chunks and the lines recorded in them. */
export type ResultsView = {
  status: Batch["status"];
  /** Why dispatch stopped early, once it did: decides what an unrun line is called. */
  stop: "cancel" | "expire" | null;
  chunks: ChunkResults[];
};

export type CancelResult = { ok: true; batch: Batch } | { ok: false; batch: Batch };

/** `ok: false`: the batch is terminal (or, for a pause, already ending), with the batch as it is. */
export type PauseResult = { ok: boolean; batch: Batch };

/**
 * The RPC surface of a batch's coordinator (`BatchCoordinator` implements it). Callers and test
 * fakes depend on this, never on the Durable Object class.
 */
export interface Coordinator {
  /** Starts a new batch (idempotent: a second call returns the existing batch unchanged). */
  init(batch: Batch, params: BatchParams): Promise<Batch>;
  snapshot(): Promise<Batch | null>;
  /** The batch's webhook deliveries; empty until it ends. */
  webhookDeliveries(): Promise<WebhookDelivery[]>;
  beginValidation(): Promise<ValidationLease>;
  /** The validate job's verdict. Ignored unless the batch is still validating. */
  validated(outcome: ValidationOutcome): Promise<Batch>;
  /** Cancels the batch: no new dispatch at once, in-flight lines finish, then partial files. */
  cancel(): Promise<CancelResult>;
  /** Pauses dispatch and new lines (idempotent); in-flight lines finish; the deadline still applies. */
  pause(): Promise<PauseResult>;
  /** Resumes a paused batch's dispatch (idempotent). */
  resume(): Promise<PauseResult>;
  /** Whether runners may start new lines; they ask between flushes so a cancel stops them at once. */
  mayProceed(): Promise<boolean>;
  beginChunk(index: number): Promise<ChunkLease>;
  /**
   * Records finished lines of a chunk (idempotent per request index) and renews the runner's lease.
   * `final` says the runner has stopped working on the chunk; `resend` that it stopped at the end
   * of its time slice with lines left, so the chunk goes back to the queue at once.
   */
  recordLines(
    index: number,
    segment: string,
    lines: LineRecord[],
    final: boolean,
    resend?: boolean,
  ): Promise<RecordResult>;
  /** Runs the watchdog now; the cron trigger calls this for batches that stopped moving. */
  watchdog(): Promise<Batch | null>;
  /** Records an async request a runner is about to send; refused once the batch stopped or paused. */
  beginAsyncSubmit(chunk: number, model: string, requestIndexes: number[]): Promise<AsyncSubmitLease>;
  /** Workers AI accepted the request. */
  asyncSubmitted(submission: number, requestId: string): Promise<void>;
  /** The request failed (refused at submit, or failed on the queue): its lines run synchronously. */
  asyncFailed(submission: number): Promise<void>;
  /** Whether an async request's answer is still wanted, and what turning it into lines needs. */
  beginAsyncCollect(submission: number): Promise<AsyncCollectLease>;
  /**
   * Records an async request's lines (dropped once the batch is cancelled or expired); lines of
   * the request its answer lacked run synchronously.
   */
  recordAsyncLines(submission: number, segment: string, lines: LineRecord[]): Promise<void>;
  /** Up to `maxChunks` chunks holding the requests from `fromRequest` on, with their recorded lines. */
  resultsView(fromRequest: number, maxChunks: number): Promise<ResultsView>;
}
