import type { Deps } from "../app/deps";
import { nowSeconds } from "../domain/time";
import { sweepUploads } from "../services/uploads-retention";

/**
 * Reclaims storage, a bounded amount per invocation (the cron has 30 s of CPU; the rest waits for
 * the next minute): expired files (R2 object first, then the D1 row, so a crash in between leaves a
 * row the next sweep retries rather than an object nothing points to), and the chunk results of
 * terminal batches that the coordinator's own best-effort cleanup left behind. Unfinished R2
 * multipart uploads cannot be listed through the binding; the bucket's lifecycle rule aborts them.
 */

export type RetentionLimits = {
  /** Files deleted per invocation, in pages of `filePage`. */
  maxFiles: number;
  filePage: number;
  /** Terminal batches whose chunk results are swept per invocation. */
  maxBatches: number;
};

const DEFAULT_RETENTION_LIMITS: RetentionLimits = { maxFiles: 500, filePage: 100, maxBatches: 25 };

/**
 * A chunk runner writes its results before it reports them, so one still running when its batch
 * ended may write after the coordinator's cleanup; queue consumers live at most 15 minutes.
 */
export const CHUNK_SWEEP_DELAY_SECONDS = 15 * 60;

export type RetentionReport = { filesDeleted: number; batchesSwept: number; uploadPartsDeleted: number };

async function sweepFiles(deps: Deps, now: number, limits: RetentionLimits): Promise<number> {
  let deleted = 0;
  while (deleted < limits.maxFiles) {
    const files = await deps.retention.listExpiredFiles(
      now,
      Math.min(limits.filePage, limits.maxFiles - deleted),
    );
    if (files.length === 0) {
      break;
    }
    await deps.fileContents.deleteMany(files.map((file) => file.id));
    await deps.retention.deleteFiles(
      files.map((file) => file.id),
      now,
    );
    deleted += files.length;
  }
  return deleted;
}

async function sweepChunkResults(deps: Deps, now: number, limits: RetentionLimits): Promise<number> {
  const ids = await deps.retention.listUnsweptBatches(now, CHUNK_SWEEP_DELAY_SECONDS, limits.maxBatches);
  const swept: string[] = [];
  for (const id of ids) {
    try {
      await deps.batchWork.deleteBatch(id);
      swept.push(id);
    } catch (err) {
      console.error(
        JSON.stringify({ msg: "retention could not delete chunk results", batchId: id, err: String(err) }),
      );
    }
  }
  await deps.retention.markSwept(swept, now);
  return swept.length;
}

/** How long an async request id → batch row is kept: the longest completion window (7 days). */
const ASYNC_REQUEST_RETENTION_SECONDS = 7 * 24 * 3600;

export async function runRetention(
  deps: Deps,
  options: { now: number; limits?: RetentionLimits },
): Promise<RetentionReport> {
  const limits = options.limits ?? DEFAULT_RETENTION_LIMITS;
  const now = nowSeconds(options.now);
  // the sweeps touch different data: one failing must not stop the others
  const [files, batches, uploads, asyncRequests] = await Promise.allSettled([
    sweepFiles(deps, now, limits),
    sweepChunkResults(deps, now, limits),
    sweepUploads(deps, now),
    // no batch outlives its 7-day maximum window: older async request ids name nothing live
    deps.asyncRequests.deleteOlderThan(now - ASYNC_REQUEST_RETENTION_SECONDS),
  ]);
  for (const result of [files, batches, uploads, asyncRequests]) {
    if (result.status === "rejected") {
      console.error(JSON.stringify({ msg: "retention sweep failed", err: String(result.reason) }));
    }
  }
  const report = {
    filesDeleted: files.status === "fulfilled" ? files.value : 0,
    batchesSwept: batches.status === "fulfilled" ? batches.value : 0,
    uploadPartsDeleted: uploads.status === "fulfilled" ? uploads.value.partsDeleted : 0,
  };
  if (report.filesDeleted > 0 || report.batchesSwept > 0 || report.uploadPartsDeleted > 0) {
    console.info(JSON.stringify({ msg: "retention swept", ...report }));
  }
  return report;
}
