import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { newWebhookSecret, signWebhook, webhookHeaders } from "../../src/webhooks/signature";

// The official SDK's own verifier, run in workerd: what a receiver using `client.webhooks.unwrap` does.
const client = new OpenAI({ apiKey: "sk-unused" });
const BODY = JSON.stringify({
  id: "evt_01J0000000000000000000000",
  object: "event",
  type: "batch.completed",
  created_at: 1719168000,
  data: { id: "batch_01J0000000000000000000000" },
});

describe("webhookHeaders", () => {
  it("signs so that the openai SDK's webhooks.unwrap accepts the event unchanged", async () => {
    const secret = newWebhookSecret();
    const headers = await webhookHeaders(secret, "evt_abc", BODY, Math.floor(Date.now() / 1000));
    expect(headers).toMatchObject({ "webhook-id": "evt_abc", "content-type": "application/json" });
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    const event = await client.webhooks.unwrap(BODY, headers, secret);
    expect(event).toMatchObject({ type: "batch.completed", data: { id: "batch_01J0000000000000000000000" } });
  });

  it.each([
    ["another secret", { secret: newWebhookSecret() }],
    ["a changed body", { body: BODY.replace("completed", "failed") }],
    ["another webhook-id", { id: "evt_other" }],
  ])(
    "is rejected by the SDK with %s",
    async (_name, change: { secret?: string; body?: string; id?: string }) => {
      const secret = newWebhookSecret();
      const headers = await webhookHeaders(secret, "evt_abc", BODY, Math.floor(Date.now() / 1000));
      if (change.id) {
        headers["webhook-id"] = change.id;
      }
      await expect(
        client.webhooks.unwrap(change.body ?? BODY, headers, change.secret ?? secret),
      ).rejects.toThrow(/signature does not match/);
    },
  );

  it("carries the timestamp it was signed at, which the SDK checks against a 300 s tolerance", async () => {
    const secret = newWebhookSecret();
    const stale = Math.floor(Date.now() / 1000) - 301;
    const headers = await webhookHeaders(secret, "evt_abc", BODY, stale);
    expect(headers["webhook-timestamp"]).toBe(String(stale));
    await expect(client.webhooks.unwrap(BODY, headers, secret)).rejects.toThrow(/too old/);
  });
});

describe("signWebhook", () => {
  it("follows the contract's recipe: HMAC-SHA256(base64decode(secret[6:]), id.ts.body)", async () => {
    const secret = "whsec_RdvaYFYUXuIFuEbvZHwMfYFhUf7aMYjYcmM24+Aj40c=";
    const key = await crypto.subtle.importKey(
      "raw",
      Uint8Array.from(atob(secret.slice(6)), (c) => c.charCodeAt(0)),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`msg_1.1700000000.${BODY}`));
    const expected = btoa(String.fromCharCode(...new Uint8Array(mac)));
    expect(await signWebhook(secret, "msg_1", 1700000000, BODY)).toBe(`v1,${expected}`);
  });

  it("makes secrets of 32 random bytes behind whsec_", () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(atob(secret.slice(6))).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(secret);
  });
});
