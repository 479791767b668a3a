import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { modelRateLimiterFor } from "../../src/durable/model-rate-limiter";
import type { FlowInfo } from "../../src/inference/fair-share";
import { DurableRateLimiter } from "../../src/inference/limiter-client";
import type { ResolvedModel } from "../../src/inference/types";
import { LLAMA_70B } from "../inference/fixtures";

let counter = 0;
/** A model id of its own per test: one limiter object per model, and objects outlive tests in a file. */
function freshModel(): string {
  counter += 1;
  return `@cf/test/model-${counter}-${crypto.randomUUID()}`;
}

describe("ModelRateLimiter", () => {
  it("leases permits at 95% of the model's limit: a burst, then one per interval", async () => {
    const stub = modelRateLimiterFor(env.MODEL_RATE_LIMITER, freshModel());
    const grant = await stub.acquire({ want: 40, rpm: 600, maxWaitMs: 60_000 });
    expect(grant.rateRpm).toBe(570);
    expect(grant.granted).toBe(40);
    const burst = grant.delaysMs.filter((d) => d === 0).length;
    expect(burst).toBe(19);
    const gaps = grant.delaysMs.slice(burst).map((d, i, all) => d - (all[i - 1] ?? 0));
    for (const gap of gaps.slice(1)) {
      expect(gap).toBeGreaterThanOrEqual(105);
      expect(gap).toBeLessThanOrEqual(106);
    }
  });

  it("shares one schedule between callers: the second lease starts where the first ended", async () => {
    const stub = modelRateLimiterFor(env.MODEL_RATE_LIMITER, freshModel());
    const first = await stub.acquire({ want: 20, rpm: 60, maxWaitMs: 60_000 });
    const second = await stub.acquire({ want: 1, rpm: 60, maxWaitMs: 60_000 });
    expect(second.delaysMs[0]).toBeGreaterThan((first.delaysMs.at(-1) ?? 0) - 1_000);
  });

  it("refuses past the wait horizon with a retry time", async () => {
    const stub = modelRateLimiterFor(env.MODEL_RATE_LIMITER, freshModel());
    await stub.acquire({ want: 10, rpm: 60, maxWaitMs: 5_000 });
    const refused = await stub.acquire({ want: 1, rpm: 60, maxWaitMs: 0 });
    expect(refused).toMatchObject({ granted: 0, delaysMs: [] });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
  });

  it("halves the rate on a 429 report (AIMD decrease)", async () => {
    const stub = modelRateLimiterFor(env.MODEL_RATE_LIMITER, freshModel());
    await stub.acquire({ want: 1, rpm: 300 });
    expect(await stub.report({ rpm: 300, feedback: { ok: 0, limited: 1 } })).toMatchObject({
      rateRpm: 142.5,
    });
    expect(await stub.snapshot()).toEqual({ rpm: 300, ceilingRpm: 285, rateRpm: 142.5, shares: [] });
  });

  it("keeps separate rates per model", async () => {
    const a = modelRateLimiterFor(env.MODEL_RATE_LIMITER, freshModel());
    const b = modelRateLimiterFor(env.MODEL_RATE_LIMITER, freshModel());
    await a.report({ rpm: 300, feedback: { ok: 0, limited: 1 } });
    expect((await b.acquire({ want: 1, rpm: 300 })).rateRpm).toBe(285);
  });

  it("ignores malformed feedback counts", async () => {
    const stub = modelRateLimiterFor(env.MODEL_RATE_LIMITER, freshModel());
    const grant = await stub.acquire({ want: 1, rpm: 300, feedback: { ok: -5, limited: Number.NaN } });
    expect(grant.rateRpm).toBe(285);
  });

  it("gives a project's waiting synchronous caller its project's share, ahead of its batch", async () => {
    const stub = modelRateLimiterFor(env.MODEL_RATE_LIMITER, freshModel());
    const far = Date.now() + 3_600_000;
    const flow = (projectId: string, batchId: string) => ({
      projectId,
      batchId,
      deadlineMs: far,
      remaining: 1_000,
    });
    await stub.acquire({ want: 8, rpm: 300, flow: flow("proj_a", "batch_a") });
    await stub.acquire({ want: 8, rpm: 300, flow: flow("proj_b", "batch_b") });
    // 50 requests due in 5 s: a batch that needed that would be boosted; a caller never is
    const caller = { ...flow("proj_a", "sync"), deadlineMs: Date.now() + 5_000, remaining: 50 };
    const grant = await stub.acquire({ want: 4, rpm: 300, flow: { ...caller, priority: "interactive" } });
    expect(grant.granted).toBeGreaterThan(0);
    const shares = Object.fromEntries(((await stub.snapshot()).shares ?? []).map((s) => [s.batchId, s]));
    expect(shares.sync).toMatchObject({ interactive: true, urgent: false });
    // proj_a keeps half of the pool (285/min), nearly all of it for the caller; proj_b its half
    expect((shares.sync?.rateRpm ?? 0) + (shares.batch_a?.rateRpm ?? 0)).toBeCloseTo(142.5);
    expect(shares.sync?.rateRpm).toBeGreaterThan(0.95 * 142.5);
    expect(shares.batch_a?.urgent).toBe(false);
    expect(shares.batch_b?.rateRpm).toBeCloseTo(142.5);
  });

  it("treats a flow without a known priority as a batch", async () => {
    const stub = modelRateLimiterFor(env.MODEL_RATE_LIMITER, freshModel());
    const flow = { projectId: "proj_a", batchId: "b", deadlineMs: Date.now() + 60_000, priority: "urgent" };
    await stub.acquire({ want: 1, rpm: 300, flow: flow as unknown as FlowInfo });
    expect((await stub.snapshot()).shares?.[0]?.interactive).toBe(false);
  });

  it("paces lines end to end through DurableRateLimiter", async () => {
    const id = freshModel();
    const model: ResolvedModel = { ...LLAMA_70B, requested: id, id, pool: id, rpm: 6_000 };
    const limiter = new DurableRateLimiter((modelId) => modelRateLimiterFor(env.MODEL_RATE_LIMITER, modelId));
    const deadline = Date.now() + 60_000;
    const granted = await Promise.all(Array.from({ length: 10 }, () => limiter.acquire(model, { deadline })));
    expect(granted).toEqual(Array(10).fill(true));
    limiter.report(model, "limited");
    await limiter.flush();
    await vi.waitUntil(
      async () => (await modelRateLimiterFor(env.MODEL_RATE_LIMITER, id).snapshot()).rateRpm < 5_700,
    );
  });
});
