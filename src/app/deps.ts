import { DEFAULT_UPLOAD_LIMITS, type UploadLimits } from "../domain/files";
import { type CoordinatorClient, DurableCoordinatorClient } from "../durable/coordinator-client";
import { modelRateLimiterFor } from "../durable/model-rate-limiter";
import { DurableRateLimiter, type RateLimiter } from "../inference/limiter-client";
import type { LimiterSnapshot } from "../inference/rate-limiter";
import { WorkersAiSimulator } from "../inference/simulator/simulator";
import { type AsyncBatchBackend, InferenceError, type InferenceProvider } from "../inference/types";
import { WorkersAiProvider } from "../inference/workers-ai-provider";
import { type AdminKeyStore, D1AdminKeyStore } from "../storage/d1/admin-keys-store";
import type { ApiKeyStore } from "../storage/d1/api-keys-store";
import { D1ApiKeyStore } from "../storage/d1/api-keys-store";
import { type AsyncRequestStore, D1AsyncRequestStore } from "../storage/d1/async-requests-store";
import { type BatchStore, D1BatchStore } from "../storage/d1/batches-store";
import { D1FileStore, type FileStore } from "../storage/d1/files-store";
import { D1IdempotencyStore, type IdempotencyStore } from "../storage/d1/idempotency-store";
import { D1ProjectStore, type ProjectStore } from "../storage/d1/projects-store";
import { D1RateLimitStore, type RateLimitStore } from "../storage/d1/rate-limits-store";
import { D1RetentionStore, type RetentionStore } from "../storage/d1/retention-store";
import { D1ScheduleStore, type ScheduleStore } from "../storage/d1/schedules-store";
import { D1ServiceAccountStore, type ServiceAccountStore } from "../storage/d1/service-accounts-store";
import { D1TokenReservationStore, type TokenReservationStore } from "../storage/d1/token-reservations-store";
import { D1UploadStore } from "../storage/d1/uploads-store";
import { D1UsageStore, type UsageStore } from "../storage/d1/usage-store";
import { D1WebhookStore, type WebhookStore } from "../storage/d1/webhooks-store";
import { type BatchWorkStore, R2BatchWorkStore } from "../storage/r2/batch-work";
import { type FileContentStore, R2FileContentStore } from "../storage/r2/file-contents";
import { R2UploadPartStore, type UploadPartStore } from "../storage/r2/upload-parts";
import { SecretCipher } from "../webhooks/secret-cipher";
import { countingBindings, countingInference, countingRateLimiter } from "./binding-metrics";
import { type Config, readConfig } from "./config";

export type Deps = {
  config: Config;
  apiKeys: ApiKeyStore;
  batches: BatchStore;
  coordinators: CoordinatorClient;
  queue: Queue;
  files: FileStore;
  idempotency: IdempotencyStore;
  fileContents: FileContentStore;
  /** A batch's intermediate objects: chunk reads, result segments, custom ids. */
  batchWork: BatchWorkStore;
  uploadLimits: UploadLimits;
  /** The Uploads API: uploads and their parts in D1, the parts' bytes in R2. */
  uploads: D1UploadStore;
  uploadParts: UploadPartStore;
  schedules: ScheduleStore;
  retention: RetentionStore;
  inference: InferenceProvider;
  /** Workers AI's async batch queue (the same binding as `inference`). */
  asyncBatches: AsyncBatchBackend;
  /** Async request id → its batch, for completion events. */
  asyncRequests: AsyncRequestStore;
  /** Paces model calls per model; share one per queue batch (see DurableRateLimiter). */
  rateLimiter: RateLimiter;
  /** A pool limiter's current rate and shares (one RPC): the `x-ratelimit-*` headers read it. */
  poolSnapshot: (poolKey: string) => Promise<LimiterSnapshot>;
  webhooks: WebhookStore;
  /** The Admin API's stores (/v1/organization/*) and the usage rollups. */
  adminKeys: AdminKeyStore;
  projects: ProjectStore;
  serviceAccounts: ServiceAccountStore;
  rateLimits: RateLimitStore;
  /** Enqueued input tokens of live batches, against `batch_1_day_max_input_tokens`. */
  tokenReservations: TokenReservationStore;
  usage: UsageStore;
};

