import { r2Keys } from "./keys";
import { type FileWriter, R2MultipartWriter } from "./multipart-writer";

/**
 * The bytes of upload parts, one R2 object each under `uploads/<upload_id>/<part_id>`, streamed in
 * through the multipart writer's 8 MiB buffers: a part of up to 8 MiB is one buffer and one put, a
 * 64 MiB part two buffers reused for eight R2 parts.
 */
export interface UploadPartStore {
  createWriter(uploadId: string, partId: string): FileWriter;
  keyOf(uploadId: string, partId: string): string;
  deleteKeys(keys: string[]): Promise<void>;
}

// R2 deletes at most 1,000 keys per call
const DELETE_BATCH = 1000;

export class R2UploadPartStore implements UploadPartStore {
  constructor(private readonly bucket: R2Bucket) {}

  createWriter(uploadId: string, partId: string): FileWriter {
    return new R2MultipartWriter(this.bucket, r2Keys.uploadPart(uploadId, partId));
  }

  keyOf(uploadId: string, partId: string): string {
    return r2Keys.uploadPart(uploadId, partId);
  }

  async deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      await this.bucket.delete(keys.slice(i, i + DELETE_BATCH));
    }
  }
}
