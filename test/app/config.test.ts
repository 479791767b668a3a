import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/app/config";

function withVars(vars: Record<string, unknown>): Env {
  return { ...env, ...vars } as unknown as Env;
}

describe("readConfig", () => {
  it.each([
    ["100", 100],
    ["5", 5],
    ["0", 100],
    ["many", 100],
    [undefined, 100],
  ])("reads SYNC_BATCH_MAX_ITEMS %s as %d", (value, expected) => {
    expect(readConfig(withVars({ SYNC_BATCH_MAX_ITEMS: value })).syncBatchMaxItems).toBe(expected);
  });

  it.each([
    ["1000", 1000],
    ["5", 30_000],
    ["soon", 30_000],
  ])("reads WEBHOOK_RETRY_BASE_MS %s as %d", (value, expected) => {
    expect(readConfig(withVars({ WEBHOOK_RETRY_BASE_MS: value })).webhooks.retryBaseMs).toBe(expected);
  });

  it("refuses the simulator outside the local environment", () => {
    expect(() =>
      readConfig(withVars({ ENVIRONMENT: "production", INFERENCE_PROVIDER: "simulator" })),
    ).toThrow(/only allowed with ENVIRONMENT=local/);
  });

  it("reads the simulator's knobs only when the simulator is the provider", () => {
    expect(readConfig(env).simulator).not.toBeNull();
    expect(readConfig(withVars({ INFERENCE_PROVIDER: "workers-ai" })).simulator).toBeNull();
  });
});
