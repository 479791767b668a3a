/**
 * R2 key layout. This is a data contract: objects written under these keys outlive deploys, so
 * changing a key is a data migration.
 *
 * files/<file_id>                                   bytes of an uploaded or generated file
 * files/<file_id>.manifest.json                     or: the ordered parts of a file made by an upload
 * uploads/<upload_id>/<part_id>                     bytes of one part of an upload
 * batches/<batch_id>/chunks/<chunk>/<segment>.jsonl  result lines of one flush of one chunk
 * batches/<batch_id>/custom-ids.jsonl               the custom_id of every request, in order
 */
export const r2Keys = {
  fileContent: (fileId: string): string => `files/${fileId}`,
  /** Next to a file's content key: a file completed from upload parts has this instead. */
  manifestOf: (contentKey: string): string => `${contentKey}.manifest.json`,
  uploadPart: (uploadId: string, partId: string): string => `uploads/${uploadId}/${partId}`,
  batchPrefix: (batchId: string): string => `batches/${batchId}/`,
  chunkPrefix: (batchId: string, chunk: number): string =>
    `batches/${batchId}/chunks/${String(chunk).padStart(6, "0")}/`,
  customIds: (batchId: string): string => `batches/${batchId}/custom-ids.jsonl`,
  chunkSegment: (batchId: string, chunk: number, segment: string): string =>
    `batches/${batchId}/chunks/${String(chunk).padStart(6, "0")}/${segment}.jsonl`,
};
