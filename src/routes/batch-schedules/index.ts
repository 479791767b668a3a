import type { App } from "../../app/context";
import { registerCreateBatchSchedule } from "./create-batch-schedule";
import { registerDeleteBatchSchedule } from "./delete-batch-schedule";
import { registerListBatchScheduleBatches } from "./list-batch-schedule-batches";
import { registerListBatchSchedules } from "./list-batch-schedules";
import { registerRetrieveBatchSchedule } from "./retrieve-batch-schedule";
import { registerUpdateBatchSchedule } from "./update-batch-schedule";

/** Batch schedules (an extension): recurring batches started by the Worker's cron trigger. */
export function registerBatchScheduleRoutes(app: App): void {
  registerCreateBatchSchedule(app);
  registerListBatchSchedules(app);
  registerRetrieveBatchSchedule(app);
  registerUpdateBatchSchedule(app);
  registerDeleteBatchSchedule(app);
  registerListBatchScheduleBatches(app);
}
