import { describe, expect, it } from "vitest";
import { createWaiter, pollUntilTerminal } from "../../cli/lib/poll.mjs";

type Batch = { status: string };

function scripted(steps: Array<Batch | Error>) {
  let calls = 0;
  return {
    retrieve: async (): Promise<Batch> => {
      const step = steps[Math.min(calls, steps.length - 1)];
      calls += 1;
      if (step instanceof Error) {
        throw step;
      }
      return step!;
    },
    calls: () => calls,
  };
}

class Blip extends Error {}

describe("pollUntilTerminal", () => {
  it("polls until a terminal status, reporting each state and sleeping the interval between", async () => {
    const server = scripted([
      { status: "validating" },
      { status: "in_progress" },
      { status: "finalizing" },
      { status: "completed" },
    ]);
    const seen: string[] = [];
    const sleeps: number[] = [];
    const final = await pollUntilTerminal({
      retrieve: server.retrieve,
      intervalMs: 2000,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      onUpdate: (b) => seen.push(b.status),
    });
    expect(final).toEqual({ status: "completed" });
    expect(seen).toEqual(["validating", "in_progress", "finalizing", "completed"]);
    expect(sleeps).toEqual([2000, 2000, 2000]);
  });

  it.each(["failed", "expired", "cancelled"])("stops at %s", async (status) => {
    const server = scripted([{ status: "in_progress" }, { status }]);
    await expect(
      pollUntilTerminal({ retrieve: server.retrieve, intervalMs: 1, sleep: async () => {} }),
    ).resolves.toEqual({ status });
    expect(server.calls()).toBe(2);
  });

  it("rides out transient errors with growing waits", async () => {
    const server = scripted([new Blip("reset"), new Blip("reset"), { status: "completed" }]);
    const sleeps: number[] = [];
    const reported: number[] = [];
    const final = await pollUntilTerminal({
      retrieve: server.retrieve,
      intervalMs: 100,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      isTransient: (e) => e instanceof Blip,
      onTransientError: (_e, n) => reported.push(n),
    });
    expect(final.status).toBe("completed");
    expect(sleeps).toEqual([200, 400]);
    expect(reported).toEqual([1, 2]);
  });

  it("gives up after too many transient errors in a row", async () => {
    const server = scripted([new Blip("down")]);
    await expect(
      pollUntilTerminal({
        retrieve: server.retrieve,
        intervalMs: 1,
        sleep: async () => {},
        isTransient: () => true,
        maxFailuresInARow: 3,
      }),
    ).rejects.toThrow("down");
    expect(server.calls()).toBe(3);
  });

  it("throws other errors at once", async () => {
    const server = scripted([new Error("401 bad key")]);
    await expect(
      pollUntilTerminal({ retrieve: server.retrieve, intervalMs: 1, sleep: async () => {} }),
    ).rejects.toThrow("401 bad key");
    expect(server.calls()).toBe(1);
  });
});

describe("createWaiter", () => {
  it("ends a long sleep when woken", async () => {
    const waiter = createWaiter();
    const sleeping = waiter.sleep(600_000);
    waiter.wake();
    await expect(sleeping).resolves.toBeUndefined();
  });

  it("skips the next sleep when woken between sleeps", async () => {
    const waiter = createWaiter();
    waiter.wake();
    await expect(waiter.sleep(600_000)).resolves.toBeUndefined();
  });
});
