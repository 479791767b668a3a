import type { Deps } from "../../app/deps";
import { fileErrors } from "../../domain/jsonl/batch-errors";
import { type ValidInput, validateInput } from "../../domain/jsonl/validate-input";
import type { ValidationOutcome } from "../../durable/coordinator-types";
import type { BatchEndpoint } from "../../inference/types";
import type { BatchError } from "../../schemas/batch";
import { checkCompletionWindow, windowTooShortError } from "../../services/completion-window-check";

/**
 * A valid batch that clearly cannot finish in its window at the pool's rate and backlog gets one
 * `completion_window_too_short` error instead of running into its expiry (see
 * services/completion-window-check.ts). Never refuses when unsure: a row or pool it cannot read
 * lets the batch run.
 */
async function windowRefusal(deps: Deps, batchId: string, input: ValidInput): Promise<BatchError | null> {
  const row = await deps.batches.getAnyProject(batchId).catch(() => null);
  if (!row || row.batch.expires_at === null) {
    return null;
  }
  const check = {
    batchId,
    projectId: row.projectId,
    model: input.model,
    total: input.total,
    deadlineMs: row.batch.expires_at * 1000,
  };
  const verdict = await checkCompletionWindow(deps, check);
  return verdict?.tooShort ? windowTooShortError(check, verdict) : null;
}

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
      const refusal = await windowRefusal(deps, batchId, result);
      if (refusal) {
        await customIds.abort();
        outcome = { ok: false, model: result.model.requested, errors: [refusal] };
      } else {
        await customIds.close();
        outcome = { ok: true, total: result.total, model: result.model.requested, chunks: result.chunks };
      }
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
