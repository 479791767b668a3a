import type { FileId } from "../../domain/ids";
import { r2Keys } from "./keys";
import { type FileWriter, type MultipartWriterOptions, R2MultipartWriter } from "./multipart-writer";

export type ByteRange = { offset: number; length: number };

export type FileContent = {
  body: ReadableStream<Uint8Array>;
  /** Size of the whole object, whatever range was read. */
  size: number;
  etag: string;
};

/** The bytes of files (uploaded or generated), one R2 object per file id under `r2Keys.fileContent`. */
export interface FileContentStore {
  /** A streaming writer for a new file's bytes; nothing is visible until `close()`. */
  createWriter(fileId: FileId, options?: MultipartWriterOptions): FileWriter;
  /** The whole object or one byte range of it; null when there is no object. */
  read(fileId: FileId, range?: ByteRange): Promise<FileContent | null>;
  delete(fileId: FileId): Promise<void>;
  /** Deletes many files' bytes in one call (R2 takes up to 1,000 keys). */
  deleteMany(fileIds: string[]): Promise<void>;
}

export class R2FileContentStore implements FileContentStore {
  constructor(private readonly bucket: R2Bucket) {}

  createWriter(fileId: FileId, options?: MultipartWriterOptions): FileWriter {
    return new R2MultipartWriter(this.bucket, r2Keys.fileContent(fileId), options);
  }

  async read(fileId: FileId, range?: ByteRange): Promise<FileContent | null> {
    const object = await this.bucket.get(r2Keys.fileContent(fileId), range ? { range } : undefined);
    return object ? { body: object.body, size: object.size, etag: object.httpEtag } : null;
  }

  async delete(fileId: FileId): Promise<void> {
    await this.bucket.delete(r2Keys.fileContent(fileId));
  }

  async deleteMany(fileIds: string[]): Promise<void> {
    if (fileIds.length > 0) {
      await this.bucket.delete(fileIds.map((id) => r2Keys.fileContent(id)));
    }
  }
}
