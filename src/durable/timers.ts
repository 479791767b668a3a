/**
 * A Durable Object has one alarm; this multiplexes several named due times onto it. The alarm is
 * always armed for the earliest due timer, and a handler that throws is retried with backoff.
 */
export type TimerKind = "expire" | "finalize" | "watchdog" | "webhooks";

const RETRY_BASE_MS = 1_000;
const RETRY_CAP_MS = 60_000;

export class Timers {
  private failures = new Map<TimerKind, number>();

  constructor(
    private readonly sql: SqlStorage,
    private readonly storage: DurableObjectStorage,
  ) {}

  async set(kind: TimerKind, dueAt: number): Promise<void> {
    this.sql.exec("INSERT OR REPLACE INTO timers (kind, due_at) VALUES (?, ?)", kind, Math.floor(dueAt));
    await this.arm();
  }

  async clear(kind: TimerKind): Promise<void> {
    this.sql.exec("DELETE FROM timers WHERE kind = ?", kind);
    await this.arm();
  }

  due(kind: TimerKind): number | null {
    const row = this.sql
      .exec<{ due_at: number }>("SELECT due_at FROM timers WHERE kind = ?", kind)
      .toArray()[0];
    return row?.due_at ?? null;
  }

  /** Runs every due timer once. A handler clears or re-sets its own timer; one that throws is retried. */
  async runDue(handler: (kind: TimerKind) => Promise<void>): Promise<void> {
    const now = Date.now();
    const due = this.sql
      .exec<{ kind: TimerKind; due_at: number }>(
        "SELECT kind, due_at FROM timers WHERE due_at <= ? ORDER BY due_at",
        now,
      )
      .toArray();
    for (const { kind, due_at: dueAt } of due) {
      try {
        await handler(kind);
        this.failures.delete(kind);
      } catch (err) {
        const failures = (this.failures.get(kind) ?? 0) + 1;
        this.failures.set(kind, failures);
        const delay = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (failures - 1));
        console.error(JSON.stringify({ msg: "timer failed", kind, failures, err: String(err) }));
        // only push the timer back if the handler did not already move it
        if (this.due(kind) === dueAt) {
          this.sql.exec("UPDATE timers SET due_at = ? WHERE kind = ?", Date.now() + delay, kind);
        }
      }
    }
    await this.arm();
  }

  private async arm(): Promise<void> {
    const next = this.sql
      .exec<{ due_at: number | null }>("SELECT MIN(due_at) AS due_at FROM timers")
      .toArray()[0];
    if (next?.due_at === null || next?.due_at === undefined) {
      await this.storage.deleteAlarm();
      return;
    }
    // an alarm set to "now" from inside alarm() can be dropped; a millisecond later is reliable
    await this.storage.setAlarm(Math.max(next.due_at, Date.now() + 1));
  }
}
