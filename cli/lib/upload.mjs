/**
 * Sending the input file: one `POST /files` up to `partsAbove` bytes, the Uploads API above it
 * (a Worker takes request bodies of at most 100 MB on the Free and Pro plans). Parts are read from
 * disk one range each and sent `concurrency` at a time, so memory holds at most
 * `partSize x concurrency` bytes; each part is buffered so the SDK can retry it.
 */
import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { toFile, toStreamingFile } from "openai";

const MIB = 1024 * 1024;

/**
 * Defaults, overridable through the environment: RUN_BATCH_PARTS_ABOVE_MB (inputs larger than this
 * many MiB use the Uploads API; default 64), RUN_BATCH_PART_MB (default 8), RUN_BATCH_PART_CONCURRENCY
 * (default 4). 8 MiB parts four at a time was the fastest setting measured (bench/upload.mjs).
 */
export const UPLOAD_DEFAULTS = { partsAbove: 64 * MIB, partSize: 8 * MIB, concurrency: 4 };

/**
 * @typedef {{ partsAbove: number, partSize: number, concurrency: number }} UploadSettings
 * @param {Record<string, string | undefined>} env
 * @returns {UploadSettings}
 */
export function uploadSettings(env) {
  /** @param {string | undefined} value @param {number} fallback @param {number} unit */
  const read = (value, fallback, unit) => {
    const n = Number(value);
    return value !== undefined && value !== "" && Number.isFinite(n) && n > 0
      ? Math.round(n * unit)
      : fallback;
  };
  return {
    partsAbove: read(env.RUN_BATCH_PARTS_ABOVE_MB, UPLOAD_DEFAULTS.partsAbove, MIB),
    // the server takes parts of at most 64 MiB
    partSize: Math.min(64 * MIB, read(env.RUN_BATCH_PART_MB, UPLOAD_DEFAULTS.partSize, MIB)),
    concurrency: read(env.RUN_BATCH_PART_CONCURRENCY, UPLOAD_DEFAULTS.concurrency, 1),
  };
}

/**
 * @typedef {{ sentBytes: number, totalBytes: number, partsDone: number, parts: number }} UploadProgress
 * @param {import("openai").default} client
 * @param {string} file local path
 * @param {string} filename the name the server sees
 * @param {UploadSettings & { onProgress?: (p: UploadProgress) => void }} settings
 * @returns {Promise<import("openai").default.Files.FileObject>}
 */
export async function uploadInput(client, file, filename, settings) {
  const { size } = await stat(file);
  if (size <= settings.partsAbove) {
    return client.files.create({ file: toStreamingFile(createReadStream(file), filename), purpose: "batch" });
  }
  const upload = await client.uploads.create(
    { bytes: size, filename, mime_type: "text/jsonl", purpose: "batch" },
    // the SDK retries a create that timed out; the key keeps that from making two uploads
    { headers: { "Idempotency-Key": randomUUID() } },
  );
  try {
    const [partIds, md5] = await Promise.all([
      sendParts(client, upload.id, file, size, settings),
      md5Of(file),
    ]);
    const done = await client.uploads.complete(upload.id, { part_ids: partIds, md5 });
    if (!done.file) {
      throw new Error(`upload ${upload.id} completed without a file`);
    }
    return done.file;
  } catch (err) {
    // the parts' bytes are deleted at once rather than when the upload expires
    await client.uploads.cancel(upload.id).catch(() => undefined);
    throw err;
  }
}

/**
 * Sends the file's ranges as parts, at most `concurrency` in flight; returns the part ids in file order.
 * @param {import("openai").default} client
 * @param {string} uploadId
 * @param {string} file
 * @param {number} size
 * @param {UploadSettings & { onProgress?: (p: UploadProgress) => void }} settings
 */
async function sendParts(client, uploadId, file, size, settings) {
  const count = Math.max(1, Math.ceil(size / settings.partSize));
  /** @type {string[]} */
  const ids = new Array(count);
  let next = 0;
  let sentBytes = 0;
  let partsDone = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const start = index * settings.partSize;
      const end = Math.min(size, start + settings.partSize);
      const data = await toFile(createReadStream(file, { start, end: end - 1 }), `part-${index}`);
      const part = await client.uploads.parts.create(uploadId, { data });
      ids[index] = part.id;
      sentBytes += end - start;
      partsDone++;
      settings.onProgress?.({ sentBytes, totalBytes: size, partsDone, parts: count });
    }
  };
  await Promise.all(Array.from({ length: Math.min(settings.concurrency, count) }, worker));
  return ids;
}

/** @param {string} file @returns {Promise<string>} hex MD5 of the file, read as a stream */
async function md5Of(file) {
  const hash = createHash("md5");
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk);
  }
  return hash.digest("hex");
}
