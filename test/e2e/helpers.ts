import OpenAI from "openai";
import { inject } from "vitest";

/** The official SDK pointed at the local stack started by global-setup. */
export function localClient(options: { apiKey?: string; maxRetries?: number } = {}): OpenAI {
  return new OpenAI({
    apiKey: options.apiKey ?? inject("apiKey"),
    baseURL: `${inject("origin")}/v1`,
    maxRetries: options.maxRetries ?? 0,
  });
}

export function origin(): string {
  return inject("origin");
}
