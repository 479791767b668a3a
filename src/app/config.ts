import { syncBatchMaxItems as syncBatchMaxItemsFrom } from "../services/sync-batch";

/** Deployment settings read from `[vars]`, parsed once per request or queue batch. */
export type Config = {
  environment: "production" | "local";
  inferenceProvider: "workers-ai" | "simulator";
  /** A live batch with no progress for this long is re-driven by the cron watchdog. */
  watchdogStallSeconds: number;
  /** Count binding operations (src/app/binding-metrics.ts) and serve `/v1/_debug/*`: local only. */
  bindingMetrics: boolean;
  /** Most rows one synchronous batch call takes (`SYNC_BATCH_MAX_ITEMS`). */
  syncBatchMaxItems: number;
};

const DEFAULT_WATCHDOG_STALL_SECONDS = 120;

function positiveInt(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

export function readConfig(env: Env): Config {
  const environment = env.ENVIRONMENT === "local" ? "local" : "production";
  const inferenceProvider = env.INFERENCE_PROVIDER === "simulator" ? "simulator" : "workers-ai";
  // the simulator answers with made-up text: never let a production deploy select it by accident
  if (inferenceProvider === "simulator" && environment !== "local") {
    throw new Error("INFERENCE_PROVIDER=simulator is only allowed with ENVIRONMENT=local");
  }
  const watchdogStallSeconds = positiveInt(env.WATCHDOG_STALL_SECONDS, DEFAULT_WATCHDOG_STALL_SECONDS);
  // `String()`: the generated Env types the var as its configured literal, "off"
  const bindingMetrics = environment === "local" && String(env.BINDING_METRICS) === "on";
  const syncBatchMaxItems = syncBatchMaxItemsFrom(env);
  return { environment, inferenceProvider, watchdogStallSeconds, bindingMetrics, syncBatchMaxItems };
}
