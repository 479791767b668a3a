/**
 * Fair share of one rate-limited pool: decides how many permits a lease may take, while
 * `AdaptiveRateLimit` decides when they start. Pure and clock-injected, so tests are deterministic.
 *
 * Each active flow (one batch of one project) earns credit at its share of the pool's rate and
 * spends one credit per permit. Shares: the rate is split among active projects by weight (water
 * filling, each capped by its `max_requests_per_1_minute`), then within a project among its batches
 * (the one whose window ends soonest weighs `earliestBatchWeight`). A batch that cannot finish in
 * its window at its share gets a boost, paid by the others, up to `urgentMaxFraction` of the pool.
 * Credit a flow cannot use (it sits at its burst cap) spills into a spare pot others may draw
 * from, so the pool stays busy; a flow unseen for `activeGraceMs` past its expected return is
 * idle, and its share goes to the rest.
 *
 * An interactive flow (the synchronous batch endpoint: a caller is waiting) comes first within its
 * project: it takes nearly all of the project's share while it waits, may spend the credit its
 * project's batches saved up, and is never boosted past the project's share, so it costs other
 * projects nothing.
 */

export type FlowInfo = {
  projectId: string;
  batchId: string;
  /** Epoch ms when the batch's window ends. */
  deadlineMs: number;
  /** Lines of the batch not yet finished, if known: used to spot a batch at risk. */
  remaining?: number;
  /** The project's weight (default 1). */
  weight?: number;
  /** The project's `max_requests_per_1_minute` for the model, if it has one. */
  capRpm?: number | null;
  /** `interactive`: a caller waits on the answer (the synchronous batch endpoint). */
  priority?: "interactive";
};

export const FAIR_SHARE_TUNING = {
  /** A flow is idle once unseen this long after it was expected back. */
  activeGraceMs: 3_000,
  /** Most credit a flow (and the spare pot) may hold, in ms of its rate. */
  burstMs: 2_000,
  earliestBatchWeight: 3,
  /** Most of the pool that at-risk batches may take together. */
  urgentMaxFraction: 0.8,
  /** A batch is at risk if it needs more than its share × this to finish in time. */
  riskMargin: 1.2,
  /** Weight of an interactive flow against its project's batches (1, or `earliestBatchWeight`). */
  interactiveWeight: 100,
} as const;

export type FairShareTuning = { [K in keyof typeof FAIR_SHARE_TUNING]: number };

type Flow = FlowInfo & {
  key: string;
  credit: number;
  /** Permits per ms. */
  rate: number;
  activeUntil: number;
};

export type Admission = { allowed: number; retryAfterMs: number };
export type FlowShare = {
  projectId: string;
  batchId: string;
  rateRpm: number;
  urgent: boolean;
  /** What the flow last said of itself: for forecasts (see services/pool-forecast.ts). */
  remaining?: number;
  deadlineMs?: number;
  weight?: number;
  capRpm?: number | null;
  interactive?: boolean;
};

/** What `splitPool` needs of a flow. */
export type SplitFlow = Pick<FlowInfo, "projectId" | "deadlineMs" | "weight" | "capRpm" | "priority"> & {
  key: string;
};

/** Splits `total` by weight, giving no item more than its cap; what caps leave over is redistributed. */
export function waterFill(
  total: number,
  items: { key: string; weight: number; cap: number }[],
): Map<string, number> {
  const out = new Map<string, number>();
  let left = total;
  let open = items.filter((item) => item.weight > 0);
  while (open.length > 0) {
    const weights = open.reduce((sum, item) => sum + item.weight, 0);
    const capped = open.filter((item) => (left * item.weight) / weights >= item.cap);
    if (capped.length === 0) {
      for (const item of open) {
        out.set(item.key, (left * item.weight) / weights);
      }
      break;
    }
    for (const item of capped) {
      out.set(item.key, item.cap);
      left -= item.cap;
    }
    open = open.filter((item) => !capped.includes(item));
  }
  return out;
}

export class FairShareScheduler {
  private readonly flows = new Map<string, Flow>();
  private spare = 0;
  private poolRate = 0;
  private lastAt: number;
  private urgentKeys = new Set<string>();

  constructor(
    private readonly clock: () => number,
    private readonly tuning: FairShareTuning = FAIR_SHARE_TUNING,
  ) {
    this.lastAt = clock();
  }

  /**
   * Registers the flow's demand and says how many of `want` permits it may take now (from its own
   * credit, then the spare pot). `rateRpm` is the pool's current rate. Call `consume` with what
   * was actually granted.
   */
  admit(info: FlowInfo, want: number, rateRpm: number): Admission {
    const now = this.advance();
    const key = `${info.projectId}\u0000${info.batchId}`;
    let flow = this.flows.get(key);
    const isNew = flow === undefined;
    flow ??= { ...info, key, credit: 0, rate: 0, activeUntil: now };
    Object.assign(flow, info);
    flow.activeUntil = Math.max(flow.activeUntil, now + this.tuning.activeGraceMs);
    this.flows.set(key, flow);
    this.poolRate = rateRpm / 60_000;
    this.allocate(now);
    if (isNew) {
      // a newcomer starts with a full burst, so a small batch gets going at once
      flow.credit = this.capOf(flow);
    }
    if (flow.priority === "interactive") {
      this.takeProjectCredit(flow, want);
    }
    const own = Math.max(0, Math.floor(flow.credit));
    const fromSpare = this.mayBorrow(flow) ? Math.floor(this.spare) : 0;
    const allowed = Math.min(want, own + fromSpare);
    const retryAfterMs = allowed > 0 ? 0 : this.waitForCredit(flow);
    return { allowed, retryAfterMs };
  }

