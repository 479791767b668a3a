import type { AsyncMode } from "../inference/async-items";
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
  /** The bootstrap admin key (`wrangler secret put ADMIN_API_KEY`), or null when none is set. */
  adminApiKey: string | null;
  /**
   * Browser origins allowed to call the API cross-origin (`CORS_ALLOWED_ORIGINS`, comma-separated,
   * `*` for any). Empty: no CORS headers; the dashboard is same-origin and needs none.
   */
  corsAllowedOrigins: string[];
  /**
   * Project id → weight in the rate-limited pools' fair share (`PROJECT_WEIGHTS`, e.g.
   * `proj_a=3,proj_b=0.5`); a project not listed weighs 1.
   */
  projectWeights: Record<string, number>;
  /**
   * Whether lines may run on Workers AI's async batch queue (`WORKERS_AI_ASYNC`): `auto` (default)
   * sends the lines that can go there, `off` never, `only` never uses the synchronous path.
   */
  asyncMode: AsyncMode;
};

const DEFAULT_WATCHDOG_STALL_SECONDS = 120;
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

/** A secret, so it is not among the generated `[vars]` types. */
function readAdminApiKey(env: Env): string | null {
  const key = (env as Env & { ADMIN_API_KEY?: unknown }).ADMIN_API_KEY;
  return typeof key === "string" && key.trim().length > 0 ? key.trim() : null;
}

/** Optional, so not among the generated `[vars]` types. Origins are compared without a trailing slash. */
function readCorsAllowedOrigins(env: Env): string[] {
  const raw = (env as Env & { CORS_ALLOWED_ORIGINS?: unknown }).CORS_ALLOWED_ORIGINS;
  if (typeof raw !== "string") {
    return [];
  }
  return raw
    .split(",")
    .map((origin) => origin.trim().replace(/\/+$/, ""))
    .filter((origin) => origin.length > 0);
}

/** Optional, so not among the generated `[vars]` types. Malformed entries are skipped. */
function readProjectWeights(env: Env): Record<string, number> {
  const raw = (env as Env & { PROJECT_WEIGHTS?: unknown }).PROJECT_WEIGHTS;
  const weights: Record<string, number> = {};
  if (typeof raw !== "string") {
    return weights;
  }
  for (const entry of raw.split(",")) {
    const [id, value] = entry.split("=").map((part) => part.trim());
    const weight = Number(value);
    if (id && Number.isFinite(weight) && weight > 0) {
      weights[id] = weight;
    }
  }
  return weights;
}

/** A value not understood fails loudly, rather than silently meaning `auto`. */
function readAsyncMode(env: Env): AsyncMode {
  // `unknown`: the generated Env types the var as its configured literal, "auto"
  const raw: unknown = env.WORKERS_AI_ASYNC;
  if (raw === undefined || raw === null || raw === "") {
    return "auto";
  }
  if (raw === "auto" || raw === "off" || raw === "only") {
    return raw;
  }
  throw new Error(`WORKERS_AI_ASYNC must be auto, off or only, got '${String(raw)}'.`);
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
    adminApiKey: readAdminApiKey(env),
    corsAllowedOrigins: readCorsAllowedOrigins(env),
    projectWeights: readProjectWeights(env),
    asyncMode: readAsyncMode(env),
  };
}
