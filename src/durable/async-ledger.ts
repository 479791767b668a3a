/**
 * A batch's requests on Workers AI's async batch queue, in the coordinator's SQLite. A request is
 * `submitting` from just before the runner sends it until Workers AI gave its `request_id`
 * (`queued`), then `done` once its lines are recorded, or `failed`. `async_lines` says which
 * request carries each line and at which item index; a line whose request failed for a passing
 * reason keeps a row with no request: it runs on the synchronous path from then on.
 *
 * The row is written before the submit and the request id right after it, so a redelivered chunk
 * message never sends a queued request again. Only a runner that dies between Workers AI's answer
 * and `submitted` leaves a request unknown; its lines are sent again (the ledger records each line
 * once, so counts stay exact).
 */

/** First backstop poll after a submit, then doubling up to the cap: events normally come first. */
const FIRST_POLL_MS = 10_000;
const MAX_POLL_INTERVAL_MS = 120_000;

export type AsyncRequestRow = {
  id: number;
  chunk: number;
  model: string;
  request_id: string | null;
  state: "submitting" | "queued" | "done" | "failed";
  created_at: number;
  next_poll_at: number | null;
  polls: number;
};

export function pollDelayMs(polls: number): number {
  return Math.min(MAX_POLL_INTERVAL_MS, FIRST_POLL_MS * 2 ** Math.min(polls, 10));
}

export class AsyncLedger {
  constructor(private readonly sql: SqlStorage) {}

  /** Records a request about to be sent and the lines it carries (item i = requestIndexes[i]). */
  begin(chunk: number, model: string, requestIndexes: number[], now: number): number {
    const row = this.sql
      .exec<{ id: number }>(
        "INSERT INTO async_requests (chunk, model, state, created_at) VALUES (?, ?, 'submitting', ?) RETURNING id",
        chunk,
        model,
        now,
      )
      .one();
    requestIndexes.forEach((requestIndex, item) => {
      this.sql.exec(
        "INSERT OR REPLACE INTO async_lines (request_index, chunk, submission, item) VALUES (?, ?, ?, ?)",
        requestIndex,
        chunk,
        row.id,
        item,
      );
    });
    return row.id;
  }

  /**
   * Workers AI took the request. One given up on meanwhile (its runner's lease lapsed, its lines
   * went elsewhere) stays failed: no line waits for its answer, so it is never polled.
   */
  submitted(id: number, requestId: string, now: number): void {
    this.sql.exec(
      "UPDATE async_requests SET request_id = ?, state = 'queued', next_poll_at = ? WHERE id = ? AND state = 'submitting'",
      requestId,
      now + pollDelayMs(0),
      id,
    );
  }

  get(id: number): AsyncRequestRow | null {
    return (
      this.sql.exec<AsyncRequestRow>("SELECT * FROM async_requests WHERE id = ?", id).toArray()[0] ?? null
    );
  }

  /** The request indexes a request carries, by item index. */
  linesOf(id: number): number[] {
    return this.sql
      .exec<{ request_index: number }>(
        "SELECT request_index FROM async_lines WHERE submission = ? ORDER BY item",
        id,
      )
      .toArray()
      .map((row) => row.request_index);
  }

  done(id: number): void {
    this.sql.exec("UPDATE async_requests SET state = 'done', next_poll_at = NULL WHERE id = ?", id);
  }

  /**
   * The request failed, or its answer lacked some lines: those of `requestIndexes` (all of them by
   * default) not yet recorded run on the synchronous path from now on.
   */
  fallBack(id: number, requestIndexes?: number[]): void {
    if (requestIndexes === undefined) {
      this.sql.exec("UPDATE async_requests SET state = 'failed', next_poll_at = NULL WHERE id = ?", id);
      this.sql.exec("UPDATE async_lines SET submission = NULL WHERE submission = ?", id);
      return;
    }
    for (const requestIndex of requestIndexes) {
      this.sql.exec(
        "UPDATE async_lines SET submission = NULL WHERE request_index = ? AND submission = ?",
        requestIndex,
        id,
      );
    }
  }

  /**
   * A new runner took the chunk: requests its predecessor began but never saw accepted are given
   * up on, and their lines may be sent again.
   */
  abandonSubmitting(chunk: number): void {
    const rows = this.sql
      .exec<{ id: number }>("SELECT id FROM async_requests WHERE chunk = ? AND state = 'submitting'", chunk)
      .toArray();
    for (const { id } of rows) {
      this.sql.exec("UPDATE async_requests SET state = 'failed' WHERE id = ?", id);
      this.sql.exec("DELETE FROM async_lines WHERE submission = ?", id);
    }
  }

  /** Lines of a chunk that wait on an async request (and are not recorded yet). */
  awaiting(chunk: number): number[] {
    return this.sql
      .exec<{ request_index: number }>(
        `SELECT al.request_index FROM async_lines al JOIN async_requests ar ON ar.id = al.submission
         WHERE al.chunk = ? AND ar.state IN ('submitting', 'queued')
           AND al.request_index NOT IN (SELECT request_index FROM lines WHERE chunk = ?)`,
        chunk,
        chunk,
      )
      .toArray()
      .map((row) => row.request_index);
  }

  /** Lines of a chunk that must run on the synchronous path (their async request failed). */
  syncOnly(chunk: number): number[] {
    return this.sql
      .exec<{ request_index: number }>(
        "SELECT request_index FROM async_lines WHERE chunk = ? AND submission IS NULL",
        chunk,
      )
      .toArray()
      .map((row) => row.request_index);
  }

  /** Queued requests whose backstop poll is due; each gets its next poll time. */
  takeDuePolls(now: number, limit: number): AsyncRequestRow[] {
    const rows = this.sql
      .exec<AsyncRequestRow>(
        "SELECT * FROM async_requests WHERE state = 'queued' AND next_poll_at <= ? ORDER BY next_poll_at LIMIT ?",
        now,
        limit,
      )
      .toArray();
    for (const row of rows) {
      this.sql.exec(
        "UPDATE async_requests SET polls = polls + 1, next_poll_at = ? WHERE id = ?",
        now + pollDelayMs(row.polls + 1),
        row.id,
      );
    }
    return rows;
  }

  /** How many lines and requests wait on the queue: the batch object's `execution` shows them. */
  outstanding(): { requests: number } {
    const row = this.sql
      .exec<{ n: number }>("SELECT COUNT(*) AS n FROM async_requests WHERE state IN ('submitting', 'queued')")
      .one();
    return { requests: row.n };
  }
}
