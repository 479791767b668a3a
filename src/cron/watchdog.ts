import type { Deps } from "../app/deps";
import { isTerminal } from "../domain/batch-status";
import { nowSeconds } from "../domain/time";

/**
 * The backstop for batches whose own alarm or queue message was lost: every live batch with no
 * progress for `watchdogStallSeconds` is re-driven through its coordinator, which re-enqueues only
 * chunks whose lease ran out (its ledger keeps finished lines from running twice), retries
 * finalize, or expires a batch past `expires_at`.
 */

export type WatchdogReport = { redriven: number; failed: number };

/** Batches re-driven per invocation; the rest wait for the next minute. */
const WATCHDOG_BATCH_LIMIT = 50;

export async function runWatchdog(
  deps: Deps,
  options: { now: number; limit?: number },
): Promise<WatchdogReport> {
  const now = nowSeconds(options.now);
  const stale = await deps.batches.listStale(
    now - deps.config.watchdogStallSeconds,
    options.limit ?? WATCHDOG_BATCH_LIMIT,
  );
  const report: WatchdogReport = { redriven: 0, failed: 0 };
  for (const row of stale) {
    const id = row.batch.id;
    try {
      const coordinator = deps.coordinators.get(id);
      // null: the coordinator never started (a crash between the D1 row and its init); start it now
      const batch = (await coordinator.watchdog()) ?? (await coordinator.init(row.batch, row.params));
      if (isTerminal(batch.status)) {
        // the coordinator finished but its last mirror to D1 was lost; copy its final state over
        await deps.batches.mirror(batch, now);
      }
      report.redriven++;
      console.warn(
        JSON.stringify({
          msg: "watchdog re-drove a stalled batch",
          batchId: id,
          was: row.batch.status,
          now: batch.status,
          idleSeconds: now - row.updatedAt,
        }),
      );
    } catch (err) {
      report.failed++;
      console.error(
        JSON.stringify({ msg: "watchdog could not re-drive a batch", batchId: id, err: String(err) }),
      );
    }
  }
  return report;
}
