import type { FileId } from "../../domain/ids";
import { r2Keys } from "./keys";
import { type FileWriter, type MultipartWriterOptions, R2MultipartWriter } from "./multipart-writer";
import {
  type ByteRange,
  type FileManifest,
  type ManifestPart,
  parseManifest,
  readParts,
  toManifest,
} from "./part-reader";

export type { ByteRange };

export type FileContent = {
  body: ReadableStream<Uint8Array>;
  /** Size of the whole file, whatever range was read. */
  size: number;
  etag: string;
};

/**
 * The bytes of files (uploaded or generated). A file is either one R2 object at
 * `r2Keys.fileContent`, or, when it was completed from upload parts, a manifest next to that key
 * naming its part objects in order (completing copies nothing). Readers cannot tell the two apart.
 */
export interface FileContentStore {
  /** A streaming writer for a new file's bytes; nothing is visible until `close()`. */
  createWriter(fileId: FileId, options?: MultipartWriterOptions): FileWriter;
  /** The whole file or one byte range of it; null when there is no such file. */
  read(fileId: FileId, range?: ByteRange): Promise<FileContent | null>;
  /** `read` by the content key a files row records (`r2_key`), which batch jobs carry. */
  readKey(contentKey: string, range?: ByteRange): Promise<FileContent | null>;
  /** Makes `fileId` the concatenation of already-stored part objects. */
  writeManifest(fileId: FileId, parts: ManifestPart[]): Promise<void>;
  /** The concatenation of part objects before they become a file (checks at completion). */
  readParts(parts: ManifestPart[], range?: ByteRange): ReadableStream<Uint8Array>;
  /** Deletes a file's bytes: its object, or its manifest and then the parts it names. */
  delete(fileId: FileId): Promise<void>;
  /**
   * Deletes many files' objects and manifests in one call; the parts of uploaded files are
   * reclaimed by the uploads sweep, which finds them in D1.
   */
  deleteMany(fileIds: string[]): Promise<void>;
}

// R2 deletes at most 1,000 keys per call
const DELETE_BATCH = 1000;

export class R2FileContentStore implements FileContentStore {
  constructor(private readonly bucket: R2Bucket) {}

  createWriter(fileId: FileId, options?: MultipartWriterOptions): FileWriter {
    return new R2MultipartWriter(this.bucket, r2Keys.fileContent(fileId), options);
  }

  read(fileId: FileId, range?: ByteRange): Promise<FileContent | null> {
    return this.readKey(r2Keys.fileContent(fileId), range);
  }

  async readKey(contentKey: string, range?: ByteRange): Promise<FileContent | null> {
    const object = await this.bucket.get(contentKey, range ? { range } : undefined);
    if (object) {
      return { body: object.body, size: object.size, etag: object.httpEtag };
    }
    // a plain file costs one read as before; only a file made of parts pays for the miss
    const manifestObject = await this.bucket.get(r2Keys.manifestOf(contentKey));
    if (!manifestObject) {
      return null;
    }
    const manifest = parseManifest(await manifestObject.text());
    const clamped = range ? clamp(range, manifest.bytes) : undefined;
    return {
      body: readParts(this.bucket, manifest.parts, clamped),
      size: manifest.bytes,
      etag: manifestObject.httpEtag,
    };
  }

  async writeManifest(fileId: FileId, parts: ManifestPart[]): Promise<void> {
    const manifest: FileManifest = toManifest(parts);
    await this.bucket.put(r2Keys.manifestOf(r2Keys.fileContent(fileId)), JSON.stringify(manifest), {
      httpMetadata: { contentType: "application/json" },
    });
  }

  readParts(parts: ManifestPart[], range?: ByteRange): ReadableStream<Uint8Array> {
    return readParts(this.bucket, parts, range);
  }

  async delete(fileId: FileId): Promise<void> {
    const key = r2Keys.fileContent(fileId);
    const manifestObject = await this.bucket.get(r2Keys.manifestOf(key));
    // the manifest goes first: a crash after it leaves parts the uploads sweep finds, never a
    // manifest that names deleted parts
    await this.bucket.delete([key, r2Keys.manifestOf(key)]);
    if (manifestObject) {
      const keys = parseManifest(await manifestObject.text()).parts.map((part) => part.key);
      for (let i = 0; i < keys.length; i += DELETE_BATCH) {
        await this.bucket.delete(keys.slice(i, i + DELETE_BATCH));
      }
    }
  }

  async deleteMany(fileIds: string[]): Promise<void> {
    const keys = fileIds.flatMap((id) => [r2Keys.fileContent(id), r2Keys.manifestOf(r2Keys.fileContent(id))]);
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      await this.bucket.delete(keys.slice(i, i + DELETE_BATCH));
    }
  }
}

function clamp(range: ByteRange, size: number): ByteRange {
  const offset = Math.min(range.offset, size);
  return { offset, length: Math.max(0, Math.min(range.length, size - offset)) };
}
