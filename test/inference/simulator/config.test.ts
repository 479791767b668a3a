import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DEFAULT_SIMULATOR_CONFIG, readSimulatorConfig } from "../../../src/inference/simulator/config";

describe("readSimulatorConfig", () => {
  it("reads the [env.local.vars] defaults as the documented defaults", () => {
    // wrangler.toml may speed the local stack's async queue up; every other knob is at its default
    const { asyncCapacity, ...vars } = readSimulatorConfig(env);
    const { asyncCapacity: _default, ...defaults } = DEFAULT_SIMULATOR_CONFIG;
    expect(vars).toEqual(defaults);
    expect(asyncCapacity).toBeGreaterThanOrEqual(0);
  });

  it("reads every variable", () => {
    expect(
      readSimulatorConfig({
        SIMULATOR_LATENCY_MS: "250",
        SIMULATOR_RPM_LIMIT: "300",
        SIMULATOR_CAPACITY: "4",
        SIMULATOR_ASYNC_CAPACITY: "120",
        SIMULATOR_FREE_PLAN: "true",
        SIMULATOR_TRANSIENT_ERROR_RATE: "0.1",
        SIMULATOR_TRANSIENT_ERROR_CODE: "3007",
        SIMULATOR_PERMANENT_ERROR_RATE: "0.01",
        SIMULATOR_PERMANENT_ERROR_CODE: "5007",
      }),
    ).toEqual({
      latencyMs: 250,
      rpmLimit: 300,
      capacity: 4,
      asyncCapacity: 120,
      freePlan: true,
      transientErrorRate: 0.1,
      transientErrorCode: "3007",
      permanentErrorRate: 0.01,
      permanentErrorCode: "5007",
    });
  });

  it("defaults the async queue to 6000 items a minute, and 0 means instant", () => {
    expect(readSimulatorConfig({}).asyncCapacity).toBe(6000);
    expect(readSimulatorConfig({ SIMULATOR_ASYNC_CAPACITY: "0" }).asyncCapacity).toBe(0);
  });

  it.each([
    ["a rate above 1", { SIMULATOR_TRANSIENT_ERROR_RATE: "1.5" }, /SIMULATOR_TRANSIENT_ERROR_RATE/],
    ["a negative latency", { SIMULATOR_LATENCY_MS: "-1" }, /SIMULATOR_LATENCY_MS/],
    ["a word for a number", { SIMULATOR_RPM_LIMIT: "lots" }, /SIMULATOR_RPM_LIMIT/],
    ["a negative async capacity", { SIMULATOR_ASYNC_CAPACITY: "-5" }, /SIMULATOR_ASYNC_CAPACITY/],
    [
      "a permanent code as the transient one",
      { SIMULATOR_TRANSIENT_ERROR_CODE: "5007" },
      /transient Workers AI code/,
    ],
    [
      "a transient code as the permanent one",
      { SIMULATOR_PERMANENT_ERROR_CODE: "3040" },
      /permanent Workers AI code/,
    ],
    ["an unknown code", { SIMULATOR_TRANSIENT_ERROR_CODE: "1234" }, /1234/],
  ])("refuses %s", (_label, vars, message) => {
    expect(() => readSimulatorConfig(vars)).toThrow(message);
  });
});
