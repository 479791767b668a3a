import { DurableObject } from "cloudflare:workers";
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

function feedbackOf(value: LimiterFeedback | undefined): LimiterFeedback {
  return { ok: count(value?.ok), limited: count(value?.limited) };
}

/**
 * One instance per Workers AI model (`idFromName(modelId)`): the single scheduler of that model's
 * calls across every consumer, so all chunks of all batches share one adaptive rate.
 *
 * The state is deliberately in memory only. It is soft: after an eviction (which needs the object
 * to sit idle) the rate restarts at the target and re-adapts within a few calls, which is cheaper
 * than a storage write on every lease.
 */
export class ModelRateLimiter extends DurableObject<Env> {
  private readonly limit = new AdaptiveRateLimit();

  /** Leases up to `want` permits, each with its start delay, and takes the caller's feedback. */
  async acquire(request: LeaseRequest): Promise<LeaseGrant> {
    const now = Date.now();
    this.limit.configure(request.rpm);
    this.limit.feedback(feedbackOf(request.feedback), now);
    return this.limit.lease(request.want, request.maxWaitMs ?? LIMITER_TUNING.defaultMaxWaitMs, now);
  }

  /** Feedback without a lease: a 429 is reported at once so every caller slows down. */
  async report(request: { rpm: number; feedback: LimiterFeedback }): Promise<LimiterSnapshot> {
    this.limit.configure(request.rpm);
    this.limit.feedback(feedbackOf(request.feedback), Date.now());
    return this.limit.snapshot();
  }

  async snapshot(): Promise<LimiterSnapshot> {
    return this.limit.snapshot();
  }
}

export function modelRateLimiterFor(
  namespace: DurableObjectNamespace<ModelRateLimiter>,
  modelId: string,
): DurableObjectStub<ModelRateLimiter> {
  return namespace.get(namespace.idFromName(modelId));
}
