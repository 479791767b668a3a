import { describe, expect, it } from "vitest";
import { CatalogueCache } from "../../src/inference/catalogue";
import type { RateLimiter } from "../../src/inference/limiter-client";
import { backoffMs, RETRY_POLICY, runLine } from "../../src/inference/line-runner";
import { SimulatorState, WorkersAiSimulator } from "../../src/inference/simulator/simulator";
import {
  InferenceError,
  type InferenceProvider,
  type InferenceSuccess,
  type ModelCatalogue,
} from "../../src/inference/types";
import { WorkersAiProvider } from "../../src/inference/workers-ai-provider";
import { chat } from "./fixtures";

const SUCCESS: InferenceSuccess = {
  body: { object: "chat.completion" },
  usage: { inputTokens: 3, outputTokens: 4, cachedTokens: 0, reasoningTokens: 0 },
};
const busy = () =>
  new InferenceError("Workers AI error 3040: busy", { status: 429, code: "3040", transient: true });
const timeout = () =>
  new InferenceError("Workers AI error 3007: timeout", { status: 408, code: "3007", transient: true });
const noModel = () =>
  new InferenceError("Workers AI error 5007: no", { status: 400, code: "5007", transient: false });

/** A provider that answers from a script: an error to throw, or success. */
function scripted(...script: (Error | "ok")[]): InferenceProvider & { calls: number } {
  const provider = {
    calls: 0,
    async run(): Promise<InferenceSuccess> {
      const step = script[Math.min(provider.calls, script.length - 1)];
      provider.calls += 1;
      if (step instanceof Error) {
        throw step;
      }
      return SUCCESS;
    },
    async catalogue(): Promise<ModelCatalogue> {
      throw new Error("not used");
    },
  };
  return provider;
}

function recordingLimiter(grant = true): RateLimiter & { reports: string[]; acquired: number } {
  const limiter = {
    reports: [] as string[],
    acquired: 0,
    async acquire() {
      limiter.acquired += 1;
      return grant;
    },
    report(_model: unknown, outcome: string) {
      limiter.reports.push(outcome);
    },
    async flush() {},
  };
  return limiter;
}

function harness(options: { now?: () => number } = {}) {
  const sleeps: number[] = [];
  return {
    sleeps,
    options: {
      request: chat("Hi"),
      deadlineMs: 1_000_000,
      sleep: async (ms: number) => {
        sleeps.push(ms);
      },
      now: options.now ?? (() => 0),
      random: () => 0.5,
    },
  };
}

describe("backoffMs", () => {
  it.each([
    [1, 0.999, 499],
    [2, 0.999, 999],
    [3, 0.5, 1_000],
    [7, 0.999, 29_970],
    [100, 0.999, 29_970],
    [1, 0, 0],
  ])("attempt %i with random %d waits %i ms", (attempt, random, expected) => {
    expect(backoffMs(attempt, () => random)).toBe(expected);
  });

  it("stays under the cap whatever the attempt", () => {
    for (let attempt = 1; attempt <= 50; attempt++) {
      expect(backoffMs(attempt)).toBeLessThan(RETRY_POLICY.capMs);
    }
  });
});

