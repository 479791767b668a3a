import type { Deps } from "../../app/deps";
import type { LineRecord } from "../../durable/coordinator-types";

/**
 * A finished line is written out and counted at most this long after it finished, so counts stay
 * current and an expiry or a crash finds it recorded; a full buffer of FLUSH_LINES goes at once.
 */
const FLUSH_INTERVAL_MS = 1_000;
const FLUSH_LINES = 32;
/** How often a runner with nothing to flush renews its lease (a third of LEASE_MS). */
export const HEARTBEAT_MS = 10_000;
/** Between flushes, how often a runner asks whether the batch was cancelled or expired. */
export const STOP_CHECK_MS = 500;

export type Finished = { requestIndex: number; text: string; record: Omit<LineRecord, "position"> };

/**
 * Buffers finished lines and writes them as one R2 segment plus one coordinator call per flush.
 * Flushes are serialized, so each segment's positions are stable.
 */
export class ResultFlusher {
  private pending: Finished[] = [];
  private chain: Promise<void> = Promise.resolve();
  private lastFlush = Date.now();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private failure: unknown = null;
  private chunkComplete = false;
  proceed = true;

  constructor(
    private readonly deps: Deps,
    private readonly batchId: string,
    private readonly chunk: number,
  ) {}

  /** Asks the coordinator whether to go on, unless a flush just answered that. */
  async checkStop(): Promise<void> {
    if (this.proceed && Date.now() - this.lastFlush >= STOP_CHECK_MS) {
      this.proceed &&= await this.deps.coordinators.get(this.batchId).mayProceed();
    }
  }

  add(finished: Finished): void {
    this.pending.push(finished);
    const sinceFlush = Date.now() - this.lastFlush;
    if (this.pending.length >= FLUSH_LINES || sinceFlush >= FLUSH_INTERVAL_MS) {
      void this.flush(false);
    } else {
      this.timer ??= setTimeout(() => void this.flush(false), FLUSH_INTERVAL_MS - sinceFlush);
    }
  }

  /**
   * Queues a flush. A failed write stops the runner; its lines were never recorded, so they run
   * again. `resend`, with `final`: the runner stopped with lines left, and the chunk should go
   * back to the queue at once.
   */
  flush(final: boolean, resend = false): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const lines = this.pending;
    this.pending = [];
    this.lastFlush = Date.now();
    this.chain = this.chain.then(async () => {
      if (this.failure !== null) {
        return;
      }
      try {
        await this.write(lines, final, resend);
      } catch (err) {
        this.failure = err;
        this.proceed = false;
      }
    });
    return this.chain.then(() => {
      if (final && this.failure !== null) {
        throw this.failure;
      }
    });
  }

  private async write(lines: Finished[], final: boolean, resend: boolean): Promise<void> {
    if (lines.length === 0 && this.chunkComplete) {
      // the last flush already completed the chunk: nothing to record, no lease left to release
      return;
    }
    const key =
      lines.length > 0
        ? await this.deps.batchWork.writeSegment(
            this.batchId,
            this.chunk,
            lines.map((line) => line.text),
          )
        : "";
    const result = await this.deps.coordinators.get(this.batchId).recordLines(
      this.chunk,
      key,
      lines.map((line, position) => ({ ...line.record, position })),
      final,
      resend,
    );
    this.proceed &&= result.proceed;
    this.chunkComplete ||= result.chunkComplete;
  }
}
