import type { TestProject } from "vitest/node";
import { type LocalStack, startStack } from "../../scripts/lib/local-stack.mjs";

export const LOCAL_API_KEY = "sk-local-batch-api-key";

let stack: LocalStack | undefined;

/**
 * Starts the local stack (`npm start`'s script) on a free port with a fresh state folder. A test
 * that needs a project of its own creates it through the Admin API (`newProjectClient()` in
 * ./helpers): no test writes a running stack's state from another process.
 */
export async function setup(project: TestProject): Promise<void> {
  stack = await startStack({ devArgs: ["--var", "SIMULATOR_LATENCY_MS:5"] });
  project.provide("origin", stack.origin);
  project.provide("apiKey", LOCAL_API_KEY);
}

export async function teardown(): Promise<void> {
  await stack?.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    origin: string;
    apiKey: string;
  }
}
