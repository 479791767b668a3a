import type { ChunkPlan } from "../domain/jsonl/chunk-planner";
import { enqueueMessages } from "../queue/messages";
import type { ChunkLedger } from "./chunk-ledger";

/** Chunks queued or running at once per batch; more are dispatched as these finish. */
const DISPATCH_WINDOW = 16;

/**
 * Sends a batch's chunks to the queue: keeps up to DISPATCH_WINDOW in flight, in input order, and
 * sends again those whose message or runner went quiet.
 */
export class ChunkDispatcher {
  constructor(
    private readonly ledger: ChunkLedger,
    private readonly queue: Queue,
  ) {}

  async fill(batchId: string, now: number = Date.now()): Promise<void> {
    const room = DISPATCH_WINDOW - this.ledger.inFlightCount();
    if (room <= 0) {
      return;
    }
    const chunks = this.ledger.takePending(room, now);
    if (chunks.length > 0) {
      await enqueueMessages(
        this.queue,
        chunks.map((chunk) => ({ kind: "run_chunk" as const, batchId, chunk })),
      );
    }
  }

  /** Sends chunks the ledger already marked queued. */
  async send(batchId: string, chunks: ChunkPlan[]): Promise<void> {
    await enqueueMessages(
      this.queue,
      chunks.map((chunk) => ({ kind: "run_chunk" as const, batchId, chunk })),
    );
  }

  /** Returns how many chunks were sent again. */
  async resendStalled(batchId: string, now: number = Date.now()): Promise<number> {
    const stalled = this.ledger.takeStalled(now);
    if (stalled.length > 0) {
      await enqueueMessages(
        this.queue,
        stalled.map((chunk) => ({ kind: "run_chunk" as const, batchId, chunk })),
      );
    }
    return stalled.length;
  }

  /** Sends again every chunk not running now (after a resume); returns how many. */
  async resendIdle(batchId: string, now: number = Date.now()): Promise<number> {
    const idle = this.ledger.takeIdle(now);
    if (idle.length > 0) {
      await enqueueMessages(
        this.queue,
        idle.map((chunk) => ({ kind: "run_chunk" as const, batchId, chunk })),
      );
    }
    return idle.length;
  }
}
