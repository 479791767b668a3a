import type { Deps } from "../app/deps";
import { FAIR_SHARE_TUNING, type FlowShare, type SplitFlow, splitPool } from "../inference/fair-share";
import { LIMITER_TUNING, type LimiterSnapshot } from "../inference/rate-limiter";
import type { ResolvedModel } from "../inference/types";

/**
 * When would a batch finish on its pool, given the pool's rate and every active batch's backlog?
 * A fluid model of the fair share: each flow runs at its `splitPool` rate until the first one
 * finishes, then the rest share the pool again, and so on. It ignores deadline boosts (which take
 * from others to save an at-risk batch) and the model's own latency, so it says what the pool's
 * fair share allows, not what the clock will show to the second.
 */

export type ForecastFlow = SplitFlow & {
  /** Lines not yet finished; undefined means unknown, taken as never finishing. */
  remaining: number | undefined;
};

export type Forecast = {
  /** The flow's rate now, requests a minute. */
  rateRpm: number;
  /** Ms from now until its last line, or Infinity if it never gets a share. */
  finishMs: number;
};

/** The fluid forecast of `target` among `flows` (which must include it) on a pool of `poolRpm`. */
export function forecastFinish(poolRpm: number, flows: ForecastFlow[], target: string): Forecast {
  let active = flows.map((flow) => ({ ...flow }));
  let elapsed = 0;
  let initialRate: number | null = null;
  // each phase ends with at least one flow done, so there are at most as many phases as flows
  for (let phase = 0; phase <= flows.length; phase++) {
    const rates = splitPool(poolRpm, active);
    const targetRate = rates.get(target) ?? 0;
    initialRate ??= targetRate;
    const self = active.find((flow) => flow.key === target);
    if (!self || self.remaining === undefined || self.remaining <= 0) {
      return { rateRpm: initialRate, finishMs: elapsed };
    }
    let step = Number.POSITIVE_INFINITY;
    for (const flow of active) {
      const rate = rates.get(flow.key) ?? 0;
      if (rate > 0 && flow.remaining !== undefined) {
        step = Math.min(step, (flow.remaining / rate) * 60_000);
      }
    }
    if (!Number.isFinite(step)) {
      break;
    }
    elapsed += step;
    for (const flow of active) {
      if (flow.remaining !== undefined) {
        flow.remaining -= ((rates.get(flow.key) ?? 0) * step) / 60_000;
      }
    }
    // a relative slack, so that float error never leaves a finished flow a hair of a line to do
    active = active.filter((flow) => flow.remaining === undefined || flow.remaining > 1e-6);
    if (!active.some((flow) => flow.key === target)) {
      return { rateRpm: initialRate, finishMs: elapsed };
    }
  }
  return { rateRpm: initialRate ?? 0, finishMs: Number.POSITIVE_INFINITY };
}

/** A flow key as the forecast names them. */
export function flowKey(projectId: string, batchId: string): string {
  return `${projectId}\u0000${batchId}`;
}

/** The snapshot's flows, for a forecast; interactive ones are left out (they last seconds). */
export function snapshotFlows(shares: FlowShare[] | undefined, without: string): ForecastFlow[] {
  return (shares ?? [])
    .filter((share) => !share.interactive && flowKey(share.projectId, share.batchId) !== without)
    .map((share) => ({
      key: flowKey(share.projectId, share.batchId),
      projectId: share.projectId,
      deadlineMs: share.deadlineMs ?? Number.MAX_SAFE_INTEGER,
      weight: share.weight ?? 1,
      capRpm: share.capRpm ?? null,
      remaining: share.remaining,
    }));
}

/** The pool's snapshot, or null if its limiter cannot be reached (callers then say nothing). */
export async function readPool(
  deps: Pick<Deps, "poolSnapshot">,
  pool: string,
): Promise<LimiterSnapshot | null> {
  try {
    return await deps.poolSnapshot(pool);
  } catch (err) {
    console.warn(JSON.stringify({ msg: "pool snapshot failed", pool, err: String(err) }));
    return null;
  }
}

/**
 * The pool's rate in requests a minute: the limiter's current rate, or (`ceiling`) the rate it
 * climbs back to within seconds after a 429 halved it. A limiter that has served nobody yet runs
 * at the model's target from its first call.
 */
export function poolRateRpm(pool: LimiterSnapshot | null, model: ResolvedModel, ceiling = false): number {
  if (pool === null || pool.rpm <= 0) {
    return model.rpm * LIMITER_TUNING.targetFraction;
  }
  return ceiling ? Math.max(pool.rateRpm, pool.ceilingRpm) : pool.rateRpm;
}

/** The most of the pool that batches at risk of missing their windows may take together. */
export const URGENT_MAX_FRACTION = FAIR_SHARE_TUNING.urgentMaxFraction;
