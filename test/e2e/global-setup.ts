import type { TestProject } from "vitest/node";
import {
  type LocalStack,
  type SeedProject,
  seedProjects,
  startStack,
} from "../../scripts/lib/local-stack.mjs";

export const LOCAL_API_KEY = "sk-local-batch-api-key";

/**
 * Projects besides the local one, each with one known key, for tests that need several projects.
 * They are seeded before the stack starts: no test may write a running stack's state (its D1 file)
 * from another process. A test that needs a project of its own creates it with the Admin API
 * (`adminClient()` in ./helpers, test/e2e/admin.e2e.test.ts).
 */
export const EXTRA_PROJECTS = ["e2e-a", "e2e-b"] as const;
export type ExtraProject = (typeof EXTRA_PROJECTS)[number];

let stack: LocalStack | undefined;

/** Starts the local stack (`npm start`'s script) on a free port with a fresh, seeded state folder. */
export async function setup(project: TestProject): Promise<void> {
  const projects = EXTRA_PROJECTS.map(
    (name): SeedProject => ({
      id: `proj_${name.replaceAll("-", "_")}`,
      name,
      keyId: `key_${name.replaceAll("-", "_")}`,
      key: `sk-${name}-key`,
    }),
  );
  stack = await startStack({
    devArgs: ["--var", "SIMULATOR_LATENCY_MS:5"],
    seed: (stateDir) => seedProjects(stateDir, projects),
  });
  project.provide("origin", stack.origin);
  project.provide("apiKey", LOCAL_API_KEY);
  project.provide(
    "projects",
    Object.fromEntries(projects.map(({ id, name, key }) => [name, { id, key }])) as ProvidedProjects,
  );
}

export async function teardown(): Promise<void> {
  await stack?.stop();
}

type ProvidedProjects = Record<ExtraProject, { id: string; key: string }>;

declare module "vitest" {
  export interface ProvidedContext {
    origin: string;
    apiKey: string;
    /** The seeded extra projects by name: their id and API key. */
    projects: ProvidedProjects;
  }
}
