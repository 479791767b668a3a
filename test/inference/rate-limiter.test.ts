import { describe, expect, it } from "vitest";
import { AdaptiveRateLimit, LIMITER_TUNING } from "../../src/inference/rate-limiter";
import { SimulatorState } from "../../src/inference/simulator/simulator";

function limiter(rpm = 300): AdaptiveRateLimit {
  const limit = new AdaptiveRateLimit();
  limit.configure(rpm);
  return limit;
}

describe("AdaptiveRateLimit", () => {
  it("starts at 95% of the documented limit", () => {
    expect(limiter(300).snapshot()).toEqual({ rpm: 300, ceilingRpm: 285, rateRpm: 285 });
  });

  it("grants a short burst at once, then permits spaced by the rate", () => {
    const grant = limiter(600).lease(30, 10_000, 0);
    const interval = 60_000 / 570;
    const burst = Math.floor((570 * LIMITER_TUNING.burstSeconds) / 60);
    expect(grant.granted).toBe(30);
    expect(grant.delaysMs.slice(0, burst)).toEqual(Array(burst).fill(0));
    expect(grant.delaysMs[burst]).toBe(Math.ceil(interval));
    expect(grant.delaysMs[29]).toBe(Math.ceil((29 - burst + 1) * interval));
  });

  it("grants only permits inside the wait horizon and says when to ask again", () => {
    const limit = limiter(60);
    const first = limit.lease(64, 5_000, 0);
    expect(first.granted).toBeLessThan(64);
    expect(Math.max(...first.delaysMs)).toBeLessThanOrEqual(5_000);
    const second = limit.lease(1, 5_000, 0);
    expect(second).toMatchObject({ granted: 0, delaysMs: [] });
    expect(second.retryAfterMs).toBeGreaterThan(0);
    expect(limit.lease(1, 5_000, second.retryAfterMs).granted).toBe(1);
  });

  it("halves on a 429 once per cooldown, and pauses new permits", () => {
    const limit = limiter(300);
    limit.feedback({ ok: 0, limited: 1 }, 10_000);
    expect(limit.snapshot().rateRpm).toBe(142.5);
    limit.feedback({ ok: 0, limited: 3 }, 10_500);
    expect(limit.snapshot().rateRpm).toBe(142.5);
    expect(limit.lease(1, 10_000, 10_500).delaysMs[0]).toBe(LIMITER_TUNING.pauseAfterLimitMs);
    limit.feedback({ ok: 0, limited: 1 }, 10_000 + LIMITER_TUNING.decreaseCooldownMs);
    expect(limit.snapshot().rateRpm).toBe(71.25);
  });

  it("climbs back additively with successes, never above the target", () => {
    const limit = limiter(300);
    limit.feedback({ ok: 0, limited: 1 }, 0);
    limit.feedback({ ok: 10, limited: 0 }, 1_000);
    expect(limit.snapshot().rateRpm).toBe(142.5);
    limit.feedback({ ok: 10, limited: 0 }, 5_000);
    expect(limit.snapshot().rateRpm).toBeCloseTo(142.5 + 10 * 285 * LIMITER_TUNING.increaseFraction);
    limit.feedback({ ok: 1_000, limited: 0 }, 6_000);
    expect(limit.snapshot().rateRpm).toBe(285);
  });

  it("never starts before configure()", () => {
    expect(() => new AdaptiveRateLimit().lease(1, 1_000, 0)).toThrow(/configure/);
  });

  /** Runs a model saturated with work against the simulator's 60 s window for `minutes`. */
  function saturate(limit: AdaptiveRateLimit, minutes: number) {
    // Workers AI's limit as the simulator enforces it: 300 starts in any 60 s window
    const workersAi = new SimulatorState();
    let now = 0;
    let admitted = 0;
    let refused = 0;
    while (now < minutes * 60_000) {
      const grant = limit.lease(16, 2_000, now);
      let ok = 0;
      for (const delay of grant.delaysMs) {
        if (workersAi.admit("@cf/model", 300, now + delay)) {
          admitted += 1;
          ok += 1;
        } else {
          refused += 1;
        }
      }
      now += Math.max(grant.delaysMs.at(-1) ?? grant.retryAfterMs, 1);
      limit.feedback({ ok, limited: 0 }, now);
    }
    return { perMinute: admitted / minutes, refused };
  }

  it("runs a saturated model at ≥ 90% of Workers AI's limit with no request refused", () => {
    const { perMinute, refused } = saturate(limiter(300), 5);
    expect(refused).toBe(0);
    expect(perMinute).toBeGreaterThanOrEqual(0.9 * 300);
    expect(perMinute).toBeLessThanOrEqual(300);
  });

  it("would be refused if it aimed at the full limit (why the target is 95%)", () => {
    const greedy = new AdaptiveRateLimit({ ...LIMITER_TUNING, targetFraction: 1 });
    greedy.configure(300);
    expect(saturate(greedy, 5).refused).toBeGreaterThan(0);
  });
});
