import type { ChunkPlan } from "../domain/jsonl/chunk-planner";
import type { BatchError } from "../schemas/batch";

/** A run of consecutive request lines of the input file: the unit of work of a queue message. */
export type ChunkSpec = ChunkPlan;

export type ValidationOutcome =
  | { ok: true; total: number; model: string; chunks: ChunkSpec[] }
  /** `model`: the batch's model as far as validation got to know it. */
  | { ok: false; model: string | null; errors: BatchError[] };

export type ValidationLease =
  | { run: false }
  | { run: true; endpoint: string; inputKey: string; baseModel: string | null };

export type ChunkLease =
  | { run: false; reason: "not_running" | "leased" | "done" | "unknown_chunk" }
  | {
      run: true;
      chunk: ChunkSpec;
      /** Requests of this chunk already in the ledger: never sent to the model again. */
      doneRequests: number[];
      endpoint: string;
      inputKey: string;
      baseModel: string | null;
      /** Epoch ms after which no line may start (the batch's expires_at). */
      deadlineMs: number;
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
