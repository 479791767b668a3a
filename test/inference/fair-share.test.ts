import { describe, expect, it } from "vitest";
import { FairShareScheduler, type FlowInfo, waterFill } from "../../src/inference/fair-share";
import { AdaptiveRateLimit } from "../../src/inference/rate-limiter";

const HOUR = 3_600_000;

type SimFlow = FlowInfo & { from?: number; until?: number; want?: number };

/**
 * Drives the scheduler and the pool's GCRA like the limiter object does, with backlogged clients
 * that ask again when their last permit starts (or when told to retry): a discrete-event run on a
 * simulated clock, so the figures are exact and repeatable.
 */
function simulate(flows: SimFlow[], durationMs: number, rpm = 300): Map<string, number[]> {
  let now = 0;
  const fair = new FairShareScheduler(() => now);
  const pool = new AdaptiveRateLimit();
  pool.configure(rpm);
  const starts = new Map<string, number[]>(flows.map((flow) => [flow.batchId, []]));
  const nextAsk = flows.map((flow) => flow.from ?? 0);
  while (now < durationMs) {
    for (const [i, flow] of flows.entries()) {
      if (nextAsk[i] !== now || now >= (flow.until ?? Number.POSITIVE_INFINITY)) {
        continue;
      }
      const rate = pool.snapshot().rateRpm;
      const admission = fair.admit(flow, flow.want ?? 16, rate);
      if (admission.allowed === 0) {
        nextAsk[i] = now + admission.retryAfterMs;
        continue;
      }
      const grant = pool.lease(admission.allowed, 10_000, now);
      const last = grant.delaysMs.at(-1) ?? grant.retryAfterMs;
      fair.consume(flow, grant.granted, last);
      starts.get(flow.batchId)?.push(...grant.delaysMs.map((delay) => now + delay));
      nextAsk[i] = now + Math.max(1, last);
    }
    const upcoming = nextAsk.filter(
      (at, i) => at > now && at < (flows[i]?.until ?? Number.POSITIVE_INFINITY),
    );
    now = upcoming.length > 0 ? Math.min(...upcoming) : durationMs;
  }
  return starts;
}

function countIn(starts: number[] | undefined, from: number, to: number): number {
  return (starts ?? []).filter((at) => at >= from && at < to).length;
}

function backlogged(projectId: string, extra: Partial<SimFlow> = {}): SimFlow {
  return { projectId, batchId: `${projectId}-batch`, deadlineMs: 24 * HOUR, ...extra };
}

/** Each flow's share of the permits started in [from, to), and the total per minute. */
function shares(starts: Map<string, number[]>, from: number, to: number) {
  const counts = [...starts.entries()].map(([id, list]) => [id, countIn(list, from, to)] as const);
  const total = counts.reduce((sum, [, n]) => sum + n, 0);
  return {
    perMinute: (total * 60_000) / (to - from),
    share: Object.fromEntries(counts.map(([id, n]) => [id, n / total])),
  };
}

describe("waterFill", () => {
  it("splits by weight and hands what a cap leaves to the others", () => {
    const out = waterFill(300, [
      { key: "a", weight: 1, cap: 60 },
      { key: "b", weight: 1, cap: Number.POSITIVE_INFINITY },
      { key: "c", weight: 2, cap: Number.POSITIVE_INFINITY },
    ]);
    expect(out.get("a")).toBe(60);
    expect(out.get("b")).toBeCloseTo(80);
    expect(out.get("c")).toBeCloseTo(160);
  });
});

