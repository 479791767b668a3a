/**
 * The vocabulary and limits of OpenAI's Uploads API: a file sent as parts of at most 64 MB, at most
 * 8 GB in all, completed within an hour. The D1 `CHECK` in migrations/0010_create_uploads.sql
 * mirrors the stored statuses; `expired` is derived from the clock.
 */
import { ulid } from "./ids";

export const UPLOAD_STATUSES = ["pending", "completed", "cancelled", "expired"] as const;
export type UploadStatus = (typeof UPLOAD_STATUSES)[number];
export type StoredUploadStatus = Exclude<UploadStatus, "expired">;

const MIB = 1024 * 1024;

/** "Each Part can be at most 64 MB"; read as MiB, which the Python SDK's 64 MiB parts need. */
export const MAX_PART_BYTES = 64 * MIB;
/** "An Upload can accept at most 8 GB in total." */
export const MAX_UPLOAD_BYTES = 8 * 1024 * MIB;
/** "…and expires after an hour after you create it." */
export const UPLOAD_TTL_SECONDS = 60 * 60;
/** Most parts one completion may name; a manifest of this many parts is about 1 MB. */
export const MAX_COMPLETE_PARTS = 10_000;

/** MIME types OpenAI accepts for `purpose=batch`, plus common spellings of JSON Lines. */
export const BATCH_MIME_TYPES = [
  "application/jsonl",
  "text/jsonl",
  "application/x-jsonlines",
  "application/jsonlines",
  "application/x-ndjson",
] as const;

export type UploadId = `upload_${string}`;
export type PartId = `part_${string}`;

export function newUploadId(now?: number): UploadId {
  return `upload_${ulid(now)}`;
}

export function newPartId(now?: number): PartId {
  return `part_${ulid(now)}`;
}

export function isUploadId(value: string): value is UploadId {
  return /^upload_[0-9A-Za-z]{1,120}$/.test(value);
}

/** What a client sees: a pending upload past its `expires_at` is `expired`. */
export function uploadStatusAt(status: StoredUploadStatus, expiresAt: number, now: number): UploadStatus {
  return status === "pending" && now >= expiresAt ? "expired" : status;
}

/** The MIME type's essence (`text/jsonl; charset=utf-8` → `text/jsonl`). */
export function mimeEssence(mimeType: string): string {
  return (mimeType.split(";")[0] ?? "").trim().toLowerCase();
}
