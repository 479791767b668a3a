import type { Deps } from "../app/deps";
import type { ProjectId } from "../domain/ids";
import { nowSeconds } from "../domain/time";
import { MAX_PART_BYTES, MAX_UPLOAD_BYTES, newPartId } from "../domain/uploads";
import { ApiError, missingParameter } from "../errors/api-error";
import { boundaryFromContentType, MultipartError, parseMultipart } from "../http/multipart-parser";
import { drainBody } from "../http/request-body";
import type { UploadPart } from "../schemas/upload";
import type { FileWriter } from "../storage/r2/multipart-writer";
import { assertPending, mustGetUpload } from "./uploads";

/**
 * `POST /v1/uploads/{id}/parts`: streams the multipart field `data` straight into its own R2 object
 * (never whole in memory). The part's D1 row is claimed before the first byte is written and the
 * part only counts once recorded as stored, so parts may arrive in parallel and in any order, and
 * a part that loses a race with cancel or complete deletes its own bytes.
 */

export type AddPartRequest = {
  projectId: ProjectId;
  uploadId: string;
  contentType: string | undefined;
  body: ReadableStream<Uint8Array> | null;
};

const partTooLarge = (): ApiError =>
  new ApiError(
    "invalid_request",
    `Part is too large: a Part can be at most ${MAX_PART_BYTES} bytes (64 MB).`,
    {
      param: "data",
    },
  );

export async function addUploadPart(
  deps: Deps,
  request: AddPartRequest,
  now: number = Date.now(),
): Promise<UploadPart> {
  try {
    return await storePart(deps, request, now);
  } finally {
    // a refused part is answered before its body ends: read the rest so the client sees the answer
    await drainBody(request.body);
  }
}

async function storePart(deps: Deps, request: AddPartRequest, now: number): Promise<UploadPart> {
  const upload = await mustGetUpload(deps, request.projectId, request.uploadId);
  const createdAt = nowSeconds(now);
  assertPending(upload, createdAt, "add parts to");
  const boundary = asApiError(() => boundaryFromContentType(request.contentType));
  const partId = newPartId(now);
  if (!(await deps.uploads.beginPart(upload, partId, createdAt))) {
    assertPending((await deps.uploads.get(upload.projectId, upload.id)) ?? upload, createdAt, "add parts to");
    throw new Error(`part ${partId} could not be claimed on pending upload ${upload.id}`);
  }
  const writer = deps.uploadParts.createWriter(upload.id, partId);
  let closed = false;
  try {
    await streamData(request.body, boundary, writer);
    const { bytes } = await writer.close();
    closed = true;
    if (!(await deps.uploads.finishPart(upload.id, partId, bytes, nowSeconds(), MAX_UPLOAD_BYTES))) {
      // cancelled, completed or expired while the part was on its way; otherwise the total is full
      const current = (await deps.uploads.get(upload.projectId, upload.id)) ?? upload;
      assertPending(current, nowSeconds(), "add parts to");
      throw new ApiError(
        "invalid_request",
        `Upload ${upload.id} is full: its Parts can hold at most ${MAX_UPLOAD_BYTES} bytes (8 GB).`,
        { param: "data" },
      );
    }
  } catch (err) {
    await discardPart(deps, upload.id, partId, closed ? null : writer);
    throw err instanceof MultipartError ? new ApiError("invalid_request", err.message, { cause: err }) : err;
  }
  return { id: partId, object: "upload.part", created_at: createdAt, upload_id: upload.id };
}

/** Streams the one `data` field into `writer`; other fields are read and ignored. */
async function streamData(
  body: ReadableStream<Uint8Array> | null,
  boundary: string,
  writer: FileWriter,
): Promise<void> {
  let seen = false;
  await parseMultipart(body, boundary, {
    onPart: (part) => {
      if (part.name !== "data") {
        return null;
      }
      if (seen) {
        throw new ApiError("invalid_request", "Only one 'data' field may be sent per Part.", {
          param: "data",
        });
      }
      seen = true;
      return {
        write: async (chunk) => {
          // checked before writing, so an oversized part stops at the limit, not at its end
          if (writer.bytesWritten + chunk.length > MAX_PART_BYTES) {
            throw partTooLarge();
          }
          await writer.write(chunk);
        },
      };
    },
  });
  if (!seen) {
    throw missingParameter("data");
  }
}

/** A refused part leaves nothing: its unfinished upload aborted or its object deleted, then its row. */
async function discardPart(
  deps: Deps,
  uploadId: string,
  partId: string,
  open: FileWriter | null,
): Promise<void> {
  try {
    if (open) {
      await open.abort();
    } else {
      await deps.uploadParts.deleteKeys([deps.uploadParts.keyOf(uploadId, partId)]);
    }
    await deps.uploads.deleteParts([partId]);
  } catch (err) {
    // the row stays, so the retention sweep deletes the bytes once the upload has ended
    console.error(JSON.stringify({ msg: "upload part cleanup failed", uploadId, partId, err: String(err) }));
  }
}

function asApiError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw err instanceof MultipartError ? new ApiError("invalid_request", err.message, { cause: err }) : err;
  }
}
