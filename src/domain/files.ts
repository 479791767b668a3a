/**
 * The vocabulary and limits of files (openai-batch-contract.md §1.1). Stored purposes are a superset
 * of upload purposes: `batch_output` and friends are only ever written by the service itself. The
 * D1 `CHECK` constraints in migrations/0002_create_files.sql mirror these lists.
 */

export const FILE_PURPOSES = [
  "assistants",
  "assistants_output",
  "batch",
  "batch_output",
  "fine-tune",
  "fine-tune-results",
  "vision",
  "user_data",
  "evals",
] as const;
export type FilePurpose = (typeof FILE_PURPOSES)[number];

export const UPLOAD_PURPOSES = [
  "assistants",
  "batch",
  "fine-tune",
  "vision",
  "user_data",
  "evals",
] as const satisfies readonly FilePurpose[];
export type UploadPurpose = (typeof UPLOAD_PURPOSES)[number];

export const FILE_STATUSES = ["uploaded", "processed", "error"] as const;
export type FileStatus = (typeof FILE_STATUSES)[number];

/** Largest accepted upload, in bytes, by purpose. */
export type UploadLimits = { batchBytes: number; otherBytes: number };

const MIB = 1024 * 1024;

/**
 * OpenAI's documented limits ("200 MB" for the Batch API, "512 MB" per file). Read as MiB: of the
 * two readings it is the one that never rejects a file that OpenAI would accept.
 */
export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { batchBytes: 200 * MIB, otherBytes: 512 * MIB };

export function uploadLimitFor(limits: UploadLimits, purpose: UploadPurpose | null): number {
  if (purpose === null) {
    return Math.max(limits.batchBytes, limits.otherBytes);
  }
  return purpose === "batch" ? limits.batchBytes : limits.otherBytes;
}

/** "By default, files with purpose=batch expire after 30 days" ([spec] FileExpirationAfter). */
export const BATCH_FILE_EXPIRY_SECONDS = 30 * 24 * 60 * 60;
export const EXPIRES_AFTER_MIN_SECONDS = 3600;
export const EXPIRES_AFTER_MAX_SECONDS = 2_592_000;
