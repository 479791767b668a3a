import type { Deps } from "../app/deps";
import type { FileId, ProjectId } from "../domain/ids";
import { isId } from "../domain/ids";
import { nowSeconds } from "../domain/time";
import { ApiError } from "../errors/api-error";
import { contentRange, parseRange } from "../http/range";
import { toListPage } from "../schemas/common";
import type { FileDeleted, FileList, FileObject, ListFilesQuery } from "../schemas/file";
import type { FileRecord } from "../storage/d1/files-store";

/** The one mapping from a stored file to OpenAI's FileObject. */
export function toFileObject(record: FileRecord): FileObject {
  return {
    id: record.id,
    object: "file",
    bytes: record.bytes,
    created_at: record.createdAt,
    expires_at: record.expiresAt,
    filename: record.filename,
    purpose: record.purpose,
    status: record.status,
    status_details: null,
  };
}

/** OpenAI's answer for an unknown id; another project's or an expired file gets exactly this too. */
function fileNotFound(id: string): ApiError {
  return new ApiError("not_found", `No such File object: ${id}`, { param: "id" });
}

async function mustGet(deps: Deps, projectId: ProjectId, id: string, now: number): Promise<FileRecord> {
  const record = isId("file", id) ? await deps.files.get(projectId, id, now) : null;
  if (!record) {
    throw fileNotFound(id);
  }
  return record;
}

export async function retrieveFile(
  deps: Deps,
  projectId: ProjectId,
  id: string,
  now: number = nowSeconds(),
): Promise<FileObject> {
  return toFileObject(await mustGet(deps, projectId, id, now));
}

export async function listFiles(
  deps: Deps,
  projectId: ProjectId,
  query: ListFilesQuery,
  now: number = nowSeconds(),
): Promise<FileList> {
  const records = await deps.files.list(projectId, { ...query, now });
  return toListPage(records.map(toFileObject), query.limit);
}

/**
 * Removes the row first: from then on the file is gone for every reader, even if R2 lags. The bytes
 * of a live batch's input stay until the batch ends (the retention sweep deletes them then).
 */
export async function deleteFile(
  deps: Deps,
  projectId: ProjectId,
  id: string,
  now: number = nowSeconds(),
): Promise<FileDeleted> {
  const deleted = isId("file", id) ? await deps.files.delete(projectId, id, now) : null;
  if (deleted === null) {
    throw fileNotFound(id);
  }
  if (deleted === "removed") {
    await deps.fileContents.delete(id as FileId);
  }
  return { id, object: "file", deleted: true };
}

// header values must be Latin-1: an ASCII fallback plus the exact name in RFC 8187 form
function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\]/g, "_");
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

export type FileDownload = {
  status: 200 | 206;
  body: ReadableStream<Uint8Array>;
  headers: Record<string, string>;
};

/** The file's bytes, or the one byte range that `rangeHeader` asks for, streamed from R2. */
export async function openFileContent(
  deps: Deps,
  projectId: ProjectId,
  id: string,
  rangeHeader: string | undefined,
  now: number = nowSeconds(),
): Promise<FileDownload> {
  const record = await mustGet(deps, projectId, id, now);
  const range = parseRange(rangeHeader, record.bytes);
  if (range === "unsatisfiable") {
    throw new ApiError("range_not_satisfiable", `The range '${rangeHeader}' is outside the file.`, {
      param: "Range",
      headers: { "content-range": `bytes */${record.bytes}` },
    });
  }
  const content = await deps.fileContents.read(record.id, range ?? undefined);
  if (!content) {
    // a live row without bytes breaks the write order (bytes first, row second): a 500, not a 404
    throw new Error(`file ${record.id} has a row but no R2 object`);
  }
  const headers: Record<string, string> = {
    "content-type": "application/octet-stream",
    "content-disposition": contentDisposition(record.filename),
    "accept-ranges": "bytes",
    etag: content.etag,
  };
  if (!range) {
    headers["content-length"] = String(content.size);
    return { status: 200, body: content.body, headers };
  }
  headers["content-length"] = String(range.length);
  headers["content-range"] = contentRange(range, content.size);
  return { status: 206, body: content.body, headers };
}
