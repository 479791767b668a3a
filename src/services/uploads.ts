import type { Deps } from "../app/deps";
import { sha256Hex } from "../domain/crypto";
import { uploadLimitFor } from "../domain/files";
import type { ProjectId } from "../domain/ids";
import { nowSeconds } from "../domain/time";
import {
  BATCH_MIME_TYPES,
  isUploadId,
  MAX_UPLOAD_BYTES,
  mimeEssence,
  newUploadId,
  UPLOAD_TTL_SECONDS,
  uploadStatusAt,
} from "../domain/uploads";
import { ApiError, invalidValue } from "../errors/api-error";
import type { CreateUploadBody, Upload } from "../schemas/upload";
import type { UploadRecord } from "../storage/d1/uploads-store";
import { toFileObject } from "./files";

/**
 * The Uploads API (`/v1/uploads`): create and cancel, and what the part and completion services
 * share. An upload is pending for an hour; its parts are R2 objects indexed in D1, and completing
 * it makes a file out of them without copying a byte (services/uploads-complete.ts).
 */

export function uploadNotFound(id: string): ApiError {
  return new ApiError("not_found", `No such Upload object: ${id}`, { param: "id" });
}

/** The upload of this project, or the 404 that an unknown upload and another project's both get. */
export async function mustGetUpload(deps: Deps, projectId: ProjectId, id: string): Promise<UploadRecord> {
  const upload = isUploadId(id) ? await deps.uploads.get(projectId, id) : null;
  if (!upload) {
    throw uploadNotFound(id);
  }
  return upload;
}

/** Refuses `action` on an upload that is no longer pending: completed, cancelled or expired. */
export function assertPending(upload: UploadRecord, now: number, action: string): void {
  const status = uploadStatusAt(upload.status, upload.expiresAt, now);
  if (status !== "pending") {
    throw new ApiError("invalid_request", `Cannot ${action} Upload ${upload.id}: it is ${status}.`, {
      param: "upload_id",
    });
  }
}

/** The Upload object; `file` is looked up for a completed upload (null once the file is deleted). */
export async function toUploadObject(deps: Deps, upload: UploadRecord, now: number): Promise<Upload> {
  const file = upload.fileId ? await deps.files.get(upload.projectId, upload.fileId, now) : null;
  return {
    id: upload.id,
    object: "upload",
    bytes: upload.bytes,
    created_at: upload.createdAt,
    expires_at: upload.expiresAt,
    filename: upload.filename,
    purpose: upload.purpose,
    status: uploadStatusAt(upload.status, upload.expiresAt, now),
    file: file ? toFileObject(file) : null,
  };
}

/** The purpose's own checks, up front: size, and for `batch` the `.jsonl` name and MIME type. */
function checkDeclaration(deps: Deps, body: CreateUploadBody): void {
  if (body.bytes > MAX_UPLOAD_BYTES) {
    throw invalidValue(
      "bytes",
      `Upload is too large: an Upload can accept at most ${MAX_UPLOAD_BYTES} bytes (8 GB), but ${body.bytes} were declared.`,
    );
  }
  const limit = uploadLimitFor(deps.uploadLimits, body.purpose);
  if (body.bytes > limit) {
    throw new ApiError(
      "invalid_request",
      `File is too large. Files with purpose '${body.purpose}' can be at most ${limit} bytes, but ${body.bytes} were declared.`,
      { param: "bytes" },
    );
  }
  if (body.purpose !== "batch") {
    return;
  }
  if (!body.filename.toLowerCase().endsWith(".jsonl")) {
    throw new ApiError("invalid_request", "Invalid file format for Batch API. Must be .jsonl", {
      param: "filename",
    });
  }
  const mime = mimeEssence(body.mime_type);
  if (!(BATCH_MIME_TYPES as readonly string[]).includes(mime)) {
    throw invalidValue(
      "mime_type",
      `Invalid value: '${body.mime_type.slice(0, 100)}'. Files with purpose 'batch' need mime_type 'application/jsonl' or 'text/jsonl'.`,
    );
  }
  if (body.bytes === 0) {
    throw new ApiError(
      "invalid_request",
      "Invalid file format for Batch API: the file is empty. A .jsonl file needs one JSON request per line.",
      { param: "bytes" },
    );
  }
}

/** `POST /v1/uploads`. With an `Idempotency-Key`, a retry returns the first upload. */
export async function createUpload(
  deps: Deps,
  projectId: ProjectId,
  body: CreateUploadBody,
  idempotencyKey?: string,
  now: number = Date.now(),
): Promise<Upload> {
  checkDeclaration(deps, body);
  const createdAt = nowSeconds(now);
  const id = newUploadId(now);
  const requestHash = idempotencyKey ? await sha256Hex(JSON.stringify(body)) : null;
  const upload = await deps.uploads.create({
    id,
    projectId,
    filename: body.filename,
    purpose: body.purpose,
    mimeType: body.mime_type,
    bytes: body.bytes,
    createdAt,
    expiresAt: createdAt + UPLOAD_TTL_SECONDS,
    fileExpiresAfter: body.expires_after?.seconds ?? null,
    requestHash,
    idempotencyKey,
  });
  if (upload.id !== id && upload.requestHash !== requestHash) {
    throw new ApiError("conflict", "This Idempotency-Key was already used with a different request body.", {
      param: "Idempotency-Key",
      code: "idempotency_key_reused",
      shouldRetry: false,
    });
  }
  return toUploadObject(deps, upload, createdAt);
}

/** `POST /v1/uploads/{id}/cancel`: no part may be added after; the parts' bytes are deleted. */
export async function cancelUpload(
  deps: Deps,
  projectId: ProjectId,
  id: string,
  now: number = Date.now(),
): Promise<Upload> {
  const at = nowSeconds(now);
  let upload = await mustGetUpload(deps, projectId, id);
  if (upload.status !== "cancelled") {
    assertPending(upload, at, "cancel");
    if (!(await deps.uploads.cancel(upload, at))) {
      // a completion or another cancel got there first
      upload = await mustGetUpload(deps, projectId, id);
      if (upload.status !== "cancelled") {
        assertPending(upload, at, "cancel");
      }
    }
    upload = { ...upload, status: "cancelled" };
    await deleteParts(deps, upload, () => true);
  }
  return toUploadObject(deps, upload, at);
}

/** Deletes the stored parts that `doomed` picks, bytes first; the retention sweep retries failures. */
export async function deleteParts(
  deps: Deps,
  upload: UploadRecord,
  doomed: (part: { id: string; position: number | null }) => boolean,
): Promise<void> {
  try {
    const parts = (await deps.uploads.listParts(upload.id)).filter(doomed);
    if (parts.length > 0) {
      await deps.uploadParts.deleteKeys(parts.map((part) => part.r2Key));
      await deps.uploads.deleteParts(parts.map((part) => part.id));
    }
  } catch (err) {
    console.error(
      JSON.stringify({ msg: "upload part cleanup failed", uploadId: upload.id, err: String(err) }),
    );
  }
}
