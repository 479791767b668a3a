import { isWorkersAiCode, WORKERS_AI_CODES, type WorkersAiCode } from "../workers-ai-codes";

/** The simulator's knobs, from `[env.local.vars]` or `wrangler dev --var KEY:VALUE`. */
export type SimulatorConfig = {
  /** Added to every call, in ms. */
  latencyMs: number;
  /**
   * Requests per minute per rate-limited pool (the account's budget per task type, as Workers AI
   * counts) before answering like Workers AI's 429 (3040). 0 = no limit.
   */
  rpmLimit: number;
  /**
   * Calls one model serves at once. A call beyond it waits (Workers AI's capacity queue), or fails
   * at once with 429/3040 when the caller set `rejectIfBusy`. 0 = unlimited.
   */
  capacity: number;
  /**
   * Async batch items (`queueRequest: true`) the simulator's queue finishes per minute, one after
   * another, in one FIFO for the isolate; independent of `rpmLimit` and `capacity`. 0 = instant.
   */
  asyncCapacity: number;
  /** Answer like an account on the Workers Free plan: Workers-Paid models fail with 403/5035. */
  freePlan: boolean;
  /** Share of attempts (0..1) that fail with `transientErrorCode`, decided per request and attempt. */
  transientErrorRate: number;
  transientErrorCode: WorkersAiCode;
  /** Share of requests (0..1) that always fail with `permanentErrorCode`, decided per request. */
  permanentErrorRate: number;
  permanentErrorCode: WorkersAiCode;
};

export const DEFAULT_SIMULATOR_CONFIG: SimulatorConfig = {
  latencyMs: 0,
  rpmLimit: 0,
  capacity: 0,
  asyncCapacity: 6000,
  freePlan: false,
  transientErrorRate: 0,
  transientErrorCode: "3040",
  permanentErrorRate: 0,
  permanentErrorCode: "5004",
};

export type SimulatorVars = {
  SIMULATOR_LATENCY_MS?: unknown;
  SIMULATOR_RPM_LIMIT?: unknown;
  SIMULATOR_CAPACITY?: unknown;
  SIMULATOR_ASYNC_CAPACITY?: unknown;
  SIMULATOR_FREE_PLAN?: unknown;
  SIMULATOR_TRANSIENT_ERROR_RATE?: unknown;
  SIMULATOR_TRANSIENT_ERROR_CODE?: unknown;
  SIMULATOR_PERMANENT_ERROR_RATE?: unknown;
  SIMULATOR_PERMANENT_ERROR_CODE?: unknown;
};

function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

function numberVar(name: string, value: unknown, fallback: number, max: number): number {
  if (isUnset(value)) {
    return fallback;
  }
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0 || parsed > max) {
    throw new Error(`${name} must be a number from 0 to ${max}, got '${String(value)}'.`);
  }
  return parsed;
}

function codeVar(name: string, value: unknown, fallback: WorkersAiCode, transient: boolean): WorkersAiCode {
  if (isUnset(value)) {
    return fallback;
  }
  const code = String(value);
  if (!isWorkersAiCode(code) || WORKERS_AI_CODES[code].transient !== transient) {
    const kind = transient ? "transient" : "permanent";
    const allowed = Object.entries(WORKERS_AI_CODES)
      .filter(([, info]) => info.transient === transient)
      .map(([known]) => known);
    throw new Error(`${name} must be a ${kind} Workers AI code (${allowed.join(", ")}), got '${code}'.`);
  }
  return code;
}

/** Parses the simulator's vars; a bad value throws at startup rather than silently meaning 0. */
export function readSimulatorConfig(vars: SimulatorVars): SimulatorConfig {
  const d = DEFAULT_SIMULATOR_CONFIG;
  return {
    latencyMs: numberVar("SIMULATOR_LATENCY_MS", vars.SIMULATOR_LATENCY_MS, d.latencyMs, 600_000),
    rpmLimit: Math.floor(numberVar("SIMULATOR_RPM_LIMIT", vars.SIMULATOR_RPM_LIMIT, d.rpmLimit, 1_000_000)),
    capacity: Math.floor(numberVar("SIMULATOR_CAPACITY", vars.SIMULATOR_CAPACITY, d.capacity, 100_000)),
    asyncCapacity: Math.floor(
      numberVar("SIMULATOR_ASYNC_CAPACITY", vars.SIMULATOR_ASYNC_CAPACITY, d.asyncCapacity, 10_000_000),
    ),
    freePlan: String(vars.SIMULATOR_FREE_PLAN ?? "") === "true",
    transientErrorRate: numberVar(
      "SIMULATOR_TRANSIENT_ERROR_RATE",
      vars.SIMULATOR_TRANSIENT_ERROR_RATE,
      0,
      1,
    ),
    transientErrorCode: codeVar(
      "SIMULATOR_TRANSIENT_ERROR_CODE",
      vars.SIMULATOR_TRANSIENT_ERROR_CODE,
      d.transientErrorCode,
      true,
    ),
    permanentErrorRate: numberVar(
      "SIMULATOR_PERMANENT_ERROR_RATE",
      vars.SIMULATOR_PERMANENT_ERROR_RATE,
      0,
      1,
    ),
    permanentErrorCode: codeVar(
      "SIMULATOR_PERMANENT_ERROR_CODE",
      vars.SIMULATOR_PERMANENT_ERROR_CODE,
      d.permanentErrorCode,
      false,
    ),
  };
}
