import type { ChunkPlan } from "../domain/jsonl/chunk-planner";
import type { ChunkResults, LedgerLine, LineRecord } from "./coordinator-types";

/** A running chunk whose runner has not reported for this long is presumed lost. */
export const LEASE_MS = 30_000;

type ChunkRow = {
  idx: number;
  byte_start: number;
  byte_end: number;
  first_line: number;
  first_request: number;
  request_count: number;
  state: "pending" | "queued" | "running" | "waiting" | "done";
  done_count: number;
  dispatched_at: number | null;
  lease_until: number | null;
};

export type RecordedLines = {
  /** Lines that were new to the ledger (a line recorded twice counts once). */
  added: LineRecord[];
  chunkComplete: boolean;
  /** The runner let go of the chunk with lines left to run: it is `queued` again. */
  requeued?: ChunkPlan;
};

function toSpec(row: ChunkRow): ChunkPlan {
  return {
    index: row.idx,
    byteStart: row.byte_start,
    byteEnd: row.byte_end,
    firstLine: row.first_line,
    firstRequest: row.first_request,
    requestCount: row.request_count,
  };
}

/**
 * The chunk plan and the per-line outcome ledger of one batch, in the coordinator's SQLite.
 * A chunk is pending → queued (a message was sent) → running (a runner holds a lease) → done;
 * a runner that leaves only lines waiting on Workers AI's async queue leaves it `waiting` (neither
 * in flight nor stalled) until their answers complete it. A line is recorded at most once
 * (INSERT OR IGNORE on its request index).
 */
export class ChunkLedger {
  constructor(private readonly sql: SqlStorage) {}

  insertPlan(chunks: ChunkPlan[]): void {
    for (const chunk of chunks) {
      this.sql.exec(
        `INSERT OR IGNORE INTO chunks (idx, byte_start, byte_end, first_line, first_request, request_count, state)
         VALUES (?, ?, ?, ?, ?, ?, 'pending')`,
        chunk.index,
        chunk.byteStart,
        chunk.byteEnd,
        chunk.firstLine,
        chunk.firstRequest,
        chunk.requestCount,
      );
    }
  }

  all(): ChunkPlan[] {
    return this.sql.exec<ChunkRow>("SELECT * FROM chunks ORDER BY idx").toArray().map(toSpec);
  }

  /** Gives a runner the chunk, unless it is done or another runner's lease is still valid. */
  lease(
    index: number,
    now: number,
  ):
    | { ok: true; chunk: ChunkPlan; doneRequests: number[] }
    | { ok: false; reason: "done" | "leased" | "unknown_chunk" } {
    const row = this.sql.exec<ChunkRow>("SELECT * FROM chunks WHERE idx = ?", index).toArray()[0];
    if (!row) {
      return { ok: false, reason: "unknown_chunk" };
    }
    if (row.state === "done") {
      return { ok: false, reason: "done" };
    }
    if (row.state === "running" && (row.lease_until ?? 0) > now) {
      return { ok: false, reason: "leased" };
    }
    this.sql.exec(
      "UPDATE chunks SET state = 'running', lease_until = ? WHERE idx = ?",
      now + LEASE_MS,
      index,
    );
    const doneRequests = this.sql
      .exec<{ request_index: number }>("SELECT request_index FROM lines WHERE chunk = ?", index)
      .toArray()
      .map((r) => r.request_index);
    return { ok: true, chunk: toSpec(row), doneRequests };
  }

  /**
   * Records finished lines and renews the lease; `final` releases it. A chunk whose runner stopped
   * short goes back to `queued`, where the watchdog finds it once `dispatched_at` is old, unless
   * all its unfinished lines wait on async requests (`awaitingAsync`): then it is `waiting`.
   */
  record(
    index: number,
    segment: string,
    lines: LineRecord[],
    final: boolean,
    now: number,
    awaitingAsync = 0,
  ): RecordedLines {
    const added = this.insertLines(index, segment, lines);
    const row = this.row(index);
    if (!row) {
      return { added, chunkComplete: false };
    }
    const doneCount = row.done_count + added.length;
    const complete = doneCount >= row.request_count;
    if (complete) {
      this.sql.exec(
        "UPDATE chunks SET done_count = ?, state = 'done', lease_until = NULL WHERE idx = ?",
        doneCount,
        index,
      );
    } else if (final) {
      const state = doneCount + awaitingAsync >= row.request_count ? "waiting" : "queued";
      this.sql.exec(
        "UPDATE chunks SET done_count = ?, state = ?, lease_until = NULL, dispatched_at = ? WHERE idx = ?",
        doneCount,
        state,
        now,
        index,
      );
      if (state === "queued") {
        return { added, chunkComplete: false, requeued: toSpec(row) };
      }
    } else {
      this.sql.exec(
        "UPDATE chunks SET done_count = ?, state = 'running', lease_until = ? WHERE idx = ?",
        doneCount,
        now + LEASE_MS,
        index,
      );
    }
    return { added, chunkComplete: complete };
  }

