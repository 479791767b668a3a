import { DEFAULT_UPLOAD_LIMITS, type UploadLimits } from "../domain/files";
import { type CoordinatorClient, DurableCoordinatorClient } from "../durable/coordinator-client";
import type { ApiKeyStore } from "../storage/d1/api-keys-store";
import { D1ApiKeyStore } from "../storage/d1/api-keys-store";
import { type BatchStore, D1BatchStore } from "../storage/d1/batches-store";
import { D1FileStore, type FileStore } from "../storage/d1/files-store";
import { type FileContentStore, R2FileContentStore } from "../storage/r2/file-contents";
import { type Config, readConfig } from "./config";

export type Deps = {
  config: Config;
  apiKeys: ApiKeyStore;
  batches: BatchStore;
  coordinators: CoordinatorClient;
  bucket: R2Bucket;
  queue: Queue;
  files: FileStore;
  fileContents: FileContentStore;
  uploadLimits: UploadLimits;
};

/** The only place where bindings become objects. Called once per request and per queue batch. */
export function createDeps(env: Env, overrides: Partial<Deps> = {}): Deps {
  return {
    config: overrides.config ?? readConfig(env),
    apiKeys: overrides.apiKeys ?? new D1ApiKeyStore(env.DB),
    batches: overrides.batches ?? new D1BatchStore(env.DB),
    coordinators: overrides.coordinators ?? new DurableCoordinatorClient(env.BATCH_COORDINATOR),
    bucket: overrides.bucket ?? env.FILES_BUCKET,
    queue: overrides.queue ?? env.BATCH_QUEUE,
    files: overrides.files ?? new D1FileStore(env.DB),
    fileContents: overrides.fileContents ?? new R2FileContentStore(env.FILES_BUCKET),
    uploadLimits: overrides.uploadLimits ?? DEFAULT_UPLOAD_LIMITS,
  };
}
