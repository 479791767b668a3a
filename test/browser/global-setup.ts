import type { TestProject } from "vitest/node";
import { type LocalStack, startStack } from "../../scripts/lib/local-stack.mjs";

/** Simulated model latency per request: slow enough that a batch's progress is seen to move. */
export const SIMULATOR_LATENCY_MS = 1500;

let stack: LocalStack | undefined;

/** The local stack (`npm start`'s script, serving dist/assets) on a free port with a fresh state folder. */
export async function setup(project: TestProject): Promise<void> {
  stack = await startStack({ devArgs: ["--var", `SIMULATOR_LATENCY_MS:${SIMULATOR_LATENCY_MS}`] });
  project.provide("origin", stack.origin);
}

export async function teardown(): Promise<void> {
  await stack?.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    origin: string;
  }
}
