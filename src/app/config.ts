import { parseModelAliases } from "../inference/catalogue";
import { readSimulatorConfig, type SimulatorConfig } from "../inference/simulator/config";
import type { WebhookSettings } from "../webhooks/settings";

/**
 * Deployment settings, parsed once per request or queue batch. This is the only module that reads
 * `[vars]` and secrets: everything else gets its settings from here, through `Deps`.
 */
export type Config = {
  environment: "production" | "local";
  inferenceProvider: "workers-ai" | "simulator";
  /** A live batch with no progress for this long is re-driven by the cron watchdog. */
  watchdogStallSeconds: number;
  /** Count binding operations (src/app/binding-metrics.ts) and serve `/v1/_debug/*`: local only. */
  bindingMetrics: boolean;
  /** Most rows one synchronous batch call takes (`SYNC_BATCH_MAX_ITEMS`). */
  syncBatchMaxItems: number;
  webhooks: WebhookSettings;
  /** Alias → Workers AI model id (`MODEL_ALIASES`, else the built-in defaults). */
  modelAliases: Record<string, string>;
  /** The Workers AI simulator's knobs; null unless the simulator is the provider. */
  simulator: SimulatorConfig | null;
};

export const DEFAULT_WATCHDOG_STALL_SECONDS = 120;
export const DEFAULT_SYNC_BATCH_MAX_ITEMS = 100;
const DEFAULT_WEBHOOK_RETRY_BASE_MS = 30_000;
const MIN_WEBHOOK_RETRY_BASE_MS = 10;

function positiveInt(value: unknown, fallback: number): number {
  const parsed = Number(String(value ?? ""));
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

function readWebhookSettings(env: Env): WebhookSettings {
  const base = Number(env.WEBHOOK_RETRY_BASE_MS);
  const secretKey: string | undefined = env.WEBHOOK_SECRET_KEY;
  return {
    retryBaseMs:
      Number.isFinite(base) && base >= MIN_WEBHOOK_RETRY_BASE_MS ? base : DEFAULT_WEBHOOK_RETRY_BASE_MS,
    secretKey: secretKey && secretKey.length > 0 ? secretKey : null,
  };
}

export function readConfig(env: Env): Config {
  const environment = env.ENVIRONMENT === "local" ? "local" : "production";
  const inferenceProvider = env.INFERENCE_PROVIDER === "simulator" ? "simulator" : "workers-ai";
  // the simulator answers with made-up text: never let a production deploy select it by accident
  if (inferenceProvider === "simulator" && environment !== "local") {
    throw new Error("INFERENCE_PROVIDER=simulator is only allowed with ENVIRONMENT=local");
  }
  return {
    environment,
    inferenceProvider,
    watchdogStallSeconds: positiveInt(env.WATCHDOG_STALL_SECONDS, DEFAULT_WATCHDOG_STALL_SECONDS),
    // `String()`: the generated Env types the var as its configured literal, "off"
    bindingMetrics: environment === "local" && String(env.BINDING_METRICS) === "on",
    syncBatchMaxItems: positiveInt(env.SYNC_BATCH_MAX_ITEMS, DEFAULT_SYNC_BATCH_MAX_ITEMS),
    webhooks: readWebhookSettings(env),
    modelAliases: parseModelAliases(env),
    simulator: inferenceProvider === "simulator" ? readSimulatorConfig(env) : null,
  };
}
