import type { FlowInfo } from "./fair-share";
import type { LeaseGrant, LeaseRequest, LimiterFeedback } from "./rate-limiter";
import { LIMITER_TUNING } from "./rate-limiter";
import type { ResolvedModel } from "./types";

export type AcquireOptions = {
  deadline: number;
  signal?: AbortSignal;
  /**
   * Like `signal`, except that a call whose permit is already scheduled still gets it: the permit
   * was taken from the pool for this caller and would otherwise go unused (a runner's time slice).
   */
  stop?: AbortSignal;
  /** The batch the call is for: the pool's limiter shares its permits fairly between such flows. */
  flow?: FlowInfo;
};
export type CallOutcome = "ok" | "limited";

/**
 * What a line needs from rate limiting: wait for a permit from its model's pool, then say how the
 * call went. A pool is what Workers AI limits: the account's budget per task type, or a model's own.
 */
export interface RateLimiter {
  /** Resolves true when a call may start; false if the deadline passes or the signal aborts first. */
  acquire(model: ResolvedModel, options: AcquireOptions): Promise<boolean>;
  /** `limited` for a 429/3040 (the pool's rate drops for every caller), `ok` for a success. */
  report(model: ResolvedModel, outcome: CallOutcome, flow?: FlowInfo): void;
  /** Sends outcomes not yet reported (they otherwise ride along with the next lease). */
  flush(): Promise<void>;
}

/** The limiter Durable Object's RPC surface (a `DurableObjectStub<ModelRateLimiter>` fits). */
export type LimiterRpc = {
  acquire(request: LeaseRequest): Promise<LeaseGrant>;
  report(request: { rpm: number; feedback: LimiterFeedback }): Promise<unknown>;
};

export type Sleep = (ms: number) => Promise<void>;

export type LimiterClientOptions = {
  sleep?: Sleep;
  now?: () => number;
  maxWaitMs?: number;
  /** How long to wait between calls while the limiter object is unreachable. */
  fallbackIntervalMs?: number;
};

type Waiter = { resolve: (granted: boolean) => void; deadline: number; done: boolean; detach: () => void };

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The worker-side end of one pool's limiter, shared by the lines whose models draw on that pool. Concurrent waiters are
 * served by one lease RPC (each granted permit is handed to the oldest waiter at its start time),
 * and success counts ride along with the next lease, so a chunk costs a few object calls, not one
 * per line. If the object is unreachable, calls go on at a slow fixed pace instead of stalling.
 */
export class ModelLimiterClient {
  private readonly sleep: Sleep;
  private readonly now: () => number;
  private readonly maxWaitMs: number;
  private readonly fallbackIntervalMs: number;
  private readonly waiters: Waiter[] = [];
  private scheduled = 0;
  private pumping = false;
  private pending: LimiterFeedback = { ok: 0, limited: 0 };

  constructor(
    private readonly rpc: LimiterRpc,
    private readonly rpm: number,
    options: LimiterClientOptions = {},
    private readonly flow?: FlowInfo,
  ) {
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
    this.maxWaitMs = options.maxWaitMs ?? LIMITER_TUNING.defaultMaxWaitMs;
    this.fallbackIntervalMs = options.fallbackIntervalMs ?? 1_000;
  }

  acquire(options: AcquireOptions): Promise<boolean> {
    if (options.signal?.aborted || this.now() >= options.deadline) {
      return Promise.resolve(false);
    }
    if (options.stop?.aborted) {
      return Promise.resolve(false);
    }
    return new Promise((resolve) => {
      const { signal, stop } = options;
      const onAbort = () => this.settle(waiter, false);
      // permits go to the oldest waiters first: the first `scheduled` waiters have one coming
      const onStop = () => {
        if (this.waiters.indexOf(waiter) >= this.scheduled) {
          this.settle(waiter, false);
        }
      };
      // a chunk's lines may share one long-lived signal: do not leave a listener per line on it
      const detach = () => {
        signal?.removeEventListener("abort", onAbort);
        stop?.removeEventListener("abort", onStop);
      };
      const waiter: Waiter = { resolve, deadline: options.deadline, done: false, detach };
      signal?.addEventListener("abort", onAbort, { once: true });
      stop?.addEventListener("abort", onStop, { once: true });
      this.waiters.push(waiter);
      void this.pump();
    });
  }

  report(outcome: CallOutcome): void {
    this.pending[outcome] += 1;
    if (outcome === "limited") {
      void this.flush();
    }
  }

  async flush(): Promise<void> {
    const feedback = this.takeFeedback();
    if (feedback.ok === 0 && feedback.limited === 0) {
      return;
    }
    try {
      await this.rpc.report({ rpm: this.rpm, feedback });
    } catch (err) {
      console.warn(JSON.stringify({ msg: "rate limiter report failed", err: String(err) }));
    }
  }