  /** Spends the credit of `granted` permits; `returnInMs` is when the flow will likely ask again. */
  consume(info: FlowInfo, granted: number, returnInMs: number): void {
    const flow = this.flows.get(`${info.projectId}\u0000${info.batchId}`);
    if (!flow) {
      return;
    }
    const own = Math.min(granted, Math.max(0, Math.floor(flow.credit)));
    flow.credit -= own;
    this.spare = Math.max(0, this.spare - (granted - own));
    flow.activeUntil = Math.max(flow.activeUntil, this.clock() + returnInMs + this.tuning.activeGraceMs);
  }

  /** The current shares of the active flows, for snapshots and tests. */
  shares(): FlowShare[] {
    this.advance();
    return [...this.flows.values()].map((flow) => ({
      projectId: flow.projectId,
      batchId: flow.batchId,
      rateRpm: flow.rate * 60_000,
      urgent: this.urgentKeys.has(flow.key),
      remaining: flow.remaining,
      deadlineMs: flow.deadlineMs,
      weight: flow.weight ?? 1,
      capRpm: flow.capRpm ?? null,
      interactive: flow.priority === "interactive",
    }));
  }

  /**
   * The waiting caller's turn comes first within its project: credit its project's batches saved
   * up moves to it, as much as it wants beyond its own.
   */
  private takeProjectCredit(flow: Flow, want: number): void {
    let short = want - Math.floor(flow.credit);
    const siblings = [...this.flows.values()]
      .filter((other) => other.projectId === flow.projectId && other.priority !== "interactive")
      .sort((a, b) => b.credit - a.credit);
    for (const sibling of siblings) {
      if (short <= 0) {
        break;
      }
      const moved = Math.min(short, Math.max(0, Math.floor(sibling.credit)));
      sibling.credit -= moved;
      flow.credit += moved;
      short -= moved;
    }
  }

  /** Accrues credit since the last event at the shares then in force, and drops idle flows. */
  private advance(): number {
    const now = Math.max(this.lastAt, this.clock());
    const elapsed = now - this.lastAt;
    this.lastAt = now;
    let pruned = false;
    for (const flow of this.flows.values()) {
      const cap = this.capOf(flow);
      const credit = flow.credit + flow.rate * elapsed;
      if (credit > cap) {
        this.spare += credit - cap;
      }
      flow.credit = Math.min(cap, credit);
      if (flow.activeUntil < now) {
        this.flows.delete(flow.key);
        pruned = true;
      }
    }
    this.spare = Math.min(this.spare, Math.max(1, this.poolRate * this.tuning.burstMs));
    if (pruned) {
      this.allocate(now);
    }
    return now;
  }

  private capOf(flow: Flow): number {
    return Math.max(1, flow.rate * this.tuning.burstMs);
  }

  /** A project held at its own cap may not borrow past it. */
  private mayBorrow(flow: Flow): boolean {
    const cap = flow.capRpm ?? null;
    if (cap === null) {
      return true;
    }
    const projectRate = [...this.flows.values()]
      .filter((other) => other.projectId === flow.projectId)
      .reduce((sum, other) => sum + other.rate, 0);
    return projectRate * 60_000 < cap - 1e-9;
  }

  private waitForCredit(flow: Flow): number {
    if (flow.rate <= 0) {
      return this.tuning.activeGraceMs;
    }
    return Math.max(1, Math.ceil((1 - flow.credit) / flow.rate));
  }