  /** Records lines an async request answered; the chunk's state changes only when they complete it. */
  recordAsync(index: number, segment: string, lines: LineRecord[]): RecordedLines {
    const added = this.insertLines(index, segment, lines);
    const row = this.row(index);
    if (!row) {
      return { added, chunkComplete: false };
    }
    const doneCount = row.done_count + added.length;
    const complete = doneCount >= row.request_count;
    this.sql.exec(
      `UPDATE chunks SET done_count = ?, state = CASE WHEN ? THEN 'done' ELSE state END,
         lease_until = CASE WHEN ? THEN NULL ELSE lease_until END WHERE idx = ?`,
      doneCount,
      complete ? 1 : 0,
      complete ? 1 : 0,
      index,
    );
    return { added, chunkComplete: complete };
  }

  /**
   * A waiting chunk whose lines must now run synchronously (their async request failed): queued
   * again and returned for sending; null when it is not waiting (a runner has it, or it is done).
   */
  wake(index: number, now: number): ChunkPlan | null {
    const row = this.row(index);
    if (row?.state !== "waiting") {
      return null;
    }
    this.sql.exec("UPDATE chunks SET state = 'queued', dispatched_at = ? WHERE idx = ?", now, index);
    return toSpec(row);
  }

  plan(index: number): ChunkPlan | null {
    const row = this.row(index);
    return row ? toSpec(row) : null;
  }

  private row(index: number): ChunkRow | undefined {
    return this.sql.exec<ChunkRow>("SELECT * FROM chunks WHERE idx = ?", index).toArray()[0];
  }

  private insertLines(index: number, segment: string, lines: LineRecord[]): LineRecord[] {
    const added: LineRecord[] = [];
    for (const line of lines) {
      const cursor = this.sql.exec(
        "INSERT OR IGNORE INTO lines (request_index, chunk, outcome, segment, position) VALUES (?, ?, ?, ?, ?)",
        line.requestIndex,
        index,
        line.outcome,
        segment,
        line.position,
      );
      if (cursor.rowsWritten > 0) {
        added.push(line);
      }
    }
    return added;
  }

  /** Up to `maxChunks` chunks, in order, holding the requests from `fromRequest` on, with their lines. */
  chunksFrom(fromRequest: number, maxChunks: number): ChunkResults[] {
    return this.sql
      .exec<ChunkRow>(
        "SELECT * FROM chunks WHERE first_request + request_count > ? ORDER BY idx LIMIT ?",
        fromRequest,
        maxChunks,
      )
      .toArray()
      .map((row) => ({ plan: toSpec(row), lines: this.linesOf(row.idx) }));
  }

  linesOf(chunk: number): LedgerLine[] {
    return this.sql
      .exec<LedgerLine>(
        "SELECT request_index, outcome, segment, position FROM lines WHERE chunk = ? ORDER BY request_index",
        chunk,
      )
      .toArray();
  }

  runningCount(now: number): number {
    return (
      this.sql
        .exec<{ n: number }>(
          "SELECT COUNT(*) AS n FROM chunks WHERE state = 'running' AND lease_until > ?",
          now,
        )
        .toArray()[0]?.n ?? 0
    );
  }

  inFlightCount(): number {
    return (
      this.sql
        .exec<{ n: number }>("SELECT COUNT(*) AS n FROM chunks WHERE state IN ('queued', 'running')")
        .toArray()[0]?.n ?? 0
    );
  }

  allDone(): boolean {
    return (
      (this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM chunks WHERE state != 'done'").toArray()[0]
        ?.n ?? 0) === 0
    );
  }

  /** Marks up to `limit` pending chunks queued, in input order, and returns them for sending. */
  takePending(limit: number, now: number): ChunkPlan[] {
    const rows = this.sql
      .exec<ChunkRow>("SELECT * FROM chunks WHERE state = 'pending' ORDER BY idx LIMIT ?", limit)
      .toArray();
    for (const row of rows) {
      this.sql.exec("UPDATE chunks SET state = 'queued', dispatched_at = ? WHERE idx = ?", now, row.idx);
    }
    return rows.map(toSpec);
  }

  /** Chunks whose message or runner went quiet for a lease period; marked queued again for re-sending. */
  takeStalled(now: number): ChunkPlan[] {
    const rows = this.sql
      .exec<ChunkRow>(
        "SELECT * FROM chunks WHERE (state = 'queued' AND dispatched_at < ?) OR (state = 'running' AND lease_until < ?) ORDER BY idx",
        now - LEASE_MS,
        now,
      )
      .toArray();
    for (const row of rows) {
      this.sql.exec("UPDATE chunks SET state = 'queued', dispatched_at = ? WHERE idx = ?", now, row.idx);
    }
    return rows.map(toSpec);
  }

  /**
   * Chunks sent but not running now (their runner stopped, or their message was refused while the
   * batch was paused): marked queued again for re-sending at once, without waiting for the watchdog.
   */
  takeIdle(now: number): ChunkPlan[] {
    const rows = this.sql
      .exec<ChunkRow>(
        "SELECT * FROM chunks WHERE state = 'queued' OR (state = 'running' AND lease_until < ?) ORDER BY idx",
        now,
      )
      .toArray();
    for (const row of rows) {
      this.sql.exec("UPDATE chunks SET state = 'queued', dispatched_at = ? WHERE idx = ?", now, row.idx);
    }
    return rows.map(toSpec);
  }
}
