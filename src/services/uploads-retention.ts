import type { Deps } from "../app/deps";

/**
 * The uploads part of the retention sweep: deletes the bytes (then the rows) of parts no one can
 * read any more (cancelled or expired uploads, parts a completion did not name, parts of a completed
 * file that is gone), then forgets uploads that ended a day ago and hold nothing. A part row is
 * written before its bytes, so this finds every part object, whatever crashed.
 */

export type UploadSweepReport = { partsDeleted: number; uploadsForgotten: number };

/** Ended uploads stay a day, so a late part or completion is told why rather than "no such upload". */
export const UPLOAD_ROW_KEEP_SECONDS = 24 * 60 * 60;

export async function sweepUploads(
  deps: Deps,
  now: number,
  limits: { maxParts: number; page: number } = { maxParts: 500, page: 100 },
): Promise<UploadSweepReport> {
  let partsDeleted = 0;
  while (partsDeleted < limits.maxParts) {
    const parts = await deps.uploads.listDeadParts(
      now,
      Math.min(limits.page, limits.maxParts - partsDeleted),
    );
    if (parts.length === 0) {
      break;
    }
    await deps.uploadParts.deleteKeys(parts.map((part) => part.r2Key));
    await deps.uploads.deleteParts(parts.map((part) => part.id));
    partsDeleted += parts.length;
  }
  const uploadsForgotten = await deps.uploads.deleteFinishedUploads(
    now - UPLOAD_ROW_KEEP_SECONDS,
    limits.maxParts,
  );
  return { partsDeleted, uploadsForgotten };
}
