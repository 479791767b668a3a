/**
 * Progress display on stderr: a redrawn bar on a terminal, plain log lines otherwise (CI logs,
 * pipes), where a line per poll would flood the log. The formatting is pure for tests.
 */

/**
 * @typedef {object} Snapshot
 * @property {string} status
 * @property {number} completed
 * @property {number} failed
 * @property {number} total
 * @property {number | null} ratePerSec finished lines per second, null until measurable
 * @property {number | null} etaSec
 */

/** @param {number} seconds */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) {
    return `${s}s`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  }
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** @param {Snapshot} snap */
function figures(snap) {
  const done = snap.completed + snap.failed;
  const parts = [`${done}/${snap.total || "?"}`, `${snap.completed} ok`, `${snap.failed} failed`];
  if (snap.ratePerSec !== null) {
    parts.push(`${snap.ratePerSec.toFixed(snap.ratePerSec < 10 ? 1 : 0)}/s`);
  }
  if (snap.etaSec !== null) {
    parts.push(`ETA ${formatDuration(snap.etaSec)}`);
  }
  return parts.join("  ");
}

/**
 * One terminal line: status, bar, counts, rate, ETA.
 * @param {Snapshot} snap
 * @param {number} columns terminal width
 */
export function formatBar(snap, columns) {
  const text = `${figures(snap)}`;
  const head = snap.status.padEnd(11);
  const width = Math.max(10, Math.min(40, columns - head.length - text.length - 6));
  const done = snap.completed + snap.failed;
  const filled = snap.total > 0 ? Math.min(width, Math.floor((done / snap.total) * width)) : 0;
  return `${head} [${"█".repeat(filled)}${"░".repeat(width - filled)}] ${text}`.slice(
    0,
    Math.max(columns - 1, 20),
  );
}

/** @param {string} batchId @param {Snapshot} snap */
export function formatLogLine(batchId, snap) {
  return `run-batch: ${batchId} ${snap.status}: ${figures(snap)}`;
}

/** Rate and ETA from the first and latest observations of the finished-line count. */
export class RateMeter {
  /** @param {() => number} now milliseconds */
  constructor(now) {
    this.now = now;
    /** @type {{ at: number, done: number } | null} */
    this.first = null;
  }

  /** @param {number} done @param {number} total @returns {{ ratePerSec: number | null, etaSec: number | null }} */
  sample(done, total) {
    const at = this.now();
    if (this.first === null) {
      this.first = { at, done };
      return { ratePerSec: null, etaSec: null };
    }
    const seconds = (at - this.first.at) / 1000;
    if (seconds <= 0 || done <= this.first.done) {
      return { ratePerSec: null, etaSec: null };
    }
    const ratePerSec = (done - this.first.done) / seconds;
    return { ratePerSec, etaSec: total > done ? (total - done) / ratePerSec : 0 };
  }
}

/** @typedef {{ status: string, request_counts?: { total?: number, completed?: number, failed?: number } | null }} BatchLike */

export class ProgressReporter {
  /**
   * @param {object} args
   * @param {string} args.batchId
   * @param {NodeJS.WriteStream | { write(s: string): unknown, isTTY?: boolean, columns?: number }} args.stream
   * @param {() => number} [args.now]
   * @param {number} [args.logEveryMs] least time between two log lines without a status change
   */
  constructor({ batchId, stream, now = Date.now, logEveryMs = 10_000 }) {
    this.batchId = batchId;
    this.stream = stream;
    this.tty = Boolean(stream.isTTY);
    this.now = now;
    this.logEveryMs = logEveryMs;
    this.meter = new RateMeter(now);
    /** @type {{ status: string, done: number, at: number } | null} */
    this.lastLog = null;
    this.drawn = false;
  }

  /** @param {BatchLike} batch */
  update(batch) {
    const counts = batch.request_counts ?? {};
    const completed = counts.completed ?? 0;
    const failed = counts.failed ?? 0;
    const total = counts.total ?? 0;
    const running = batch.status === "in_progress" || batch.status === "finalizing";
    const { ratePerSec, etaSec } = running
      ? this.meter.sample(completed + failed, total)
      : { ratePerSec: null, etaSec: null };
    /** @type {Snapshot} */
    const snap = { status: batch.status, completed, failed, total, ratePerSec, etaSec };
    if (this.tty) {
      this.stream.write(`\r\x1b[2K${formatBar(snap, this.stream.columns ?? 80)}`);
      this.drawn = true;
      return;
    }
    const at = this.now();
    const done = completed + failed;
    const last = this.lastLog;
    const due =
      last === null ||
      last.status !== snap.status ||
      (at - last.at >= this.logEveryMs && (done !== last.done || at - last.at >= 6 * this.logEveryMs));
    if (due) {
      this.stream.write(`${formatLogLine(this.batchId, snap)}\n`);
      this.lastLog = { status: snap.status, done, at };
    }
  }

  /** Prints a message without garbling the bar. @param {string} message */
  note(message) {
    this.stream.write(`${this.tty && this.drawn ? "\r\x1b[2K" : ""}${message}\n`);
    this.drawn = false;
  }

  /** Leaves the last bar on screen and moves to a new line. */
  end() {
    if (this.tty && this.drawn) {
      this.stream.write("\n");
      this.drawn = false;
    }
  }
}
