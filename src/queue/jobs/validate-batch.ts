import type { Deps } from "../../app/deps";
import { fileErrors } from "../../domain/jsonl/batch-errors";
import { validateInput } from "../../domain/jsonl/validate-input";
import type { ValidationOutcome } from "../../durable/coordinator-types";
import type { BatchEndpoint } from "../../inference/types";

/**
 * Streams the input file from R2 through validation and hands the verdict to the coordinator. On
 * the way it writes the requests' custom ids to the batch's own storage, so finalize never has to
 * read the input again.
 */
export async function validateBatch(deps: Deps, batchId: string): Promise<void> {
  const coordinator = deps.coordinators.get(batchId);
  const lease = await coordinator.beginValidation();
  if (!lease.run) {
    return;
  }
  const input = await deps.batchWork.readInput(lease.inputKey);
  if (!input) {
    await coordinator.validated({
      ok: false,
      model: lease.baseModel,
      errors: [
        {
          code: "invalid_request",
          message: "Cannot find the input file, or it was deleted before the batch started.",
          param: "input_file_id",
          line: null,
        },
      ],
    });
    return;
  }
  const catalogue = await deps.inference.catalogue();
  const customIds = deps.batchWork.customIdWriter(batchId);
  let outcome: ValidationOutcome;
  try {
    const result = await validateInput(input, {
      endpoint: lease.endpoint as BatchEndpoint,
      catalogue,
      baseModel: lease.baseModel,
      onRequest: (customId) => customIds.write(customId),
    });
    if (result.ok) {
      await customIds.close();
      outcome = { ok: true, total: result.total, model: result.model.requested, chunks: result.chunks };
    } else {
      await customIds.abort();
      const errors = [...result.errors];
      if (result.omitted > 0) {
        errors.push(fileErrors.omitted(result.omitted));
      }
      outcome = { ok: false, model: result.model, errors };
    }
  } catch (err) {
    await customIds.abort();
    throw err;
  }
  await coordinator.validated(outcome);
}
