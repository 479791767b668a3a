/** Webhook delivery settings, read once from `[vars]` and secrets by `createDeps`. */
export type WebhookSettings = {
  /** First retry delay; it doubles per failed attempt. */
  retryBaseMs: number;
  /** Key material that encrypts stored signing secrets, or null when the deployment has none. */
  secretKey: string | null;
};

const DEFAULT_RETRY_BASE_MS = 30_000;
const MIN_RETRY_BASE_MS = 10;

export function readWebhookSettings(env: Env): WebhookSettings {
  const base = Number(env.WEBHOOK_RETRY_BASE_MS);
  const secretKey: string | undefined = env.WEBHOOK_SECRET_KEY;
  return {
    retryBaseMs: Number.isFinite(base) && base >= MIN_RETRY_BASE_MS ? base : DEFAULT_RETRY_BASE_MS,
    secretKey: secretKey && secretKey.length > 0 ? secretKey : null,
  };
}
