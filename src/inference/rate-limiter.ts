/**
 * Per-pool adaptive rate limiting: the algorithm the `ModelRateLimiter` Durable Object runs.
 *
 * Permits are scheduled with GCRA (a token bucket expressed as the "theoretical arrival time" of
 * the next permit), so a lease of n permits comes back as n start times spaced by the current
 * interval, and in any 60 s window at most `rate + burst` calls start. The rate is AIMD-adaptive:
 * it starts just under the model's documented limit, halves on a 429/3040 report and climbs back
 * additively with every success, never above the target. Target and burst together stay below the
 * limit (0.95 × (1 + 2/60) < 1), so a batch runs near the limit without being refused.
 */

import type { FlowInfo, FlowShare } from "./fair-share";

export type LimiterFeedback = { ok: number; limited: number };

export type LeaseRequest = {
  /** Permits wanted now (clamped to 1..`maxLease`). */
  want: number;
  /** The pool's documented requests per minute. */
  rpm: number;
  /** Grant only permits that start within this many ms (clamped to 0..60 s). */
  maxWaitMs?: number;
  /** Outcomes since the caller's last call, piggybacked to save a round trip. */
  feedback?: LimiterFeedback;
  /** Who asks (project, batch, deadline): the pool's fair share. Without it, first come first served. */
  flow?: FlowInfo;
};

export type LeaseGrant = {
  granted: number;
  /** When each granted permit may start, in ms from now; ascending. */
  delaysMs: number[];
  /** With nothing granted: how long to wait before asking again. */
  retryAfterMs: number;
  rateRpm: number;
};

export type LimiterSnapshot = { rpm: number; ceilingRpm: number; rateRpm: number; shares?: FlowShare[] };

export const LIMITER_TUNING = {
  /** Share of the documented limit aimed at. */
  targetFraction: 0.95,
  /** Burst allowance, in seconds of the current rate. */
  burstSeconds: 2,
  decreaseFactor: 0.5,
  /** Additive increase per success, as a share of the target. */
  increaseFraction: 0.02,
  minRpm: 1,
  /** One decrease per this window: a burst of 429s is one congestion event, not ten. */
  decreaseCooldownMs: 2_000,
  /** After a 429, nothing new starts for this long. */
  pauseAfterLimitMs: 1_000,
  maxLease: 64,
  defaultMaxWaitMs: 10_000,
} as const;

export type LimiterTuning = { [K in keyof typeof LIMITER_TUNING]: number };

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Number.isFinite(value) ? value : min));
}

export class AdaptiveRateLimit {
  private rpm = 0;
  private ceiling = 0;
  private rate = 0;
  /** Theoretical arrival time of the next permit (epoch ms). */
  private tat = 0;
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;
  private pausedUntil = 0;

  constructor(private readonly tuning: LimiterTuning = LIMITER_TUNING) {}

  /** Sets the documented limit; the first call starts the rate at the target. */
  configure(rpm: number): void {
    const limit = clamp(rpm, this.tuning.minRpm, 1_000_000);
    if (limit === this.rpm) {
      return;
    }
    this.rpm = limit;
    this.ceiling = Math.max(this.tuning.minRpm, limit * this.tuning.targetFraction);
    this.rate = this.rate === 0 ? this.ceiling : Math.min(this.rate, this.ceiling);
  }

  feedback(feedback: LimiterFeedback, now: number): void {
    const t = this.tuning;
    if (feedback.limited > 0) {
      if (now - this.lastDecreaseAt >= t.decreaseCooldownMs) {
        this.rate = Math.max(t.minRpm, this.rate * t.decreaseFactor);
        this.lastDecreaseAt = now;
      }
      this.pausedUntil = Math.max(this.pausedUntil, now + t.pauseAfterLimitMs);
    }
    // successes of calls that started before the decrease must not undo it at once
    if (feedback.ok > 0 && now - this.lastDecreaseAt >= t.decreaseCooldownMs) {
      this.rate = Math.min(this.ceiling, this.rate + feedback.ok * this.ceiling * t.increaseFraction);
    }
  }

  lease(want: number, maxWaitMs: number, now: number): LeaseGrant {
    if (this.rate === 0) {
      throw new Error("AdaptiveRateLimit.configure(rpm) must run before lease().");
    }
    const count = Math.floor(clamp(want, 1, this.tuning.maxLease));
    const horizon = clamp(maxWaitMs, 0, 60_000);
    const interval = 60_000 / this.rate;
    const burst = Math.max(1, Math.floor((this.rate * this.tuning.burstSeconds) / 60));
    const tolerance = (burst - 1) * interval;
    const delaysMs: number[] = [];
    while (delaysMs.length < count) {
      const start = Math.max(now, this.pausedUntil, this.tat - tolerance);
      if (start - now > horizon) {
        break;
      }
      // the slack absorbs float error of epoch-ms sums (≈1e-4 ms per step), which must not become 1 ms
      delaysMs.push(Math.max(0, Math.ceil(start - now - 0.05)));
      this.tat = Math.max(this.tat, start) + interval;
    }
    const nextStart = Math.max(now, this.pausedUntil, this.tat - tolerance);
    const retryAfterMs = delaysMs.length > 0 ? 0 : Math.max(1, Math.ceil(nextStart - now - horizon));
    return { granted: delaysMs.length, delaysMs, retryAfterMs, rateRpm: this.rate };
  }

  snapshot(): LimiterSnapshot {
    return { rpm: this.rpm, ceilingRpm: this.ceiling, rateRpm: this.rate };
  }
}