describe("FairShareScheduler", () => {
  it("gives a lone backlogged project the pool's full rate", () => {
    const result = shares(simulate([backlogged("a")], 120_000), 10_000, 120_000);
    expect(result.perMinute).toBeGreaterThanOrEqual(0.98 * 285);
    expect(result.perMinute).toBeLessThanOrEqual(285 * 1.01);
  });

  it.each([2, 5])("splits the pool equally among %i backlogged projects", (n) => {
    const flows = Array.from({ length: n }, (_, i) => backlogged(`p${i}`));
    const result = shares(simulate(flows, 300_000), 10_000, 300_000);
    expect(result.perMinute).toBeGreaterThanOrEqual(0.98 * 285);
    for (const flow of flows) {
      expect(result.share[flow.batchId]).toBeGreaterThanOrEqual(1 / n - 0.02);
      expect(result.share[flow.batchId]).toBeLessThanOrEqual(1 / n + 0.02);
    }
  });

  it("follows the projects' weights", () => {
    const result = shares(
      simulate([backlogged("heavy", { weight: 3 }), backlogged("light", { weight: 1 })], 300_000),
      10_000,
      300_000,
    );
    expect(result.share["heavy-batch"]).toBeCloseTo(0.75, 1);
    expect(result.share["light-batch"]).toBeCloseTo(0.25, 1);
  });

  it("hands an idle project's share to the busy one", () => {
    const starts = simulate([backlogged("a"), backlogged("b", { until: 60_000 })], 180_000);
    expect(shares(starts, 10_000, 60_000).share["a-batch"]).toBeCloseTo(0.5, 1);
    const after = shares(starts, 70_000, 180_000);
    expect(after.share["a-batch"]).toBe(1);
    expect(after.perMinute).toBeGreaterThanOrEqual(0.98 * 285);
  });

  it("lets a newcomer start at once while another project holds the pool", () => {
    const starts = simulate([backlogged("a"), backlogged("b", { from: 60_000, until: 60_001 })], 70_000);
    const first = starts.get("b-batch")?.[0] ?? Number.POSITIVE_INFINITY;
    expect(first - 60_000).toBeLessThanOrEqual(3_000);
  });

  it("caps a project at its max_requests_per_1_minute and gives the rest to the others", () => {
    const result = shares(
      simulate([backlogged("capped", { capRpm: 60 }), backlogged("b")], 300_000),
      10_000,
      300_000,
    );
    expect((result.share["capped-batch"] ?? 0) * result.perMinute).toBeLessThanOrEqual(61);
    expect((result.share["capped-batch"] ?? 0) * result.perMinute).toBeGreaterThanOrEqual(55);
    expect(result.perMinute).toBeGreaterThanOrEqual(0.97 * 285);
  });

  it("runs the batch whose window ends sooner first within a project", () => {
    const result = shares(
      simulate(
        [
          { projectId: "p", batchId: "late", deadlineMs: 24 * HOUR },
          { projectId: "p", batchId: "soon", deadlineMs: 2 * HOUR },
        ],
        300_000,
      ),
      10_000,
      300_000,
    );
    expect(result.share.soon).toBeCloseTo(0.75, 1);
    expect(result.share.late).toBeCloseTo(0.25, 1);
  });

  it("gives a batch at risk of missing its window priority over one with hours to spare", () => {
    // 600 lines left with 3 minutes to go need 200/min; an equal share would be 142.5
    const result = shares(
      simulate(
        [
          backlogged("relaxed"),
          backlogged("hurried", { deadlineMs: 180_000, remaining: 600 }),
          backlogged("other"),
        ],
        120_000,
      ),
      10_000,
      120_000,
    );
    expect((result.share["hurried-batch"] ?? 0) * result.perMinute).toBeGreaterThanOrEqual(200);
    expect(result.share["relaxed-batch"]).toBeGreaterThan(0.05);
    expect(result.share["other-batch"]).toBeGreaterThan(0.05);
  });

  it("starves no one over a long run of weights, deadlines, caps and comings and goings", () => {
    const flows: SimFlow[] = [
      backlogged("a", { weight: 5 }),
      backlogged("b", { deadlineMs: 30 * 60_000, remaining: 100_000 }),
      backlogged("c", { capRpm: 30 }),
      backlogged("d", { from: 600_000, until: 2_400_000 }),
      { projectId: "a", batchId: "a-second", deadlineMs: 48 * HOUR },
    ];
    const starts = simulate(flows, HOUR);
    for (let minute = 1; minute < 60; minute++) {
      for (const flow of flows) {
        const from = Math.max(minute * 60_000, (flow.from ?? 0) + 5_000);
        const to = Math.min((minute + 1) * 60_000, flow.until ?? HOUR);
        if (from < to) {
          expect(
            countIn(starts.get(flow.batchId), from, to),
            `${flow.batchId} in minute ${minute}`,
          ).toBeGreaterThan(0);
        }
      }
    }
    const total = [...starts.values()].reduce((sum, list) => sum + countIn(list, 60_000, HOUR), 0);
    expect(total / 59).toBeGreaterThanOrEqual(0.97 * 285);
  });
});

