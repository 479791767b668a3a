import { describe, expect, it } from "vitest";
import type { Deps } from "../../src/app/deps";
import type { ResolvedModel } from "../../src/domain/models";
import type { LimiterSnapshot } from "../../src/inference/rate-limiter";
import {
  checkCompletionWindow,
  type WindowCheckInput,
  windowNotation,
  windowTooShortError,
} from "../../src/services/completion-window-check";

const MODEL = {
  requested: "@cf/meta/llama-3.1-8b-instruct-fast",
  id: "@cf/meta/llama-3.1-8b-instruct-fast",
  pool: "task:text-generation",
  rpm: 300,
} as ResolvedModel;
const NOW = 1_800_000_000_000;
const MINUTE = 60_000;

function deps(pool: LimiterSnapshot | Error, capRpm: number | null = null) {
  return {
    poolSnapshot: async () => {
      if (pool instanceof Error) {
        throw pool;
      }
      return pool;
    },
    rateLimits: {
      list: async () => (capRpm === null ? [] : [{ model: MODEL.id, maxRequestsPer1Minute: capRpm }]),
    },
    config: { projectWeights: {} },
  } as unknown as Pick<Deps, "poolSnapshot" | "rateLimits" | "config">;
}

const idle: LimiterSnapshot = { rpm: 300, ceilingRpm: 285, rateRpm: 285, shares: [] };

function input(total: number, windowMs: number): WindowCheckInput {
  return {
    batchId: "batch_new",
    projectId: "proj_b",
    model: MODEL,
    total,
    deadlineMs: NOW + windowMs,
    nowMs: NOW,
  };
}

describe("checkCompletionWindow", () => {
  it("never refuses a lone batch that needs under a minute of the pool, whatever its window", async () => {
    for (const total of [1, 10, 100, 285]) {
      const verdict = await checkCompletionWindow(deps(idle), input(total, MINUTE));
      expect(verdict?.tooShort, `${total} lines`).toBe(false);
    }
  });

  it("lets a batch that would only cut it close run", async () => {
    // 400 lines at 285/min: 84 s against 60 s, within the margin
    expect((await checkCompletionWindow(deps(idle), input(400, MINUTE)))?.tooShort).toBe(false);
  });

  it("refuses a window far shorter than the pool needs for the lines", async () => {
    const verdict = await checkCompletionWindow(deps(idle), input(3_000, 5 * MINUTE));
    expect(verdict).toMatchObject({ tooShort: true, rateRpm: 285 });
    expect(verdict?.estimateMs).toBeCloseTo((3_000 / 285) * MINUTE);
  });

  it("takes a deadline boost into account before refusing beside other projects' backlogs", async () => {
    const busy: LimiterSnapshot = {
      ...idle,
      shares: [1, 2, 3].map((i) => ({
        projectId: `proj_${i}`,
        batchId: `batch_${i}`,
        rateRpm: 71.25,
        urgent: false,
        remaining: 50_000,
      })),
    };
    // a quarter of the pool (71/min) would need 14 min for 1,000 lines; boosted to 80 % (228/min), 4.4 min
    expect((await checkCompletionWindow(deps(busy), input(1_000, 10 * MINUTE)))?.tooShort).toBe(false);
    expect((await checkCompletionWindow(deps(busy), input(1_000, 2 * MINUTE)))?.tooShort).toBe(true);
  });

  it("refuses by the project's own max_requests_per_1_minute", async () => {
    const verdict = await checkCompletionWindow(deps(idle, 10), input(100, MINUTE));
    expect(verdict).toMatchObject({ tooShort: true, rateRpm: 10, estimateMs: 10 * MINUTE });
  });

  it("refuses nothing when the pool cannot be read", async () => {
    expect(await checkCompletionWindow(deps(new Error("unreachable")), input(1_000_000, MINUTE))).toBeNull();
  });
});

describe("windowTooShortError", () => {
  it("says the batch cannot finish in time and suggests a longer completion_window", async () => {
    const check = input(3_000, 5 * MINUTE);
    const verdict = await checkCompletionWindow(deps(idle), check);
    expect(verdict).not.toBeNull();
    const error = windowTooShortError(check, verdict as NonNullable<typeof verdict>);
    expect(error).toMatchObject({
      code: "completion_window_too_short",
      param: "completion_window",
      line: null,
    });
    expect(error.message).toContain("cannot finish within its completion window");
    expect(error.message).toContain("3000 requests need about 11 minutes");
    expect(error.message).toContain("Use a longer completion_window (at least '16m')");
  });

  it("writes windows as the API takes them", () => {
    expect(windowNotation(1)).toBe("1m");
    expect(windowNotation(90 * MINUTE)).toBe("90m");
    expect(windowNotation(121 * MINUTE)).toBe("3h");
    expect(windowNotation(24 * 60 * MINUTE)).toBe("1d");
    expect(windowNotation(50 * 60 * MINUTE)).toBe("3d");
    expect(windowNotation(30 * 24 * 60 * MINUTE)).toBe("7d");
  });
});
