import type { Deps } from "../app/deps";
import { BATCH_FILE_EXPIRY_SECONDS } from "../domain/files";
import { newId, type ProjectId } from "../domain/ids";
import { nowSeconds } from "../domain/time";
import type { PartId } from "../domain/uploads";
import { ApiError, invalidValue } from "../errors/api-error";
import type { CompleteUploadBody, Upload } from "../schemas/upload";
import type { PartRecord, UploadRecord } from "../storage/d1/uploads-store";
import type { ManifestPart } from "../storage/r2/part-reader";
import { assertPending, deleteParts, mustGetUpload, toUploadObject } from "./uploads";

/**
 * `POST /v1/uploads/{id}/complete`: the named parts, in the given order, become a file. Nothing is
 * copied: the file is a manifest of the part objects, which every reader of files follows
 * (storage/r2/file-contents.ts). The sum must equal the declared bytes, a given md5 must match,
 * and `batch` files get the checks of `POST /v1/files`. Parts not named are deleted.
 */
export async function completeUpload(
  deps: Deps,
  projectId: ProjectId,
  id: string,
  body: CompleteUploadBody,
  now: number = Date.now(),
): Promise<Upload> {
  const at = nowSeconds(now);
  const upload = await mustGetUpload(deps, projectId, id);
  if (upload.status === "completed") {
    return replay(deps, upload, body, at);
  }
  assertPending(upload, at, "complete");
  const partIds = body.part_ids as PartId[];
  const named = await namedParts(deps, upload, partIds);
  const total = named.reduce((sum, part) => sum + part.bytes, 0);
  if (total !== upload.bytes) {
    throw invalidValue(
      "part_ids",
      `The Parts named hold ${total} bytes, but the Upload was created with bytes=${upload.bytes}. Name every Part of the file, each once.`,
    );
  }
  const parts: ManifestPart[] = named.map((part) => ({ key: part.r2Key, bytes: part.bytes }));
  if (upload.purpose === "batch") {
    await checkFirstLine(deps, parts, upload.bytes);
  }
  if (body.md5 !== undefined) {
    await checkMd5(deps, parts, body.md5);
  }

  const fileId = newId("file");
  const expiresAfter =
    upload.fileExpiresAfter ?? (upload.purpose === "batch" ? BATCH_FILE_EXPIRY_SECONDS : null);
  await deps.fileContents.writeManifest(fileId, parts);
  let completed: boolean;
  try {
    completed = await deps.uploads.complete(
      upload,
      { id: fileId, createdAt: at, expiresAt: expiresAfter === null ? null : at + expiresAfter },
      partIds,
      at,
    );
  } catch (err) {
    await deps.fileContents.deleteMany([fileId]);
    throw err;
  }
  if (!completed) {
    // a concurrent complete or cancel won: drop this manifest only (the parts are the winner's)
    await deps.fileContents.deleteMany([fileId]);
    const current = await mustGetUpload(deps, projectId, id);
    if (current.status === "completed") {
      return replay(deps, current, body, at);
    }
    assertPending(current, at, "complete");
    throw new Error(`upload ${id} is pending but could not be completed`);
  }
  const done: UploadRecord = { ...upload, status: "completed", fileId };
  await deleteParts(deps, done, (part) => !partIds.includes(part.id as PartId));
  return toUploadObject(deps, done, at);
}

/** The named parts in order; each must be a stored part of this upload, named once. */
async function namedParts(deps: Deps, upload: UploadRecord, partIds: PartId[]): Promise<PartRecord[]> {
  const stored = new Map((await deps.uploads.listParts(upload.id)).map((part) => [part.id, part]));
  const seen = new Set<string>();
  return partIds.map((partId) => {
    if (seen.has(partId)) {
      throw invalidValue("part_ids", `Part ${partId} is named more than once.`);
    }
    seen.add(partId);
    const part = stored.get(partId);
    if (!part) {
      // the same answer for an unknown id and another upload's part, in any project
      throw invalidValue("part_ids", `No such Part in Upload ${upload.id}: ${partId}.`);
    }
    return part;
  });
}

/** A retried completion (the same parts, in order) gets the completed upload; any other is refused. */
async function replay(
  deps: Deps,
  upload: UploadRecord,
  body: CompleteUploadBody,
  at: number,
): Promise<Upload> {
  const completedWith = (await deps.uploads.listParts(upload.id))
    .filter((part) => part.position !== null)
    .sort((a, b) => (a.position ?? 0) - (b.position ?? 0))
    .map((part) => part.id);
  if (completedWith.join(",") !== body.part_ids.join(",")) {
    throw new ApiError("invalid_request", `Cannot complete Upload ${upload.id}: it is completed.`, {
      param: "upload_id",
    });
  }
  return toUploadObject(deps, upload, at);
}

// as in POST /v1/files: a first line longer than this is only checked for a leading "{"
const FIRST_LINE_CAP = 1024 * 1024;

/** The file's first line must be a JSON object, as `POST /v1/files` requires of `batch` files. */
async function checkFirstLine(deps: Deps, parts: ManifestPart[], bytes: number): Promise<void> {
  const length = Math.min(bytes, FIRST_LINE_CAP);
  const head = new Uint8Array(
    await new Response(deps.fileContents.readParts(parts, { offset: 0, length })).arrayBuffer(),
  );
  const newline = head.indexOf(10);
  const truncated = newline === -1 && bytes > FIRST_LINE_CAP;
  const line = new TextDecoder()
    .decode(newline === -1 ? head : head.subarray(0, newline))
    .replace(/^\uFEFF/, "")
    .replace(/\r$/, "");
  let ok: boolean;
  if (truncated) {
    ok = /^\s*\{/.test(line);
  } else {
    try {
      const value: unknown = JSON.parse(line);
      ok = typeof value === "object" && value !== null && !Array.isArray(value);
    } catch {
      ok = false;
    }
  }
  if (!ok) {
    throw new ApiError(
      "invalid_request",
      "Invalid file format for Batch API: the first line is not a JSON object. A .jsonl file needs one JSON request per line.",
      { param: "part_ids" },
    );
  }
}

/** Streams the parts through MD5 (the runtime's native digest stream) and compares. */
async function checkMd5(deps: Deps, parts: ManifestPart[], md5: string): Promise<void> {
  const digest = new crypto.DigestStream("MD5");
  await deps.fileContents.readParts(parts).pipeTo(digest);
  const actual = [...new Uint8Array(await digest.digest)]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
  if (actual !== md5.trim().toLowerCase()) {
    throw invalidValue(
      "md5",
      `The md5 checksum '${md5.slice(0, 64)}' does not match the uploaded Parts (md5 ${actual}).`,
    );
  }
}
