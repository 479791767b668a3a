import type { Deps } from "../app/deps";
import type { ProjectId } from "../domain/ids";
import { ApiError } from "../errors/api-error";
import type { Batch } from "../schemas/batch";

async function coordinatorOf(deps: Deps, projectId: ProjectId, id: string) {
  const row = await deps.batches.get(projectId, id);
  if (!row) {
    throw new ApiError("not_found", `No batch found with id '${id}'.`, { param: "batch_id" });
  }
  const coordinator = deps.coordinators.get(row.batch.id);
  if (!(await coordinator.snapshot())) {
    await coordinator.init(row.batch, row.params);
  }
  return coordinator;
}

/** Pauses the project's batch `id` (idempotent); a batch that has ended or is ending is a 409. */
export async function pauseBatch(deps: Deps, projectId: ProjectId, id: string): Promise<Batch> {
  const result = await (await coordinatorOf(deps, projectId, id)).pause();
  if (!result.ok) {
    throw new ApiError("conflict", `Cannot pause a batch with status '${result.batch.status}'.`, {
      shouldRetry: false,
    });
  }
  return result.batch;
}

/** Resumes the project's batch `id` (idempotent); a terminal batch is a 409. */
export async function resumeBatch(deps: Deps, projectId: ProjectId, id: string): Promise<Batch> {
  const result = await (await coordinatorOf(deps, projectId, id)).resume();
  if (!result.ok) {
    throw new ApiError("conflict", `Cannot resume a batch with status '${result.batch.status}'.`, {
      shouldRetry: false,
    });
  }
  return result.batch;
}
