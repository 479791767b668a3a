import { describe, expect, it } from "vitest";
import { type ForecastFlow, forecastFinish } from "../../src/services/pool-forecast";

const DAY = 86_400_000;

function flow(
  projectId: string,
  remaining: number | undefined,
  extra: Partial<ForecastFlow> = {},
): ForecastFlow {
  return { key: projectId, projectId, deadlineMs: DAY, remaining, ...extra };
}

describe("forecastFinish", () => {
  it("runs a lone batch at the pool's whole rate", () => {
    expect(forecastFinish(285, [flow("a", 570)], "a")).toEqual({ rateRpm: 285, finishMs: 120_000 });
  });

  it("runs a small batch at half the pool beside a large one", () => {
    const forecast = forecastFinish(285, [flow("a", 3_000), flow("b", 10)], "b");
    expect(forecast.rateRpm).toBeCloseTo(142.5);
    expect(forecast.finishMs).toBeCloseTo((10 / 142.5) * 60_000);
  });

  it("speeds a batch up once the batches beside it finish", () => {
    // b's 300 lines end after 300/142.5 min; a then has 700 left at the full 285/min
    const forecast = forecastFinish(285, [flow("a", 1_000), flow("b", 300)], "a");
    expect(forecast.rateRpm).toBeCloseTo(142.5);
    expect(forecast.finishMs).toBeCloseTo((300 / 142.5 + 700 / 285) * 60_000);
  });

  it("follows weights and caps, and takes a backlog of unknown size as never ending", () => {
    const weighted = forecastFinish(300, [flow("a", 100, { weight: 2 }), flow("b", undefined)], "a");
    expect(weighted.rateRpm).toBeCloseTo(200);
    expect(weighted.finishMs).toBeCloseTo(30_000);
    const capped = forecastFinish(300, [flow("a", 100, { capRpm: 10 }), flow("b", undefined)], "a");
    expect(capped).toEqual({ rateRpm: 10, finishMs: 600_000 });
  });

  it("is done at once with nothing left, and never with no share", () => {
    expect(forecastFinish(285, [flow("a", 0)], "a").finishMs).toBe(0);
    expect(forecastFinish(0, [flow("a", 10)], "a").finishMs).toBe(Number.POSITIVE_INFINITY);
  });
});
