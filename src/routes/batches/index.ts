import type { App } from "../../app/context";
import { registerCancelBatch } from "./cancel-batch";
import { registerCreateBatch } from "./create-batch";
import { registerListBatchResults } from "./list-batch-results";
import { registerListBatches } from "./list-batches";
import { registerPauseBatch } from "./pause-batch";
import { registerResumeBatch } from "./resume-batch";
import { registerRetrieveBatch } from "./retrieve-batch";
import { registerRetryBatch } from "./retry-batch";

export function registerBatchRoutes(app: App): void {
  registerCreateBatch(app);
  registerListBatches(app);
  registerRetrieveBatch(app);
  registerCancelBatch(app);
  registerPauseBatch(app);
  registerResumeBatch(app);
  registerListBatchResults(app);
  registerRetryBatch(app);
}
