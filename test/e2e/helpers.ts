import OpenAI from "openai";
import { inject, vi } from "vitest";

/** The official SDK pointed at the local stack started by global-setup (or at `origin`). */
export function localClient(options: { apiKey?: string; maxRetries?: number; origin?: string } = {}): OpenAI {
  return new OpenAI({
    apiKey: options.apiKey ?? inject("apiKey"),
    baseURL: `${options.origin ?? inject("origin")}/v1`,
    maxRetries: options.maxRetries ?? 0,
  });
}

/** The local stack's documented admin key (`npm start` seeds it): it opens only /v1/organization/*. */
export const LOCAL_ADMIN_KEY = "sk-admin-local-batch-api-key";

/** The official SDK with the local admin key, for `client.admin.organization.*`. */
export function adminClient(options: { origin?: string } = {}): OpenAI {
  return new OpenAI({
    adminAPIKey: LOCAL_ADMIN_KEY,
    apiKey: null,
    baseURL: `${options.origin ?? inject("origin")}/v1`,
    maxRetries: 0,
  });
}

export function origin(): string {
  return inject("origin");
}

/**
 * A new project of its own, made through the Admin API as an operator would, and the SDK holding
 * the key of a service account in it.
 */
export async function newProjectClient(name: string): Promise<OpenAI> {
  const admin = adminClient();
  const project = await admin.admin.organization.projects.create({ name });
  const account = await admin.admin.organization.projects.serviceAccounts.create(project.id, {
    name: `${name} e2e`,
  });
  return localClient({ apiKey: account.api_key?.value ?? "" });
}

const TERMINAL = new Set(["completed", "failed", "expired", "cancelled"]);

/** Polls the batch through the SDK until it reaches a terminal status (a condition wait). */
export async function waitForBatchEnd(client: OpenAI, id: string): Promise<OpenAI.Batches.Batch> {
  let batch: OpenAI.Batches.Batch | undefined;
  await vi.waitUntil(
    async () => {
      batch = await client.batches.retrieve(id);
      return TERMINAL.has(batch.status);
    },
    { timeout: 90_000, interval: 200 },
  );
  return batch as OpenAI.Batches.Batch;
}
