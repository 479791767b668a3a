/**
 * The delivery retry policy: exponential backoff from a configurable base (30 s in production),
 * capped at 120 times the base (1 h), with up to 20% jitter so that many batches ending together do
 * not retry in lockstep, for up to 72 hours after the first attempt.
 */
export const DELIVERY_WINDOW_MS = 72 * 3600 * 1000;
export const ATTEMPT_TIMEOUT_MS = 10_000;
const CAP_FACTOR = 120;
const JITTER = 0.2;

/** The wait after the `failedAttempts`-th consecutive failure (1-based). */
export function retryDelayMs(
  failedAttempts: number,
  baseMs: number,
  random: () => number = Math.random,
): number {
  const exponential = baseMs * 2 ** Math.max(0, failedAttempts - 1);
  return Math.round(Math.min(exponential, baseMs * CAP_FACTOR) * (1 - JITTER * random()));
}

/**
 * When to try again, or null once the window is spent. The last retry is pulled in to the window's
 * end rather than dropped, so a receiver that comes back within 72 h still gets the event.
 */
export function nextAttemptAt(
  firstAttemptAt: number,
  failedAttempts: number,
  now: number,
  baseMs: number,
  random: () => number = Math.random,
): number | null {
  const end = firstAttemptAt + DELIVERY_WINDOW_MS;
  if (now >= end) {
    return null;
  }
  return Math.min(now + retryDelayMs(failedAttempts, baseMs, random), end);
}
