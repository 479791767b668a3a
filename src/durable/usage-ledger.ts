import type { UsageKind, UsageStore } from "../storage/d1/usage-store";
import type { LineRecord } from "./coordinator-types";

/** Which D1 rollup rows a batch's usage goes to (everything but the minute). */
export type UsageKey = {
  kind: UsageKind;
  projectId: string;
  model: string;
  apiKeyId: string;
  batchId: string;
};

type MinuteRow = {
  minute: number;
  input: number;
  output: number;
  cached: number;
  requests: number;
  version: number;
};

/** At most one D1 write of a live batch's usage per this interval; the terminal flush always writes. */
const FLUSH_INTERVAL_MS = 1_000;

/**
 * A batch's model usage per minute, in the coordinator's SQLite: lines are added in the same
 * synchronous step that inserts them into the line ledger, so a line counts once however often its
 * chunk is delivered. `flush` copies changed minutes to D1 as absolute totals with a growing version
 * (one statement per changed minute, usually one), so a retried flush cannot count twice; what a
 * skipped flush leaves is kept here and written by the next one.
 */
export class UsageLedger {
  private lastFlushAt = 0;

  constructor(
    private readonly sql: SqlStorage,
    private readonly store: () => UsageStore,
  ) {}

  /** Adds the lines the ledger just accepted; a completed line is one model request. */
  add(nowMs: number, lines: LineRecord[]): void {
    let input = 0;
    let output = 0;
    let cached = 0;
    let requests = 0;
    for (const line of lines) {
      input += line.usage?.input ?? 0;
      output += line.usage?.output ?? 0;
      cached += line.usage?.cached ?? 0;
      requests += line.outcome === "completed" ? 1 : 0;
    }
    if (input + output + cached + requests === 0) {
      return;
    }
    const minute = Math.floor(nowMs / 60_000) * 60;
    this.sql.exec(
      `INSERT INTO usage_minutes (minute, input, output, cached, requests, version) VALUES (?, ?, ?, ?, ?, 1)
       ON CONFLICT (minute) DO UPDATE SET input = input + excluded.input, output = output + excluded.output,
         cached = cached + excluded.cached, requests = requests + excluded.requests, version = version + 1`,
      minute,
      input,
      output,
      cached,
      requests,
    );
  }

  /** Writes the minutes that changed since the last write to D1 (at most once a second unless `force`). */
  async flush(key: UsageKey, force = false): Promise<void> {
    const now = Date.now();
    if (!force && now - this.lastFlushAt < FLUSH_INTERVAL_MS) {
      return;
    }
    const rows = this.sql
      .exec<MinuteRow>(
        "SELECT minute, input, output, cached, requests, version FROM usage_minutes WHERE version > flushed_version",
      )
      .toArray();
    if (rows.length === 0) {
      return;
    }
    this.lastFlushAt = now;
    await this.store().putBatchTotals(rows.map((row) => ({ ...key, ...row })));
    for (const row of rows) {
      // a line added while the write was on its way raised the version: that minute stays dirty
      this.sql.exec(
        "UPDATE usage_minutes SET flushed_version = ? WHERE minute = ? AND flushed_version < ?",
        row.version,
        row.minute,
        row.version,
      );
    }
  }
}
