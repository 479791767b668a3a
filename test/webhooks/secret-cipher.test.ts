import { describe, expect, it } from "vitest";
import { SecretCipher, WebhooksNotConfiguredError } from "../../src/webhooks/secret-cipher";

const KEY = "a-test-key-that-is-at-least-32-characters-long";

describe("SecretCipher", () => {
  it("round-trips a secret and never stores it in the clear", async () => {
    const cipher = new SecretCipher(KEY);
    const stored = await cipher.encrypt("whsec_c2VjcmV0", "webhook_endpoints/we_1");
    expect(stored).toMatch(/^v1\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$/);
    expect(stored).not.toContain("whsec_");
    expect(await cipher.decrypt(stored, "webhook_endpoints/we_1")).toBe("whsec_c2VjcmV0");
  });

  it("uses a fresh IV per encryption", async () => {
    const cipher = new SecretCipher(KEY);
    const [a, b] = await Promise.all([cipher.encrypt("same", "ctx"), cipher.encrypt("same", "ctx")]);
    expect(a).not.toBe(b);
  });

  it("refuses a ciphertext moved to another row, or opened with another key", async () => {
    const stored = await new SecretCipher(KEY).encrypt("whsec_x", "webhook_endpoints/we_1");
    await expect(new SecretCipher(KEY).decrypt(stored, "webhook_endpoints/we_2")).rejects.toThrow();
    await expect(
      new SecretCipher(`${KEY}-other`).decrypt(stored, "webhook_endpoints/we_1"),
    ).rejects.toThrow();
  });

  it.each([
    ["no key", null],
    ["a short key", "too-short"],
  ])("with %s, says webhooks are not configured", async (_name, key) => {
    const cipher = new SecretCipher(key);
    expect(cipher.configured).toBe(false);
    await expect(cipher.encrypt("whsec_x", "ctx")).rejects.toBeInstanceOf(WebhooksNotConfiguredError);
  });
});
