import { fromBase64, toBase64 } from "./base64";

/**
 * Standard Webhooks signing, as the official SDKs' `webhooks.unwrap()` verifies it: HMAC-SHA256 over
 * `<webhook-id>.<webhook-timestamp>.<body>`, keyed with the base64-decoded part of a `whsec_` secret.
 */
const PREFIX = "whsec_";
const SECRET_BYTES = 32;

/** A new signing secret: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

function secretKey(secret: string): Uint8Array {
  // the SDKs use a secret without the prefix as raw UTF-8; ours always carry it
  return secret.startsWith(PREFIX)
    ? fromBase64(secret.slice(PREFIX.length))
    : new TextEncoder().encode(secret);
}

/** `v1,<base64 HMAC-SHA256>` over `id.timestamp.body`. */
export async function signWebhook(
  secret: string,
  id: string,
  timestamp: number,
  body: string,
): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    secretKey(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${id}.${timestamp}.${body}`));
  return `v1,${toBase64(new Uint8Array(mac))}`;
}

/** The request headers of one delivery attempt; the timestamp and signature are fresh per attempt. */
export async function webhookHeaders(
  secret: string,
  id: string,
  body: string,
  nowSeconds: number,
): Promise<Record<string, string>> {
  return {
    "content-type": "application/json",
    "user-agent": "workers-batch-api-webhooks/1",
    "webhook-id": id,
    "webhook-timestamp": String(nowSeconds),
    "webhook-signature": await signWebhook(secret, id, nowSeconds, body),
  };
}
