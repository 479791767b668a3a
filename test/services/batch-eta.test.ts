import { describe, expect, it } from "vitest";
import type { ResolvedModel } from "../../src/domain/models";
import type { LimiterSnapshot } from "../../src/inference/rate-limiter";
import type { Batch } from "../../src/schemas/batch";
import { estimateBatch } from "../../src/services/batch-eta";
import { newBatchObject } from "../../src/services/batches";

const MODEL = {
  requested: "@cf/meta/llama-3.1-8b-instruct-fast",
  id: "@cf/meta/llama-3.1-8b-instruct-fast",
  pool: "task:text-generation",
  rpm: 300,
} as ResolvedModel;
const NOW = 1_800_000_000_000;

function running(total: number, done: number, extra: Partial<Batch> = {}): Batch {
  const batch = newBatchObject(
    "batch_b",
    { input_file_id: "file-1", endpoint: "/v1/chat/completions", completion_window: "24h" },
    NOW / 1000 - 60,
    86_400,
  );
  return {
    ...batch,
    status: "in_progress",
    in_progress_at: NOW / 1000 - 50,
    request_counts: { total, completed: done, failed: 0 },
    ...extra,
  };
}

/** Project A's big batch holds the pool; B's batch is `batch_b`. */
function pool(withB: boolean): LimiterSnapshot {
  const shares = [
    {
      projectId: "proj_a",
      batchId: "batch_a",
      rateRpm: withB ? 142.5 : 285,
      urgent: false,
      remaining: 3_000,
    },
  ];
  if (withB) {
    shares.push({ projectId: "proj_b", batchId: "batch_b", rateRpm: 142.5, urgent: false, remaining: 10 });
  }
  return { rpm: 300, ceilingRpm: 285, rateRpm: 285, shares };
}

describe("estimateBatch", () => {
  it("gives a running batch its share of the pool and when it ends", () => {
    const eta = estimateBatch(running(10, 4), "proj_b", MODEL, pool(true), { nowMs: NOW, weight: 1 });
    // 6 lines at 142.5 a minute: 2.53 s
    expect(eta).toEqual({
      pool: "task:text-generation",
      pool_rate_per_minute: 285,
      share: 0.5,
      rate_per_minute: 142.5,
      remaining: 6,
      seconds: 3,
      estimated_completion_at: NOW / 1000 + 3,
    });
  });

  it("counts a batch the limiter has not seen yet as joining the pool's share", () => {
    const eta = estimateBatch(running(285, 0), "proj_b", MODEL, pool(false), { nowMs: NOW, weight: 1 });
    expect(eta).toMatchObject({ share: 0.5, rate_per_minute: 142.5, seconds: 120 });
  });

  it("counts the others' backlogs: the large batch speeds up when the small one is done", () => {
    const eta = estimateBatch(running(3_000, 0, { id: "batch_a" }), "proj_a", MODEL, pool(true), {
      nowMs: NOW,
      weight: 1,
    });
    // b's 10 lines take 4.2 s at half the pool; a's other 2,990 then run at 285 a minute
    expect(eta?.seconds).toBe(Math.ceil((10 / 142.5) * 60 + ((3_000 - 10) / 285) * 60));
  });

  it("is null unless the batch is running: validating, paused, finalizing, completed", () => {
    const opts = { nowMs: NOW, weight: 1 };
    for (const batch of [
      running(10, 0, { status: "validating" }),
      running(10, 0, { paused_at: NOW / 1000 }),
      running(10, 10, { status: "finalizing" }),
      running(10, 10, { status: "completed" }),
    ]) {
      expect(estimateBatch(batch, "proj_b", MODEL, pool(true), opts)).toBeNull();
    }
  });

  it("uses the model's documented rate for a pool that has served nobody yet", () => {
    const idle: LimiterSnapshot = { rpm: 0, ceilingRpm: 0, rateRpm: 0, shares: [] };
    const eta = estimateBatch(running(570, 0), "proj_b", MODEL, idle, { nowMs: NOW, weight: 1 });
    expect(eta).toMatchObject({ pool_rate_per_minute: 285, share: 1, seconds: 120 });
  });
});
