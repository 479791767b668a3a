import { describe, expect, it, vi } from "vitest";
import { DurableRateLimiter, type LimiterRpc, ModelLimiterClient } from "../../src/inference/limiter-client";
import type { LeaseGrant, LeaseRequest } from "../../src/inference/rate-limiter";
import { BGE_SMALL, LLAMA_8B, LLAMA_70B } from "./fixtures";

const FAR = Number.MAX_SAFE_INTEGER;

/** A limiter object that grants what it is asked for, at the given delays, and records every call. */
function fakeRpc(
  grant: (request: LeaseRequest) => Partial<LeaseGrant> = (r) => ({ delaysMs: Array(r.want).fill(0) }),
) {
  const leases: LeaseRequest[] = [];
  const reports: unknown[] = [];
  const rpc: LimiterRpc = {
    acquire: async (request) => {
      leases.push(request);
      const answer = grant(request);
      const delaysMs = answer.delaysMs ?? [];
      return { granted: delaysMs.length, delaysMs, retryAfterMs: 50, rateRpm: 285, ...answer };
    },
    report: async (request) => {
      reports.push(request);
      return {};
    },
  };
  return { rpc, leases, reports };
}

/** A sleep the test releases by hand, to see what is waiting on what. */
function manualSleep() {
  const pending: { ms: number; release: () => void }[] = [];
  const sleep = (ms: number) => new Promise<void>((resolve) => pending.push({ ms, release: resolve }));
  return { sleep, pending };
}

describe("ModelLimiterClient", () => {
  it("serves the lines that start together with one lease", async () => {
    const { rpc, leases } = fakeRpc();
    const client = new ModelLimiterClient(rpc, 300, { sleep: async () => {} });
    const granted = await Promise.all(Array.from({ length: 8 }, () => client.acquire({ deadline: FAR })));
    expect(granted).toEqual(Array(8).fill(true));
    expect(leases).toEqual([{ want: 8, rpm: 300, maxWaitMs: 10_000, feedback: { ok: 0, limited: 0 } }]);
  });

  it("hands each permit out at its start time, oldest waiter first", async () => {
    const { rpc } = fakeRpc(() => ({ delaysMs: [0, 200, 400] }));
    const { sleep, pending } = manualSleep();
    const client = new ModelLimiterClient(rpc, 300, { sleep });
    const order: number[] = [];
    const waits = [0, 1, 2].map((i) => client.acquire({ deadline: FAR }).then(() => order.push(i)));
    await vi.waitUntil(() => pending.length === 3);
    expect(pending.map((p) => p.ms)).toEqual([0, 200, 400]);
    pending[1]?.release();
    await vi.waitUntil(() => order.length === 1);
    expect(order).toEqual([0]);
    pending[0]?.release();
    pending[2]?.release();
    await Promise.all(waits);
    expect(order).toEqual([0, 1, 2]);
  });

  it("asks again when the lease stopped at its horizon", async () => {
    let calls = 0;
    const { rpc, leases } = fakeRpc((request) =>
      calls++ === 0 ? { delaysMs: [0] } : { delaysMs: Array(request.want).fill(0) },
    );
    const client = new ModelLimiterClient(rpc, 300, { sleep: async () => {} });
    await Promise.all([client.acquire({ deadline: FAR }), client.acquire({ deadline: FAR })]);
    expect(leases.map((l) => l.want)).toEqual([2, 1]);
  });

  it("sends successes with the next lease, and a 429 at once", async () => {
    const { rpc, leases, reports } = fakeRpc();
    const client = new ModelLimiterClient(rpc, 300, { sleep: async () => {} });
    await client.acquire({ deadline: FAR });
    client.report("ok");
    client.report("ok");
    await client.acquire({ deadline: FAR });
    expect(leases[1]?.feedback).toEqual({ ok: 2, limited: 0 });
    client.report("limited");
    await vi.waitUntil(() => reports.length === 1);
    expect(reports).toEqual([{ rpm: 300, feedback: { ok: 0, limited: 1 } }]);
  });

  it("flush() sends what is left", async () => {
    const { rpc, reports } = fakeRpc();
    const client = new ModelLimiterClient(rpc, 300);
    client.report("ok");
    await client.flush();
    await client.flush();
    expect(reports).toEqual([{ rpm: 300, feedback: { ok: 1, limited: 0 } }]);
  });

  it("answers false past the deadline or after an abort", async () => {
    let now = 0;
    const { rpc } = fakeRpc(() => ({ delaysMs: [] }));
    const { sleep, pending } = manualSleep();
    const client = new ModelLimiterClient(rpc, 300, { sleep, now: () => now });
    expect(await client.acquire({ deadline: 0 })).toBe(false);
    const late = client.acquire({ deadline: 100 });
    const controller = new AbortController();
    const cancelled = client.acquire({ deadline: FAR, signal: controller.signal });
    await vi.waitUntil(() => pending.length === 1);
    controller.abort();
    expect(await cancelled).toBe(false);
    now = 100;
    pending[0]?.release();
    expect(await late).toBe(false);
  });

  it("on stop, lets waiters whose permit is scheduled through and sends the others away", async () => {
    // one permit granted per lease: the first waiter has one coming, the other two do not
    const { rpc } = fakeRpc(() => ({ delaysMs: [300], granted: 1 }));
    const { sleep, pending } = manualSleep();
    const client = new ModelLimiterClient(rpc, 300, { sleep });
    const stop = new AbortController();
    const waits = [0, 1, 2].map(() => client.acquire({ deadline: FAR, stop: stop.signal }));
    await vi.waitUntil(() => pending.some((p) => p.ms === 300));
    stop.abort();
    expect(await waits[1]).toBe(false);
    expect(await waits[2]).toBe(false);
    // the scheduled permit is used, not wasted
    pending.find((p) => p.ms === 300)?.release();
    expect(await waits[0]).toBe(true);
    // once stopped, nothing new waits
    expect(await client.acquire({ deadline: FAR, stop: stop.signal })).toBe(false);
  });

  it("paces calls locally while the limiter object is unreachable", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const rpc: LimiterRpc = {
      acquire: async () => {
        throw new Error("Durable Object overloaded");
      },
      report: async () => ({}),
    };
    const sleeps: number[] = [];
    const client = new ModelLimiterClient(rpc, 300, {
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      fallbackIntervalMs: 1_000,
    });
    await expect(client.acquire({ deadline: FAR })).resolves.toBe(true);
    expect(sleeps).toContain(1_000);
    warn.mockRestore();
  });
});

describe("DurableRateLimiter", () => {
  it("keeps one client per pool: two text-generation models and an adapter share the account's budget", async () => {
    const rpcFor = vi.fn(() => fakeRpc().rpc);
    const limiter = new DurableRateLimiter(rpcFor, { sleep: async () => {} });
    const adapter = { ...LLAMA_70B, requested: "bot", lora: "bot" };
    await limiter.acquire(LLAMA_70B, { deadline: FAR });
    await limiter.acquire(adapter, { deadline: FAR });
    await limiter.acquire(LLAMA_8B, { deadline: FAR });
    await limiter.acquire(BGE_SMALL, { deadline: FAR });
    expect(rpcFor.mock.calls).toEqual([["task:text-generation"], ["task:text-embeddings"]]);
  });
});