/** A provider given in `overrides` brings no async queue: every submit fails and lines run synchronously. */
const NO_ASYNC_QUEUE: AsyncBatchBackend = {
  submit: async () => {
    throw new InferenceError("This provider has no async batch queue.", {
      status: 400,
      code: "async_unavailable",
      transient: false,
    });
  },
  poll: async () => ({ state: "pending" }),
};

/** The one place the inference provider is chosen: the simulator (local only) or `env.AI`. */
function createInference(env: Env, config: Config): WorkersAiProvider {
  const aliases = config.modelAliases;
  const simulator = config.simulator;
  if (simulator !== null) {
    // with no simulated limit, pace as if the account allowed a million requests a minute
    const rpmOverride = simulator.rpmLimit > 0 ? simulator.rpmLimit : 1_000_000;
    // the simulator publishes its async batch events where Workers AI's event subscription would
    const ai = new WorkersAiSimulator({ config: simulator, events: env.AI_EVENTS });
    return new WorkersAiProvider(ai, { aliases, rpmOverride });
  }
  if (!env.AI) {
    throw new Error(
      'INFERENCE_PROVIDER=workers-ai needs the Workers AI binding: add `[ai] binding = "AI"` to wrangler.toml.',
    );
  }
  return new WorkersAiProvider(env.AI, { aliases });
}

/**
 * The only place where bindings become objects. Called once per request and per queue batch. With
 * `config.bindingMetrics` (local only), every binding and the model calls go through counting
 * proxies (src/app/binding-metrics.ts).
 */
export function createDeps(env: Env, overrides: Partial<Deps> = {}): Deps {
  const config = overrides.config ?? readConfig(env);
  const counted = config.bindingMetrics;
  const b = counted ? countingBindings(env) : env;
  const provider = overrides.inference ? null : createInference(env, config);
  const inference = overrides.inference ?? (provider as WorkersAiProvider);
  const rateLimiter =
    overrides.rateLimiter ??
    new DurableRateLimiter((modelId) => modelRateLimiterFor(b.MODEL_RATE_LIMITER, modelId));
  return {
    config,
    apiKeys: overrides.apiKeys ?? new D1ApiKeyStore(b.DB),
    batches: overrides.batches ?? new D1BatchStore(b.DB),
    coordinators: overrides.coordinators ?? new DurableCoordinatorClient(b.BATCH_COORDINATOR),
    queue: overrides.queue ?? b.BATCH_QUEUE,
    files: overrides.files ?? new D1FileStore(b.DB),
    idempotency: overrides.idempotency ?? new D1IdempotencyStore(b.DB),
    fileContents: overrides.fileContents ?? new R2FileContentStore(b.FILES_BUCKET),
    batchWork: overrides.batchWork ?? new R2BatchWorkStore(b.FILES_BUCKET),
    uploadLimits: overrides.uploadLimits ?? DEFAULT_UPLOAD_LIMITS,
    uploads: overrides.uploads ?? new D1UploadStore(b.DB),
    uploadParts: overrides.uploadParts ?? new R2UploadPartStore(b.FILES_BUCKET),
    schedules: overrides.schedules ?? new D1ScheduleStore(b.DB),
    retention: overrides.retention ?? new D1RetentionStore(b.DB),
    inference: counted ? countingInference(inference) : inference,
    asyncBatches: overrides.asyncBatches ?? provider ?? NO_ASYNC_QUEUE,
    asyncRequests: overrides.asyncRequests ?? new D1AsyncRequestStore(b.DB),
    rateLimiter: counted ? countingRateLimiter(rateLimiter) : rateLimiter,
    poolSnapshot:
      overrides.poolSnapshot ?? ((poolKey) => modelRateLimiterFor(b.MODEL_RATE_LIMITER, poolKey).snapshot()),
    webhooks: overrides.webhooks ?? new D1WebhookStore(b.DB, new SecretCipher(config.webhooks.secretKey)),
    adminKeys: overrides.adminKeys ?? new D1AdminKeyStore(b.DB),
    projects: overrides.projects ?? new D1ProjectStore(b.DB),
    serviceAccounts: overrides.serviceAccounts ?? new D1ServiceAccountStore(b.DB),
    rateLimits: overrides.rateLimits ?? new D1RateLimitStore(b.DB),
    tokenReservations: overrides.tokenReservations ?? new D1TokenReservationStore(b.DB),
    usage: overrides.usage ?? new D1UsageStore(b.DB),
  };
}
