import type { Deps } from "../app/deps";
import type { ProjectId } from "../domain/ids";
import type { ResolvedModel } from "../inference/types";
import type { BatchError } from "../schemas/batch";
import {
  flowKey,
  forecastFinish,
  poolRateRpm,
  readPool,
  snapshotFlows,
  URGENT_MAX_FRACTION,
} from "./pool-forecast";

/**
 * Refuses, at validation, a batch that clearly cannot finish in its completion window: its lines
 * (now counted) at the best rate the pool can give it, its fair share as the batches ahead finish
 * or the deadline boost of a batch at risk, whichever is faster, against the time left. Only a
 * clear miss counts (`margin` and `slackMs` both), so a batch that would merely cut it close runs,
 * and a batch needing under a minute of the pool never trips it.
 *
 * Under fair share a new batch starts within seconds whatever the backlog, so the backlog alone
 * never makes a window impossible: nothing is refused at create, where the line count is unknown.
 */
export const WINDOW_CHECK = {
  /** The estimate must exceed the time left × this ... */
  margin: 1.5,
  /** ... and the time left + this. */
  slackMs: 60_000,
} as const;

export type WindowCheckInput = {
  batchId: string;
  projectId: ProjectId;
  model: ResolvedModel;
  /** Requests in the batch. */
  total: number;
  /** Epoch ms the window ends (`expires_at`). */
  deadlineMs: number;
  nowMs?: number;
};

export type WindowVerdict = {
  /** The best rate the batch can expect, requests a minute. */
  rateRpm: number;
  estimateMs: number;
  leftMs: number;
  tooShort: boolean;
};

type CheckDeps = Pick<Deps, "poolSnapshot" | "rateLimits" | "config">;

const MAX_WINDOW_MS = 7 * 24 * 3_600_000;

/** A window in the API's own notation (`30m`, `6h`, `3d`), rounded up, within 1m..7d. */
export function windowNotation(ms: number): string {
  const minutes = Math.min(7 * 24 * 60, Math.max(1, Math.ceil(ms / 60_000)));
  if (minutes % (24 * 60) === 0 || minutes > 48 * 60) {
    return `${Math.ceil(minutes / (24 * 60))}d`;
  }
  if (minutes % 60 === 0 || minutes > 120) {
    return `${Math.ceil(minutes / 60)}h`;
  }
  return `${minutes}m`;
}

function minutes(ms: number): string {
  const value = ms / 60_000;
  return value >= 10 ? `${Math.round(value)} minutes` : `${value.toFixed(1)} minutes`;
}

/** The verdict on the batch's window; null if the pool cannot be read (then nothing is refused). */
export async function checkCompletionWindow(
  deps: CheckDeps,
  input: WindowCheckInput,
): Promise<WindowVerdict | null> {
  const pool = await readPool(deps, input.model.pool);
  if (pool === null) {
    return null;
  }
  const nowMs = input.nowMs ?? Date.now();
  const overrides = await deps.rateLimits.list(input.projectId).catch(() => []);
  const capRpm = overrides.find((o) => o.model === input.model.id)?.maxRequestsPer1Minute ?? null;
  // the rate it climbs back to after a 429: a passing slowdown must not refuse anyone
  const poolRpm = poolRateRpm(pool, input.model, true);
  const key = flowKey(input.projectId, input.batchId);
  const fair = forecastFinish(
    poolRpm,
    [
      ...snapshotFlows(pool.shares, key),
      {
        key,
        projectId: input.projectId,
        deadlineMs: input.deadlineMs,
        weight: deps.config.projectWeights[input.projectId] ?? 1,
        capRpm,
        remaining: input.total,
      },
    ],
    key,
  );
  // a batch at risk is boosted up to a fraction of the pool (less what others at risk hold already)
  const urgentNow = (pool.shares ?? [])
    .filter((share) => share.urgent)
    .reduce((sum, s) => sum + s.rateRpm, 0);
  const boostRpm = Math.min(
    capRpm ?? Number.POSITIVE_INFINITY,
    Math.max(0, poolRpm * URGENT_MAX_FRACTION - urgentNow),
  );
  const boostedMs = boostRpm > 0 ? (input.total / boostRpm) * 60_000 : Number.POSITIVE_INFINITY;
  const estimateMs = Math.min(fair.finishMs, boostedMs);
  const leftMs = input.deadlineMs - nowMs;
  const tooShort = estimateMs > leftMs * WINDOW_CHECK.margin && estimateMs > leftMs + WINDOW_CHECK.slackMs;
  return { rateRpm: Math.max(fair.rateRpm, boostRpm), estimateMs, leftMs, tooShort };
}

/** The `errors.data` entry of a refused batch. */
export function windowTooShortError(input: WindowCheckInput, verdict: WindowVerdict): BatchError {
  const need = Number.isFinite(verdict.estimateMs)
    ? `its ${input.total} requests need about ${minutes(verdict.estimateMs)} at the most the ${input.model.pool} pool can give it now (${Math.round(verdict.rateRpm)} requests a minute)`
    : `the ${input.model.pool} pool can give its ${input.total} requests no rate at all now`;
  const wanted = verdict.estimateMs * WINDOW_CHECK.margin;
  const suggestion = !Number.isFinite(verdict.estimateMs)
    ? "Use a longer completion_window, or try again later."
    : wanted > MAX_WINDOW_MS
      ? "Even the longest completion_window ('7d') is too short: split the file into smaller batches."
      : `Use a longer completion_window (at least '${windowNotation(wanted)}'), or split the file.`;
  return {
    code: "completion_window_too_short",
    message: `The batch cannot finish within its completion window: ${need}, but the window ends in ${minutes(Math.max(0, verdict.leftMs))}. ${suggestion}`,
    param: "completion_window",
    line: null,
  };
}