describe("runLine", () => {
  it("returns the response and reports success", async () => {
    const limiter = recordingLimiter();
    const { options } = harness();
    const outcome = await runLine(scripted("ok"), limiter, options);
    expect(outcome).toEqual({ kind: "success", body: SUCCESS.body, usage: SUCCESS.usage, attempts: 1 });
    expect(limiter.reports).toEqual(["ok"]);
  });

  it("retries transient errors with backoff, then succeeds", async () => {
    const provider = scripted(busy(), timeout(), "ok");
    const limiter = recordingLimiter();
    const { options, sleeps } = harness();
    const outcome = await runLine(provider, limiter, options);
    expect(outcome).toMatchObject({ kind: "success", attempts: 3 });
    expect(sleeps).toEqual([250, 500]);
    expect(limiter.acquired).toBe(3);
    expect(limiter.reports).toEqual(["limited", "ok"]);
  });

  it("fails a permanent error at once", async () => {
    const provider = scripted(noModel());
    const { options, sleeps } = harness();
    const outcome = await runLine(provider, recordingLimiter(), options);
    expect(outcome).toEqual({
      kind: "error",
      status: 400,
      code: "5007",
      message: "Workers AI error 5007: no",
      transient: false,
      attempts: 1,
    });
    expect(sleeps).toEqual([]);
  });

  it("does not slow the model down for a daily-quota 429 (3036)", async () => {
    const quota = new InferenceError("quota", { status: 429, code: "3036", transient: false });
    const limiter = recordingLimiter();
    const { options } = harness();
    expect(await runLine(scripted(quota), limiter, options)).toMatchObject({ kind: "error", code: "3036" });
    expect(limiter.reports).toEqual([]);
  });

  it("gives up on a transient error after the last attempt", async () => {
    const provider = scripted(timeout());
    const { options } = harness();
    const outcome = await runLine(provider, recordingLimiter(), { ...options, maxAttempts: 4 });
    expect(outcome).toMatchObject({ kind: "error", status: 408, code: "3007", transient: true, attempts: 4 });
    expect(provider.calls).toBe(4);
  });

  it("keeps retrying rate limits past the general attempt budget", async () => {
    const provider = scripted(...Array.from({ length: 11 }, busy), "ok");
    const { options } = harness();
    expect(await runLine(provider, recordingLimiter(), options)).toMatchObject({
      kind: "success",
      attempts: 12,
    });
  });

  it("gives up on rate limits after their own budget", async () => {
    const provider = scripted(busy());
    const { options } = harness();
    const outcome = await runLine(provider, recordingLimiter(), { ...options, maxRateLimitedAttempts: 5 });
    expect(outcome).toMatchObject({ kind: "error", status: 429, code: "3040", transient: true, attempts: 5 });
  });

  it("gives up when the backoff would pass the deadline", async () => {
    const provider = scripted(busy());
    const { options } = harness({ now: () => 999_900 });
    const outcome = await runLine(provider, recordingLimiter(), options);
    expect(outcome).toMatchObject({ kind: "error", code: "3040", attempts: 1 });
  });

  it("treats an unexpected throw as a transient upstream error", async () => {
    const provider = scripted(new TypeError("fetch failed: network"), "ok");
    const { options } = harness();
    expect(await runLine(provider, recordingLimiter(), options)).toMatchObject({
      kind: "success",
      attempts: 2,
    });
  });

  it.each([
    ["the deadline has passed", { deadlineMs: 0 }, true, "deadline"],
    ["the limiter gives no permit before the deadline", {}, false, "deadline"],
    ["the signal is aborted", { signal: AbortSignal.abort() }, true, "signal"],
  ])("is aborted without a call when %s", async (_label, extra, grant, reason) => {
    const provider = scripted("ok");
    const { options } = harness();
    const outcome = await runLine(provider, recordingLimiter(grant), { ...options, ...extra });
    expect(outcome).toEqual({ kind: "aborted", reason, attempts: 0 });
    expect(provider.calls).toBe(0);
  });

  it("stops retrying when cancelled during a backoff, counting the attempts made", async () => {
    const controller = new AbortController();
    const { options } = harness();
    const outcome = await runLine(scripted(busy()), recordingLimiter(), {
      ...options,
      signal: controller.signal,
      sleep: async () => controller.abort(),
    });
    expect(outcome).toEqual({ kind: "aborted", reason: "signal", attempts: 1 });
  });

  it("recovers a line through the simulator's injected 3040s", async () => {
    const provider = new WorkersAiProvider(new WorkersAiSimulator({ state: new SimulatorState() }), {
      cache: new CatalogueCache(),
    });
    const { options } = harness();
    const outcome = await runLine(provider, recordingLimiter(), {
      ...options,
      request: chat("retry me [sim:fail=3040x2]"),
    });
    expect(outcome).toMatchObject({ kind: "success", attempts: 3 });
  });
});