  /** Recomputes every active flow's rate (permits per ms). */
  private allocate(now: number): void {
    // deadlines are weighed among batches as if no caller waited: a waiting caller takes its turn
    // out of its own project's share afterwards, so it never makes its project's batches look at
    // risk (whose boost the other projects would pay)
    const fair = this.fairRates(0);
    const urgent = new Map<string, number>();
    let extra = 0;
    for (const flow of this.flows.values()) {
      const base = fair.get(flow.key) ?? 0;
      const left = flow.deadlineMs - now;
      if (
        flow.priority === "interactive" ||
        flow.remaining === undefined ||
        flow.remaining <= 0 ||
        left <= 0
      ) {
        continue;
      }
      const needed = (flow.remaining / left) * this.tuning.riskMargin;
      if (needed > base) {
        const cap = flow.capRpm ? flow.capRpm / 60_000 : this.poolRate;
        const boosted = Math.min(needed, cap, this.poolRate);
        if (boosted > base) {
          urgent.set(flow.key, boosted - base);
          extra += boosted - base;
        }
      }
    }
    const others = [...this.flows.values()].filter(
      (flow) => !urgent.has(flow.key) && flow.priority !== "interactive",
    );
    const othersRate = others.reduce((sum, flow) => sum + (fair.get(flow.key) ?? 0), 0);
    const urgentBase = [...urgent.keys()].reduce((sum, key) => sum + (fair.get(key) ?? 0), 0);
    // the boost is paid by the batches not at risk, and the batches at risk never take more than
    // the allowed fraction of the pool together: nobody starves
    const room = Math.max(0, this.poolRate * this.tuning.urgentMaxFraction - urgentBase);
    const budget = Math.min(extra, othersRate, room);
    const boostScale = extra > 0 ? budget / extra : 0;
    const othersScale = othersRate > 0 ? (othersRate - budget) / othersRate : 1;
    this.urgentKeys = new Set(urgent.keys());
    for (const flow of this.flows.values()) {
      const base = fair.get(flow.key) ?? 0;
      const boost = urgent.get(flow.key);
      flow.rate = boost === undefined ? base * othersScale : base + boost * boostScale;
    }
    this.serveCallersFirst();
  }

  /**
   * Within each project with a waiting caller, the caller takes `interactiveWeight` parts of the
   * project's rate against its batches' usual weights; a project with only callers has its fair
   * share as a project. Other projects' rates stay as they are.
   */
  private serveCallersFirst(): void {
    const byProject = new Map<string, Flow[]>();
    for (const flow of this.flows.values()) {
      byProject.set(flow.projectId, [...(byProject.get(flow.projectId) ?? []), flow]);
    }
    let projectShares: Map<string, number> | null = null;
    for (const group of byProject.values()) {
      const callers = group.filter((flow) => flow.priority === "interactive");
      if (callers.length === 0) {
        continue;
      }
      const batches = group.filter((flow) => flow.priority !== "interactive");
      if (batches.length === 0) {
        projectShares ??= this.fairRates(this.tuning.interactiveWeight);
        for (const caller of callers) {
          caller.rate = projectShares.get(caller.key) ?? 0;
        }
        continue;
      }
      const total = batches.reduce((sum, flow) => sum + flow.rate, 0);
      const earliest = Math.min(...batches.map((flow) => flow.deadlineMs));
      const batchWeight = batches.reduce(
        (sum, flow) => sum + (flow.deadlineMs === earliest ? this.tuning.earliestBatchWeight : 1),
        0,
      );
      const callerWeight = callers.length * this.tuning.interactiveWeight;
      const callerShare = callerWeight / (callerWeight + batchWeight);
      for (const caller of callers) {
        caller.rate = (total * callerShare) / callers.length;
      }
      for (const flow of batches) {
        flow.rate *= 1 - callerShare;
      }
    }
  }

  /** The fair split of the pool's rate (permits per ms) among the active flows. */
  private fairRates(interactiveWeight: number): Map<string, number> {
    const perMinute = splitPool(this.poolRate * 60_000, [...this.flows.values()], {
      earliestBatchWeight: this.tuning.earliestBatchWeight,
      interactiveWeight,
    });
    return new Map([...perMinute].map(([key, rpm]) => [key, rpm / 60_000]));
  }
}

/**
 * The fair split of `poolRpm` (requests a minute) without deadline boosts: weighted water filling
 * over projects (each capped by its `capRpm`), then within each project the waiting caller first,
 * the batch whose window ends soonest weighing `earliestBatchWeight` against 1 for the others.
 */
export function splitPool(
  poolRpm: number,
  flows: SplitFlow[],
  tuning: Pick<FairShareTuning, "earliestBatchWeight" | "interactiveWeight"> = FAIR_SHARE_TUNING,
): Map<string, number> {
  const byProject = new Map<string, SplitFlow[]>();
  for (const flow of flows) {
    byProject.set(flow.projectId, [...(byProject.get(flow.projectId) ?? []), flow]);
  }
  const projectRates = waterFill(
    poolRpm,
    [...byProject.entries()].map(([projectId, group]) => {
      const caps = group.map((flow) => flow.capRpm ?? Number.POSITIVE_INFINITY);
      const weight = Math.max(...group.map((flow) => flow.weight ?? 1));
      return { key: projectId, weight: weight > 0 ? weight : 1, cap: Math.min(...caps) };
    }),
  );
  const out = new Map<string, number>();
  for (const [projectId, group] of byProject) {
    const batches = group.filter((flow) => flow.priority !== "interactive");
    const earliest = Math.min(...batches.map((flow) => flow.deadlineMs));
    const weighted = group.map((flow) => ({
      key: flow.key,
      weight:
        flow.priority === "interactive"
          ? tuning.interactiveWeight
          : flow.deadlineMs === earliest
            ? tuning.earliestBatchWeight
            : 1,
      cap: Number.POSITIVE_INFINITY,
    }));
    for (const [key, rate] of waterFill(projectRates.get(projectId) ?? 0, weighted)) {
      out.set(key, rate);
    }
  }
  return out;
}
