import OpenAI from "openai";
import { inject } from "vitest";
import type { ExtraProject } from "./global-setup";

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
 * A project that global-setup seeded before the stack started (id and API key). Each test file
 * that uses one should use its own: they are shared by the whole run.
 */
export function seededProject(name: ExtraProject): { id: string; key: string } {
  return inject("projects")[name];
}
