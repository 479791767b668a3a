import type { App } from "../../app/context";
import { registerCancelBatch } from "./cancel-batch";
import { registerCreateBatch } from "./create-batch";
import { registerListBatches } from "./list-batches";
import { registerRetrieveBatch } from "./retrieve-batch";

export function registerBatchRoutes(app: App): void {
  registerCreateBatch(app);
  registerListBatches(app);
  registerRetrieveBatch(app);
  registerCancelBatch(app);
}
