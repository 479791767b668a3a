import { env } from "cloudflare:workers";
import { newId } from "../../src/domain/ids";
import {
  type WebhookEndpointWithSecret,
  WebhookEndpointWithSecretSchema,
  type WebhookSecretWithSecret,
  WebhookSecretWithSecretSchema,
} from "../../src/schemas/webhook";
import { call } from "./api";
import { PROJECT_A } from "./projects";

export const HOOK_URL = "https://hooks.example.com/batches";

/** Creates a webhook endpoint through the API. */
export async function createEndpoint(
  body: Record<string, unknown> = {},
  key: string = PROJECT_A.key,
): Promise<WebhookEndpointWithSecret> {
  const res = await call("POST", "/v1/webhook_endpoints", { key, json: { url: HOOK_URL, ...body } });
  if (res.status !== 200) {
    throw new Error(`create endpoint failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return WebhookEndpointWithSecretSchema.parse(res.body);
}

export async function rotateProjectSecret(key: string = PROJECT_A.key): Promise<WebhookSecretWithSecret> {
  const res = await call("POST", "/v1/webhook_secret/rotate", { key });
  if (res.status !== 200) {
    throw new Error(`rotate failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return WebhookSecretWithSecretSchema.parse(res.body);
}

async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A new project with one API key, for tests that need a project nothing else touches. */
export async function newProjectKey(): Promise<{ id: string; key: string }> {
  const id = newId("project");
  const key = `sk-test-${crypto.randomUUID()}`;
  await env.DB.batch([
    env.DB.prepare("INSERT INTO projects (id, name, created_at) VALUES (?1, ?1, 0)").bind(id),
    env.DB.prepare(
      "INSERT INTO api_keys (id, project_id, key_hash, key_hint, created_at) VALUES (?1, ?2, ?3, ?4, 0)",
    ).bind(newId("apiKey"), id, await sha256Hex(key), key.slice(0, 8)),
  ]);
  return { id, key };
}
