import type { Deps } from "../app/deps";
import { DEFAULT_BATCH_INPUT_TOKENS_PER_DAY } from "../domain/rate-limit-defaults";
import type { Batch } from "../schemas/batch";
import type { CoordinatorState } from "./batch-state";
import type { ValidationOutcome } from "./coordinator-types";

/**
 * The batch side of a project's `batch_1_day_max_input_tokens`: a validated batch reserves its
 * estimated input tokens for its model, and every terminal status gives them back (OpenAI's
 * "enqueued tokens"). The reservation lives in D1, keyed by batch id, so both steps are idempotent.
 */

/** Input tokens are estimated from the request lines' bytes: about four bytes a token. */
export const BYTES_PER_TOKEN = 4;

export function estimateInputTokens(outcome: Extract<ValidationOutcome, { ok: true }>): number {
  const bytes = outcome.chunks.reduce((sum, chunk) => sum + (chunk.byteEnd - chunk.byteStart), 0);
  return Math.ceil(bytes / BYTES_PER_TOKEN);
}

/** Lines of the batch without a recorded outcome yet. */
export function remainingLines(batch: Batch): number {
  const counts = batch.request_counts;
  return Math.max(0, counts.total - counts.completed - counts.failed);
}

export function tokenLimitMessage(model: string, projectId: string, limit: number): string {
  return (
    `Enqueued token limit reached for ${model} in project ${projectId}. Limit: ${limit} enqueued tokens. ` +
    "Please try again once some in_progress batches have been completed."
  );
}

/**
 * Reserves the validated batch's tokens, or turns the verdict into a failure with OpenAI's
 * `token_limit_exceeded` error when the project's limit for the model would be passed.
 */
export async function reserveTokens(
  deps: Deps,
  state: CoordinatorState,
  outcome: Extract<ValidationOutcome, { ok: true }>,
  now: number,
): Promise<ValidationOutcome> {
  const projectId = state.params.projectId;
  const model =
    (await deps.inference.catalogue()).resolve(outcome.model, state.params.baseModel)?.id ?? outcome.model;
  const override = (await deps.rateLimits.list(projectId)).find((limit) => limit.model === model);
  const limit = override?.batch1DayMaxInputTokens ?? DEFAULT_BATCH_INPUT_TOKENS_PER_DAY;
  const tokens = estimateInputTokens(outcome);
  const reserved = await deps.tokenReservations.reserve({
    batchId: state.batch.id,
    projectId,
    model,
    tokens,
    limit,
    now,
  });
  if (reserved) {
    return outcome;
  }
  return {
    ok: false,
    model: outcome.model,
    errors: [
      {
        code: "token_limit_exceeded",
        message: tokenLimitMessage(model, projectId, limit),
        param: null,
        line: null,
      },
    ],
  };
}

/** Gives the batch's reservation back; every terminal status calls this (it is idempotent). */
export async function releaseTokens(deps: Deps, batchId: string): Promise<void> {
  await deps.tokenReservations.release(batchId);
}
