import { describe, expect, it } from "vitest";
import { formatBar, formatDuration, ProgressReporter, RateMeter } from "../../cli/lib/progress.mjs";

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 100, write: (s: string) => writes.push(s) } };
}

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [59.4, "59s"],
    [65, "1m05s"],
    [3600 + 120, "1h02m"],
  ])("%s s → %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe("formatBar", () => {
  it("shows status, a proportional bar, counts, rate and ETA", () => {
    const line = formatBar(
      { status: "in_progress", completed: 40, failed: 10, total: 100, ratePerSec: 2.5, etaSec: 20 },
      120,
    );
    expect(line).toMatch(/^in_progress \[/);
    expect(line).toContain("50/100  40 ok  10 failed  2.5/s  ETA 20s");
    const bar = /\[(.*)\]/.exec(line)![1]!;
    expect(bar.split("").filter((c) => c === "█").length * 2).toBe(bar.length);
  });

  it("fits a narrow terminal", () => {
    const line = formatBar(
      { status: "validating", completed: 0, failed: 0, total: 0, ratePerSec: null, etaSec: null },
      40,
    );
    expect(line.length).toBeLessThan(40);
  });
});

describe("RateMeter", () => {
  it("measures finished lines per second since the first sample and projects the rest", () => {
    let now = 0;
    const meter = new RateMeter(() => now);
    expect(meter.sample(10, 110)).toEqual({ ratePerSec: null, etaSec: null });
    now = 5000;
    expect(meter.sample(60, 110)).toEqual({ ratePerSec: 10, etaSec: 5 });
  });
});

describe("ProgressReporter", () => {
  const batch = (status: string, completed: number) => ({
    status,
    request_counts: { total: 100, completed, failed: 0 },
  });

  it("redraws one line on a terminal", () => {
    const { writes, stream } = sink(true);
    const reporter = new ProgressReporter({ batchId: "batch_1", stream });
    reporter.update(batch("in_progress", 1));
    reporter.update(batch("in_progress", 2));
    reporter.note("hello");
    reporter.end();
    expect(writes.slice(0, 2).every((w) => w.startsWith("\r\x1b[2K") && !w.includes("\n"))).toBe(true);
    expect(writes[2]).toBe("\r\x1b[2Khello\n");
  });

  it("logs status changes at once and progress at most every interval when not a terminal", () => {
    let now = 0;
    const { writes, stream } = sink(false);
    const reporter = new ProgressReporter({ batchId: "batch_1", stream, now: () => now, logEveryMs: 10_000 });
    reporter.update(batch("validating", 0));
    reporter.update(batch("in_progress", 0));
    now = 5_000;
    reporter.update(batch("in_progress", 10));
    now = 10_000;
    reporter.update(batch("in_progress", 20));
    now = 12_000;
    reporter.update(batch("completed", 100));
    expect(writes.map((w) => w.split(":")[1])).toEqual([
      " batch_1 validating",
      " batch_1 in_progress",
      " batch_1 in_progress",
      " batch_1 completed",
    ]);
    expect(writes[2]).toContain("20/100");
    expect(writes.every((w) => w.startsWith("run-batch: ") && w.endsWith("\n"))).toBe(true);
  });
});
