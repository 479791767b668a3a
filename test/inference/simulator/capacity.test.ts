import { describe, expect, it, vi } from "vitest";
import { DEFAULT_SIMULATOR_CONFIG, type SimulatorConfig } from "../../../src/inference/simulator/config";
import { SimulatorState, WorkersAiSimulator } from "../../../src/inference/simulator/simulator";

const MODEL = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
const user = (content: string) => ({ messages: [{ role: "user", content }] });

/** A simulator whose calls each wait until the test releases them. */
function gatedSimulator(config: Partial<SimulatorConfig>) {
  const release: Array<() => void> = [];
  const state = new SimulatorState();
  const sim = new WorkersAiSimulator({
    config: { ...DEFAULT_SIMULATOR_CONFIG, latencyMs: 1, ...config },
    state,
    sleep: () => new Promise<void>((resolve) => release.push(resolve)),
  });
  return { sim, state, release };
}

describe("WorkersAiSimulator capacity", () => {
  it("queues calls beyond the capacity by default, and fails them fast with 3040 under rejectIfBusy", async () => {
    const { sim, state, release } = gatedSimulator({ capacity: 1 });
    const first = sim.run(MODEL, user("one"));
    await vi.waitUntil(() => release.length === 1);
    const queued = sim.run(MODEL, user("two"));
    await expect(sim.run(MODEL, user("three"), { rejectIfBusy: true })).rejects.toThrow(
      /^3040: Capacity temporarily exceeded, please try again\.$/,
    );
    expect(release).toHaveLength(1);
    release.shift()?.();
    await first;
    await vi.waitUntil(() => release.length === 1);
    release.shift()?.();
    await expect(queued).resolves.toHaveProperty("response");
    expect(state.capacity.inUse(MODEL)).toBe(0);
  });

  it("serves rejectIfBusy calls normally while there is room", async () => {
    const { sim, release } = gatedSimulator({ capacity: 2 });
    const call = sim.run(MODEL, user("one"), { rejectIfBusy: true });
    await vi.waitUntil(() => release.length === 1);
    release.shift()?.();
    await expect(call).resolves.toHaveProperty("response");
  });
});

describe("WorkersAiSimulator plans", () => {
  it("refuses a Workers-Paid model with 5035 on the Free plan, and serves it on Paid", async () => {
    const free = new WorkersAiSimulator({ config: { ...DEFAULT_SIMULATOR_CONFIG, freePlan: true } });
    await expect(free.run("@cf/moonshotai/kimi-k2.6", user("Hi"))).rejects.toThrow(/^5035: /);
    const paid = new WorkersAiSimulator({ config: DEFAULT_SIMULATOR_CONFIG, state: new SimulatorState() });
    await expect(paid.run("@cf/moonshotai/kimi-k2.6", user("Hi"))).resolves.toHaveProperty("choices");
  });
});
