import { DurableObject } from "cloudflare:workers";
import { FairShareScheduler, type FlowInfo } from "../inference/fair-share";
import {
  AdaptiveRateLimit,
  type LeaseGrant,
  type LeaseRequest,
  LIMITER_TUNING,
  type LimiterFeedback,
  type LimiterSnapshot,
} from "../inference/rate-limiter";

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/** The flow as sent over RPC, or null when the caller sent none or a malformed one. */
function flowOf(value: FlowInfo | undefined): FlowInfo | null {
  if (!value || typeof value.projectId !== "string" || typeof value.batchId !== "string") {
    return null;
  }
  const optional = (n: unknown) => (typeof n === "number" && Number.isFinite(n) && n > 0 ? n : undefined);
  return {
    projectId: value.projectId,
    batchId: value.batchId,
    deadlineMs: optional(value.deadlineMs) ?? Number.MAX_SAFE_INTEGER,
    remaining: optional(value.remaining),
    weight: optional(value.weight),
    capRpm: optional(value.capRpm) ?? null,
    ...(value.priority === "interactive" ? { priority: "interactive" as const } : {}),
  };
}

function feedbackOf(value: LimiterFeedback | undefined): LimiterFeedback {
  return { ok: count(value?.ok), limited: count(value?.limited) };
}

/**
 * One instance per rate-limited pool (`idFromName(poolKey)`, e.g. `task:text-generation`): the
 * single scheduler of the calls that count against the pool, across every consumer and every model
 * in it, so all chunks of all batches share one adaptive rate, as Workers AI's account-wide limit
 * per task type demands. (The class keeps its name: it is a deployed Durable Object class.)
 *
 * The state is deliberately in memory only. It is soft: after an eviction (which needs the object
 * to sit idle) the rate restarts at the target and re-adapts within a few calls, which is cheaper
 * than a storage write on every lease.
 */
export class ModelRateLimiter extends DurableObject<Env> {
  private readonly limit = new AdaptiveRateLimit();
  private readonly fair = new FairShareScheduler(Date.now);

  /**
   * Leases up to `want` permits, each with its start delay, and takes the caller's feedback. With
   * a `flow`, the fair-share scheduler first decides how many the caller's batch may take now; an
   * interactive flow (a caller waiting on the synchronous batch endpoint) is admitted first within
   * its project's share, so it takes the next free start times ahead of that project's batches.
   */
  async acquire(request: LeaseRequest): Promise<LeaseGrant> {
    const now = Date.now();
    this.limit.configure(request.rpm);
    this.limit.feedback(feedbackOf(request.feedback), now);
    const maxWaitMs = request.maxWaitMs ?? LIMITER_TUNING.defaultMaxWaitMs;
    const flow = flowOf(request.flow);
    if (flow === null) {
      return this.limit.lease(request.want, maxWaitMs, now);
    }
    const rateRpm = this.limit.snapshot().rateRpm;
    const admission = this.fair.admit(flow, request.want, rateRpm);
    if (admission.allowed === 0) {
      return { granted: 0, delaysMs: [], retryAfterMs: admission.retryAfterMs, rateRpm };
    }
    const grant = this.limit.lease(admission.allowed, maxWaitMs, now);
    this.fair.consume(flow, grant.granted, grant.delaysMs.at(-1) ?? grant.retryAfterMs);
    return grant;
  }

  /** Feedback without a lease: a 429 is reported at once so every caller slows down. */
  async report(request: { rpm: number; feedback: LimiterFeedback }): Promise<LimiterSnapshot> {
    this.limit.configure(request.rpm);
    this.limit.feedback(feedbackOf(request.feedback), Date.now());
    return this.limit.snapshot();
  }

  /** The pool's rate and the current share of every active batch. */
  async snapshot(): Promise<LimiterSnapshot> {
    return { ...this.limit.snapshot(), shares: this.fair.shares() };
  }
}

/** The limiter of one pool (`ModelInfo.pool`). */
export function modelRateLimiterFor(
  namespace: DurableObjectNamespace<ModelRateLimiter>,
  poolKey: string,
): DurableObjectStub<ModelRateLimiter> {
  return namespace.get(namespace.idFromName(poolKey));
}
