/** Webhook delivery settings; `readConfig` (src/app/config.ts) reads them from `[vars]` and secrets. */
export type WebhookSettings = {
  /** First retry delay; it doubles per failed attempt. */
  retryBaseMs: number;
  /** Key material that encrypts stored signing secrets, or null when the deployment has none. */
  secretKey: string | null;
};
