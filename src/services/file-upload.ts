import type { Deps } from "../app/deps";
import { concatBytes } from "../domain/bytes";
import { sha256Hex } from "../domain/crypto";
import {
  BATCH_FILE_EXPIRY_SECONDS,
  EXPIRES_AFTER_MAX_SECONDS,
  EXPIRES_AFTER_MIN_SECONDS,
  UPLOAD_PURPOSES,
  type UploadPurpose,
  uploadLimitFor,
} from "../domain/files";
import { type FileId, newId, type ProjectId } from "../domain/ids";
import { nowSeconds } from "../domain/time";
import { ApiError, invalidValue, missingParameter } from "../errors/api-error";
import {
  boundaryFromContentType,
  MultipartError,
  type MultipartPart,
  type PartSink,
  parseMultipart,
} from "../http/multipart-parser";
import { drainBody } from "../http/request-body";
import type { FileObject } from "../schemas/file";
import type { NewFile } from "../storage/d1/files-store";
import type { FileWriter } from "../storage/r2/multipart-writer";
import { toFileObject } from "./files";

/**
 * `POST /v1/files`: streams the `file` part of a multipart body straight into R2 while the other
 * fields are collected. Parts may come in any order (the Node SDK sends `file` first), so what can
 * only be checked with both in hand is checked at the end. Invariant: a rejected or failed upload
 * leaves no R2 object and no D1 row behind.
 */

export type UploadRequest = {
  projectId: ProjectId;
  contentType: string | undefined;
  body: ReadableStream<Uint8Array> | null;
  idempotencyKey?: string;
};

const BATCH_FORMAT_ERROR = "Invalid file format for Batch API. Must be .jsonl";

const tooLarge = (): ApiError => new ApiError("invalid_request", "File is too large.");

export async function createFile(
  deps: Deps,
  request: UploadRequest,
  now: number = Date.now(),
): Promise<FileObject> {
  try {
    return await storeUpload(deps, request, now);
  } finally {
    // whatever made us answer before the body ended (a rejection, a replayed key), read the rest,
    // or a client still sending sees a reset connection instead of the answer
    await drainBody(request.body);
  }
}

async function storeUpload(deps: Deps, request: UploadRequest, now: number): Promise<FileObject> {
  const { projectId, idempotencyKey } = request;
  if (idempotencyKey) {
    const first = await deps.files.findByIdempotencyKey(projectId, idempotencyKey);
    if (first) {
      return toFileObject(first);
    }
  }
  const boundary = asApiError(() => boundaryFromContentType(request.contentType));
  const upload = new Upload(deps, newId("file"));
  let bytes: number;
  let fields: UploadFields;
  try {
    await parseMultipart(request.body, boundary, upload);
    fields = upload.finish();
    bytes = (await upload.close()).bytes;
  } catch (err) {
    await upload.abort();
    throw err instanceof MultipartError ? new ApiError("invalid_request", err.message, { cause: err }) : err;
  }

  const createdAt = nowSeconds(now);
  const expiresAfter =
    fields.expiresAfterSeconds ?? (fields.purpose === "batch" ? BATCH_FILE_EXPIRY_SECONDS : null);
  const file: NewFile = {
    id: upload.id,
    projectId,
    filename: fields.filename,
    purpose: fields.purpose,
    bytes,
    createdAt,
    expiresAt: expiresAfter === null ? null : createdAt + expiresAfter,
  };
  try {
    const claim = idempotencyKey
      ? { key: idempotencyKey, requestHash: await sha256Hex(JSON.stringify([fields, bytes])) }
      : undefined;
    const result = await deps.files.insert(file, claim);
    if (!result.inserted) {
      // a concurrent retry with the same key won: drop this copy and answer with the winner
      await deps.fileContents.delete(upload.id);
      const winner = await deps.files.get(projectId, result.existingId);
      if (!winner) {
        throw new Error(`idempotency key won by ${result.existingId}, which is gone`);
      }
      return toFileObject(winner);
    }
    return toFileObject(result.file);
  } catch (err) {
    await deps.fileContents
      .delete(upload.id)
      .catch((cleanupErr: unknown) => logCleanup(upload.id, cleanupErr));
    throw err;
  }
}

/** The form fields an upload reads, each to be sent at most once, with the `param` that names them. */
const SINGLE_FIELDS: ReadonlyMap<string, string> = new Map([
  ["purpose", "purpose"],
  ["expires_after[anchor]", "expires_after.anchor"],
  ["expires_after[seconds]", "expires_after.seconds"],
]);

type UploadFields = {
  filename: string;
  purpose: UploadPurpose;
  expiresAfterSeconds: number | null;
};

/** Collects the form fields and streams the `file` part; one instance per request. */
class Upload {
  private purpose: UploadPurpose | null = null;
  private readonly fields = new Map<string, string>();
  private file: { filename: string; writer: FileWriter; firstLine: FirstLine } | null = null;

  constructor(
    private readonly deps: Deps,
    readonly id: FileId,
  ) {}

  onPart(part: MultipartPart): PartSink | null {
    if (part.name !== "file") {
      return null;
    }
    if (this.file) {
      throw new ApiError("invalid_request", "Only one 'file' part may be uploaded.", { param: "file" });
    }
    // a client that omits the filename (raw bytes from httpx) gets httpx's own default name
    const filename = part.filename ?? "upload";
    this.checkFormat(filename);
    const file = {
      filename,
      writer: this.deps.fileContents.createWriter(this.id),
      firstLine: new FirstLine(),
    };
    this.file = file;
    const limit = (): number => uploadLimitFor(this.deps.uploadLimits, this.purpose);
    return {
      write: async (chunk) => {
        // checked before writing, so an oversized upload stops at the limit, not at its end
        if (file.writer.bytesWritten + chunk.length > limit()) {
          throw tooLarge();
        }
        file.firstLine.push(chunk);
        await file.writer.write(chunk);
      },
    };
  }

