import type { FlowInfo } from "./fair-share";
import type { RateLimiter } from "./limiter-client";
import type { InferenceError, InferenceProvider, InferenceRequest, TokenUsage } from "./types";
import { toInferenceError } from "./workers-ai-errors";

export type LineOutcome =
  | { kind: "success"; body: Record<string, unknown>; usage: TokenUsage; attempts: number }
  | {
      kind: "error";
      status: number;
      code: string;
      message: string;
      transient: boolean;
      attempts: number;
    }
  /** Nothing more was sent: the deadline passed or the signal aborted before a call. */
  | { kind: "aborted"; reason: "deadline" | "signal"; attempts: number };

/**
 * Rate-limit answers (429/3040) get a larger budget than other transient errors: the limiter slows
 * the whole model down after one, so they clear as the rate adapts, and a line must not fail for
 * a rate limit while the batch still has time.
 */
export const RETRY_POLICY = {
  baseMs: 500,
  capMs: 30_000,
  maxAttempts: 8,
  maxRateLimitedAttempts: 30,
} as const;

/**
 * Exponential backoff with full jitter: a uniform wait in [0, min(cap, base·2^(attempt-1))), so
 * lines that failed together spread out instead of retrying in lockstep. `attempt` is 1-based.
 */
export function backoffMs(
  attempt: number,
  random: () => number = Math.random,
  baseMs: number = RETRY_POLICY.baseMs,
  capMs: number = RETRY_POLICY.capMs,
): number {
  const exponent = Math.min(Math.max(0, attempt - 1), 30);
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** exponent));
}

export type RunLineOptions = {
  request: InferenceRequest;
  /** Epoch ms after which no call starts (the batch's `expires_at`). */
  deadlineMs: number;
  /** Stops new calls (cancel); a call already sent runs to its end. */
  signal?: AbortSignal;
  /** Stops new calls too, except one whose rate-limit permit is already scheduled (it would go unused). */
  stop?: AbortSignal;
  /** The batch the line belongs to, for the pool's fair share. */
  flow?: FlowInfo;
  maxAttempts?: number;
  maxRateLimitedAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
};

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits `ms`, or less if the signal aborts first. */
function sleepUnlessAborted(
  sleep: (ms: number) => Promise<void>,
  ms: number,
  signal?: AbortSignal,
): Promise<void> {
  if (!signal) {
    return sleep(ms);
  }
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener("abort", done);
      resolve();
    };
    signal.addEventListener("abort", done, { once: true });
    void sleep(ms).then(done);
  });
}

function errorOutcome(err: InferenceError, attempts: number): LineOutcome {
  return {
    kind: "error",
    status: err.status,
    code: err.code,
    message: err.message,
    transient: err.transient,
    attempts,
  };
}

/**
 * Runs one batch line: waits for a rate-limit permit, calls the model, and retries transient
 * failures with backoff while attempts and the deadline allow. Never throws.
 */
export async function runLine(
  provider: InferenceProvider,
  limiter: RateLimiter,
  options: RunLineOptions,
): Promise<LineOutcome> {
  const { request, deadlineMs: deadline, signal, stop, flow } = options;
  const maxAttempts = options.maxAttempts ?? RETRY_POLICY.maxAttempts;
  const maxRateLimitedAttempts = options.maxRateLimitedAttempts ?? RETRY_POLICY.maxRateLimitedAttempts;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  let attempts = 0;

  for (;;) {
    if (signal?.aborted || stop?.aborted) {
      return { kind: "aborted", reason: "signal", attempts };
    }
    if (now() >= deadline || !(await limiter.acquire(request.model, { deadline, signal, stop, flow }))) {
      return { kind: "aborted", reason: signal?.aborted || stop?.aborted ? "signal" : "deadline", attempts };
    }
    attempts += 1;
    let failure: InferenceError;
    try {
      const success = await provider.run(request);
      limiter.report(request.model, "ok", flow);
      return { kind: "success", body: success.body, usage: success.usage, attempts };
    } catch (err) {
      failure = toInferenceError(err);
    }
    const rateLimited = failure.status === 429 && failure.transient;
    if (rateLimited) {
      limiter.report(request.model, "limited", flow);
    }
    const budget = rateLimited ? maxRateLimitedAttempts : maxAttempts;
    const delay = backoffMs(attempts, random);
    if (!failure.transient || attempts >= budget || now() + delay >= deadline) {
      return errorOutcome(failure, attempts);
    }
    const wake = signal && stop ? AbortSignal.any([signal, stop]) : (signal ?? stop);
    await sleepUnlessAborted(sleep, delay, wake);
  }
}