  private takeFeedback(): LimiterFeedback {
    const feedback = this.pending;
    this.pending = { ok: 0, limited: 0 };
    return feedback;
  }

  private settle(waiter: Waiter, granted: boolean): void {
    if (waiter.done) {
      return;
    }
    waiter.done = true;
    waiter.detach();
    const index = this.waiters.indexOf(waiter);
    if (index >= 0) {
      this.waiters.splice(index, 1);
    }
    waiter.resolve(granted);
  }

  private expireWaiters(): void {
    const now = this.now();
    for (const waiter of [...this.waiters]) {
      if (now >= waiter.deadline) {
        this.settle(waiter, false);
      }
    }
  }

  /** A permit's start time has come: it goes to the oldest waiter still waiting (or is unused). */
  private handOut(): void {
    this.scheduled -= 1;
    this.expireWaiters();
    const waiter = this.waiters[0];
    if (waiter) {
      this.settle(waiter, true);
    }
    void this.pump();
  }

  private schedule(delayMs: number): void {
    this.scheduled += 1;
    void this.sleep(delayMs).then(() => this.handOut());
  }

  /** Leases permits until every waiter has one scheduled. Only one pump runs at a time. */
  private async pump(): Promise<void> {
    if (this.pumping) {
      return;
    }
    this.pumping = true;
    try {
      // lines of a chunk start in one tick: let them all queue up so one lease serves them all
      await Promise.resolve();
      for (;;) {
        this.expireWaiters();
        const want = this.waiters.length - this.scheduled;
        if (want <= 0) {
          return;
        }
        const grant = await this.lease(want);
        for (const delay of grant.delaysMs) {
          this.schedule(delay);
        }
        if (grant.granted < want) {
          // the lease reached its horizon: ask again when the last granted permit starts
          const wait = grant.delaysMs.at(-1) ?? grant.retryAfterMs;
          const soonestDeadline = Math.min(...this.waiters.map((w) => w.deadline));
          await this.sleep(Math.max(1, Math.min(wait, soonestDeadline - this.now())));
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private async lease(want: number): Promise<LeaseGrant> {
    const feedback = this.takeFeedback();
    try {
      const request: LeaseRequest = { want, rpm: this.rpm, maxWaitMs: this.maxWaitMs, feedback };
      if (this.flow) {
        request.flow = this.flow;
      }
      return await this.rpc.acquire(request);
    } catch (err) {
      this.pending.ok += feedback.ok;
      this.pending.limited += feedback.limited;
      console.warn(JSON.stringify({ msg: "rate limiter unreachable; pacing locally", err: String(err) }));
      return { granted: 1, delaysMs: [this.fallbackIntervalMs], retryAfterMs: 0, rateRpm: 0 };
    }
  }
}

/**
 * The rate limiter over the `ModelRateLimiter` Durable Objects: one client per pool key (every
 * text-generation model of the account shares `task:text-generation`; LoRA adapters draw on their
 * base model's pool), created on first use. Make one per queue batch so the lines it runs share leases.
 */
export class DurableRateLimiter implements RateLimiter {
  private readonly clients = new Map<string, ModelLimiterClient>();

  constructor(
    private readonly rpcFor: (poolKey: string) => LimiterRpc,
    private readonly options: LimiterClientOptions = {},
  ) {}

  acquire(model: ResolvedModel, options: AcquireOptions): Promise<boolean> {
    return this.client(model, options.flow).acquire(options);
  }

  report(model: ResolvedModel, outcome: CallOutcome, flow?: FlowInfo): void {
    this.client(model, flow).report(outcome);
  }

  async flush(): Promise<void> {
    await Promise.all([...this.clients.values()].map((client) => client.flush()));
  }

  /** One client per pool and batch: a lease is asked for one flow, so batches never share one. */
  private client(model: ResolvedModel, flow?: FlowInfo): ModelLimiterClient {
    const key = flow ? `${model.pool}\u0000${flow.projectId}\u0000${flow.batchId}` : model.pool;
    let client = this.clients.get(key);
    if (!client) {
      client = new ModelLimiterClient(this.rpcFor(model.pool), model.rpm, this.options, flow);
      this.clients.set(key, client);
    }
    return client;
  }
}

/** No limit at all: for tests and for callers that pace themselves. */
export const unlimitedRateLimiter: RateLimiter = {
  acquire: async (_model, { deadline, signal, stop }) =>
    !signal?.aborted && !stop?.aborted && Date.now() < deadline,
  report: () => {},
  flush: async () => {},
};