describe("FairShareScheduler: interactive flows (the synchronous batch endpoint)", () => {
  const sync = (projectId: string, extra: Partial<SimFlow> = {}): SimFlow => ({
    projectId,
    batchId: `${projectId}-sync`,
    deadlineMs: 60_000,
    priority: "interactive",
    ...extra,
  });

  it("serves a waiting caller before its project's queued batch lines", () => {
    let now = 0;
    const fair = new FairShareScheduler(() => now);
    const batchA = backlogged("a");
    const batchB = backlogged("b");
    for (const flow of [batchA, batchB]) {
      fair.consume(flow, fair.admit(flow, 64, 285).allowed, 1_000);
    }
    // two seconds on, the project's batch has saved up credit (4.75 lines); the caller arrives and takes it
    now = 2_000;
    const caller = sync("a");
    const first = fair.admit(caller, 8, 285);
    expect(first.allowed).toBe(8);
    fair.consume(caller, first.allowed, 500);
    // the batch's saved credit went to the caller: at most a line of the pool's spare pot is left
    expect(fair.admit(batchA, 8, 285).allowed).toBeLessThanOrEqual(1);
    // B's turn is untouched by A's caller
    expect(fair.admit(batchB, 8, 285).allowed).toBeGreaterThanOrEqual(4);
  });

  it("takes its project's share, not the other projects'", () => {
    const result = shares(
      simulate([backlogged("a"), sync("a", { want: 8, deadlineMs: HOUR }), backlogged("b")], 120_000),
      10_000,
      120_000,
    );
    expect(result.perMinute).toBeGreaterThanOrEqual(0.97 * 285);
    const projectA = (result.share["a-batch"] ?? 0) + (result.share["a-sync"] ?? 0);
    expect(projectA).toBeGreaterThanOrEqual(0.47);
    expect(projectA).toBeLessThanOrEqual(0.53);
    expect(result.share["b-batch"]).toBeGreaterThanOrEqual(0.47);
    // within A, the caller comes first
    expect(result.share["a-sync"]).toBeGreaterThan(0.9 * projectA);
  });

  it("is never boosted as a batch at risk, and pays no other batch's boost", () => {
    let now = 0;
    const fair = new FairShareScheduler(() => now);
    // 100 requests due in 10 s would need 600/min: far past the pool, and it must not get it
    const caller = sync("a", { remaining: 100, deadlineMs: 10_000 });
    const hurried = backlogged("b", { remaining: 600, deadlineMs: 180_000 });
    fair.admit(caller, 8, 285);
    fair.admit(hurried, 8, 285);
    now = 100;
    const byBatch = Object.fromEntries(fair.shares().map((share) => [share.batchId, share]));
    expect(byBatch["a-sync"]?.urgent).toBe(false);
    expect(byBatch["a-sync"]?.interactive).toBe(true);
    expect(byBatch["a-sync"]?.rateRpm).toBeCloseTo(142.5);
    expect(byBatch["b-batch"]?.urgent).toBe(true);
    expect(byBatch["b-batch"]?.rateRpm).toBeCloseTo(142.5);
  });
});