  onField(name: string, value: string): void {
    const param = SINGLE_FIELDS.get(name);
    // a repeated field would otherwise be decided by whichever part came last
    if (param && this.fields.has(name)) {
      throw invalidValue(param, `Only one '${name}' field may be sent.`);
    }
    this.fields.set(name, value);
    if (name !== "purpose") {
      return;
    }
    // validated on arrival, so a bad purpose sent before the file fails before any byte is stored
    this.purpose = parsePurpose(value);
    if (this.file) {
      this.checkFormat(this.file.filename);
      if (this.file.writer.bytesWritten > uploadLimitFor(this.deps.uploadLimits, this.purpose)) {
        throw tooLarge();
      }
    }
  }

  /** Everything that needs all parts; throws the first problem in OpenAI's order. */
  finish(): UploadFields {
    if (!this.file) {
      throw missingParameter("file");
    }
    if (!this.purpose) {
      throw missingParameter("purpose");
    }
    const expiresAfterSeconds = parseExpiresAfter(
      this.fields.get("expires_after[anchor]"),
      this.fields.get("expires_after[seconds]"),
    );
    if (this.purpose === "batch") {
      const verdict = this.file.firstLine.verdict(this.file.writer.bytesWritten);
      if (verdict !== "ok") {
        throw new ApiError(
          "invalid_request",
          verdict === "empty"
            ? "Invalid file format for Batch API: the file is empty. A .jsonl file needs one JSON request per line."
            : "Invalid file format for Batch API: the first line is not a JSON object. A .jsonl file needs one JSON request per line.",
          { param: "file" },
        );
      }
    }
    return { filename: this.file.filename, purpose: this.purpose, expiresAfterSeconds };
  }

  close(): Promise<{ bytes: number }> {
    if (!this.file) {
      throw missingParameter("file");
    }
    return this.file.writer.close();
  }

  async abort(): Promise<void> {
    await this.file?.writer.abort().catch((err: unknown) => logCleanup(this.id, err));
  }

  private checkFormat(filename: string): void {
    if (this.purpose === "batch" && !filename.toLowerCase().endsWith(".jsonl")) {
      throw new ApiError("invalid_request", BATCH_FORMAT_ERROR);
    }
  }
}

function parsePurpose(value: string): UploadPurpose {
  const purpose = UPLOAD_PURPOSES.find((p) => p === value);
  if (!purpose) {
    const supported = UPLOAD_PURPOSES.map((p) => `'${p}'`).join(", ");
    throw invalidValue("purpose", `Invalid value: '${value}'. Supported values are: ${supported}.`);
  }
  return purpose;
}

/** `expires_after[anchor]` + `expires_after[seconds]`, both or neither; null when neither. */
function parseExpiresAfter(anchor: string | undefined, seconds: string | undefined): number | null {
  if (anchor === undefined && seconds === undefined) {
    return null;
  }
  if (anchor === undefined) {
    throw missingParameter("expires_after.anchor");
  }
  if (seconds === undefined) {
    throw missingParameter("expires_after.seconds");
  }
  if (anchor !== "created_at") {
    throw invalidValue(
      "expires_after.anchor",
      `Invalid value: '${anchor}'. Supported values are: 'created_at'.`,
    );
  }
  const value = /^\d{1,10}$/.test(seconds.trim()) ? Number(seconds.trim()) : Number.NaN;
  if (!(value >= EXPIRES_AFTER_MIN_SECONDS && value <= EXPIRES_AFTER_MAX_SECONDS)) {
    throw invalidValue(
      "expires_after.seconds",
      `Invalid 'expires_after.seconds': expected an integer from ${EXPIRES_AFTER_MIN_SECONDS} to ${EXPIRES_AFTER_MAX_SECONDS}, but got '${seconds.slice(0, 32)}'.`,
    );
  }
  return value;
}

// a first line longer than this is only checked for a leading "{"; batch validation reads it all
const FIRST_LINE_CAP = 1024 * 1024;

/** Keeps the file's first line (up to a cap) to check that a batch file starts with JSON. */
class FirstLine {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;
  private complete = false;
  private truncated = false;

  push(chunk: Uint8Array): void {
    if (this.complete) {
      return;
    }
    const newline = chunk.indexOf(10);
    let piece = newline === -1 ? chunk : chunk.subarray(0, newline);
    this.complete = newline !== -1;
    if (piece.length > FIRST_LINE_CAP - this.size) {
      piece = piece.subarray(0, FIRST_LINE_CAP - this.size);
      this.truncated = true;
      this.complete = true;
    }
    this.chunks.push(piece.slice());
    this.size += piece.length;
  }

  verdict(fileBytes: number): "ok" | "empty" | "not_json" {
    if (fileBytes === 0) {
      return "empty";
    }
    const line = new TextDecoder()
      .decode(concatBytes(this.chunks))
      .replace(/^\uFEFF/, "")
      .replace(/\r$/, "");
    if (this.truncated) {
      return /^\s*\{/.test(line) ? "ok" : "not_json";
    }
    try {
      const value: unknown = JSON.parse(line);
      return typeof value === "object" && value !== null && !Array.isArray(value) ? "ok" : "not_json";
    } catch {
      return "not_json";
    }
  }
}

function asApiError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw err instanceof MultipartError ? new ApiError("invalid_request", err.message, { cause: err }) : err;
  }
}

function logCleanup(fileId: string, err: unknown): void {
  console.error(JSON.stringify({ msg: "upload cleanup failed", fileId, err: String(err) }));
}
