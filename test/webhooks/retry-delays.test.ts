import { describe, expect, it } from "vitest";
import { DELIVERY_WINDOW_MS, nextAttemptAt, retryDelayMs } from "../../src/webhooks/retry-delays";

const BASE = 30_000;
const noJitter = () => 0;
const fullJitter = () => 1;

describe("retryDelayMs", () => {
  it("doubles from the base per failed attempt, capped at one hour for a 30 s base", () => {
    const delays = Array.from({ length: 10 }, (_, i) => retryDelayMs(i + 1, BASE, noJitter) / 1000);
    expect(delays).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
  });

  it("takes off at most 20% as jitter", () => {
    expect(retryDelayMs(1, BASE, fullJitter)).toBe(24_000);
    expect(retryDelayMs(3, BASE, () => 0.5)).toBe(108_000);
  });

  it("scales with the base, so the local stack retries in seconds", () => {
    expect([1, 2, 3].map((n) => retryDelayMs(n, 1000, noJitter))).toEqual([1000, 2000, 4000]);
  });
});

describe("nextAttemptAt", () => {
  const first = 1_700_000_000_000;

  it("schedules the next attempt one delay after the failure", () => {
    expect(nextAttemptAt(first, 1, first, BASE, noJitter)).toBe(first + 30_000);
    expect(nextAttemptAt(first, 2, first + 31_000, BASE, noJitter)).toBe(first + 91_000);
  });

  it("pulls the last attempt in to the end of the 72 h window", () => {
    const late = first + DELIVERY_WINDOW_MS - 60_000;
    expect(nextAttemptAt(first, 40, late, BASE, noJitter)).toBe(first + DELIVERY_WINDOW_MS);
  });

  it("gives up once 72 hours have passed since the first attempt", () => {
    expect(nextAttemptAt(first, 41, first + DELIVERY_WINDOW_MS, BASE, noJitter)).toBeNull();
  });

  it("keeps trying for the whole window: about 75 attempts in production", () => {
    let now = first;
    let attempts = 0;
    for (
      let at: number | null = first;
      at !== null;
      at = nextAttemptAt(first, attempts, now, BASE, noJitter)
    ) {
      now = at;
      attempts++;
    }
    expect(now).toBe(first + DELIVERY_WINDOW_MS);
    expect(attempts).toBeGreaterThan(70);
    expect(attempts).toBeLessThan(80);
  });
});
