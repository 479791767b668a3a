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
    };

export type LineUsage = { input: number; output: number; cached: number; reasoning: number };

export type LineRecord = {
  requestIndex: number;
  outcome: "completed" | "failed";
  /** Position of the line's JSON in its segment object. */
  position: number;
  usage: LineUsage | null;
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
   * `final` says the runner has stopped working on the chunk.
   */
  recordLines(index: number, segment: string, lines: LineRecord[], final: boolean): Promise<RecordResult>;
  /** Runs the watchdog now; the cron trigger calls this for batches that stopped moving. */
  watchdog(): Promise<Batch | null>;
  /** Up to `maxChunks` chunks holding the requests from `fromRequest` on, with their recorded lines. */
  resultsView(fromRequest: number, maxChunks: number): Promise<ResultsView>;
}
