import type { App } from "../../app/context";
import { registerCreateSyncBatch, SYNC_BATCH_ENDPOINTS } from "./create-sync-batch";

/** `POST /v1/batch/{responses,chat/completions,completions,embeddings}`: the synchronous batch call. */
export function registerSyncBatchRoutes(app: App): void {
  for (const target of SYNC_BATCH_ENDPOINTS) {
    registerCreateSyncBatch(app, target);
  }
}
