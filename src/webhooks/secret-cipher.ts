import { fromBase64, toBase64 } from "./base64";

/**
 * Encryption at rest of webhook signing secrets. A secret must be readable to sign with, so it is
 * encrypted (AES-256-GCM, key derived with HKDF from the WEBHOOK_SECRET_KEY Worker secret) rather than
 * hashed. The row's identity is bound as associated data, so a ciphertext copied to another row fails.
 */
const VERSION = "v1";
const MIN_KEY_LENGTH = 32;

export class WebhooksNotConfiguredError extends Error {
  override readonly name = "WebhooksNotConfiguredError";
  constructor() {
    super(`WEBHOOK_SECRET_KEY is not set (or shorter than ${MIN_KEY_LENGTH} characters)`);
  }
}

export class SecretCipher {
  private key: Promise<CryptoKey> | undefined;

  constructor(private readonly keyMaterial: string | null) {}

  get configured(): boolean {
    return this.keyMaterial !== null && this.keyMaterial.length >= MIN_KEY_LENGTH;
  }

  private aesKey(): Promise<CryptoKey> {
    if (!this.configured || this.keyMaterial === null) {
      return Promise.reject(new WebhooksNotConfiguredError());
    }
    const material = this.keyMaterial;
    this.key ??= crypto.subtle
      .importKey("raw", new TextEncoder().encode(material), "HKDF", false, ["deriveKey"])
      .then((base) =>
        crypto.subtle.deriveKey(
          {
            name: "HKDF",
            hash: "SHA-256",
            salt: new Uint8Array(0),
            info: new TextEncoder().encode("webhook-signing-secrets/v1"),
          },
          base,
          { name: "AES-GCM", length: 256 },
          false,
          ["encrypt", "decrypt"],
        ),
      );
    return this.key;
  }

  /** `v1.<iv>.<ciphertext>`, both base64; `context` names the row the secret belongs to. */
  async encrypt(plaintext: string, context: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(context) },
      await this.aesKey(),
      new TextEncoder().encode(plaintext),
    );
    return `${VERSION}.${toBase64(iv)}.${toBase64(new Uint8Array(sealed))}`;
  }

  async decrypt(stored: string, context: string): Promise<string> {
    const [version, iv, sealed] = stored.split(".");
    if (version !== VERSION || iv === undefined || sealed === undefined) {
      throw new Error("unrecognised webhook secret ciphertext");
    }
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64(iv), additionalData: new TextEncoder().encode(context) },
      await this.aesKey(),
      fromBase64(sealed),
    );
    return new TextDecoder().decode(plain);
  }
}
