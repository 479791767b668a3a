import type { Deps } from "../app/deps";
import type { LimiterSnapshot } from "../inference/rate-limiter";
import type { ModelCatalogue, ResolvedModel } from "../inference/types";
import type { Batch, BatchEta } from "../schemas/batch";
import { flowKey, forecastFinish, poolRateRpm, readPool, snapshotFlows } from "./pool-forecast";

/**
 * The `eta` extension of a Batch object as it is read: an in_progress batch's share of its pool
 * and when it should end, from the pool limiter's snapshot (its current rate and the backlogs of
 * the batches sharing it) and the batch's own lines left. Null while it does not apply (not
 * running, paused, model unknown) or when the pool cannot be read: a read never fails for it.
 */

type EtaDeps = Pick<Deps, "inference" | "poolSnapshot" | "config">;

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function resolveModel(catalogue: ModelCatalogue, name: string): ResolvedModel | null {
  try {
    return catalogue.resolve(name);
  } catch {
    return null;
  }
}

/** The estimate for `batch` given its pool's snapshot, at `nowMs`. Pure; exported for tests. */
export function estimateBatch(
  batch: Batch,
  projectId: string,
  model: ResolvedModel,
  pool: LimiterSnapshot | null,
  options: { nowMs: number; weight: number },
): BatchEta | null {
  if (batch.status !== "in_progress" || (batch.paused_at ?? null) !== null) {
    return null;
  }
  const counts = batch.request_counts;
  const remaining = Math.max(0, counts.total - counts.completed - counts.failed);
  const key = flowKey(projectId, batch.id);
  const own = pool?.shares?.find((share) => flowKey(share.projectId, share.batchId) === key);
  const poolRpm = poolRateRpm(pool, model);
  const forecast = forecastFinish(
    poolRpm,
    [
      ...snapshotFlows(pool?.shares, key),
      {
        key,
        projectId,
        deadlineMs: own?.deadlineMs ?? (batch.expires_at ?? 0) * 1000,
        weight: own?.weight ?? options.weight,
        capRpm: own?.capRpm ?? null,
        remaining,
      },
    ],
    key,
  );
  // the limiter's rate for the batch now includes a deadline boost, which the forecast leaves out
  const rateRpm = own ? own.rateRpm : forecast.rateRpm;
  let finishMs = forecast.finishMs;
  if (own?.urgent && own.rateRpm > 0) {
    finishMs = Math.min(finishMs, (remaining / own.rateRpm) * 60_000);
  }
  if (!Number.isFinite(finishMs) || poolRpm <= 0) {
    return null;
  }
  const seconds = Math.ceil(finishMs / 1000);
  return {
    pool: model.pool,
    pool_rate_per_minute: round(poolRpm, 1),
    share: round(Math.min(1, rateRpm / poolRpm), 3),
    rate_per_minute: round(rateRpm, 1),
    remaining,
    seconds,
    estimated_completion_at: Math.ceil(options.nowMs / 1000) + seconds,
  };
}

/** Whether reading `batch` calls for an estimate at all (so a list asks no pool for the others). */
function wantsEta(batch: Batch): boolean {
  return batch.status === "in_progress" && (batch.paused_at ?? null) === null && batch.model !== null;
}

/**
 * The batches with their `eta` set (null where it does not apply). One pool snapshot per pool
 * among the running batches: a list of finished batches costs nothing.
 */
export async function withEtas(deps: EtaDeps, projectId: string, batches: Batch[]): Promise<Batch[]> {
  if (!batches.some(wantsEta)) {
    return batches.map((batch) => ({ ...batch, eta: null }));
  }
  const catalogue = await deps.inference.catalogue();
  const pools = new Map<string, Promise<LimiterSnapshot | null>>();
  const nowMs = Date.now();
  const weight = deps.config.projectWeights[projectId] ?? 1;
  return Promise.all(
    batches.map(async (batch) => {
      const model = wantsEta(batch) ? resolveModel(catalogue, batch.model as string) : null;
      if (model === null) {
        return { ...batch, eta: null };
      }
      let pool = pools.get(model.pool);
      if (!pool) {
        pool = readPool(deps, model.pool);
        pools.set(model.pool, pool);
      }
      const snapshot = await pool;
      const eta =
        snapshot === null ? null : estimateBatch(batch, projectId, model, snapshot, { nowMs, weight });
      return { ...batch, eta };
    }),
  );
}

/** One batch with its `eta`. */
export async function withEta(deps: EtaDeps, projectId: string, batch: Batch): Promise<Batch> {
  const [out] = await withEtas(deps, projectId, [batch]);
  return out ?? batch;
}
