import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { seedTestAdminKey } from "../helpers/admin";
import { seedTestProjects } from "../helpers/projects";

// Setup files run outside per-file storage isolation's reset, and both steps are idempotent.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS ?? []);
await seedTestProjects(env.DB);
await seedTestAdminKey(env.DB);
