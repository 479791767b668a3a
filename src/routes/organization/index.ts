import type { App } from "../../app/context";
import { registerAdminApiKeyRoutes } from "./admin-api-keys";
import { registerProjectApiKeyRoutes } from "./project-api-keys";
import { registerProjectRoutes } from "./projects";
import { registerRateLimitRoutes } from "./rate-limits";
import { registerServiceAccountRoutes } from "./service-accounts";
import { registerUsageRoutes } from "./usage";

/**
 * The Admin API under `/v1/organization/*`, in OpenAI's shapes so that `client.admin.organization`
 * of the official SDKs works: admin keys, projects, project keys, service accounts, rate limits and
 * usage. It takes admin keys only (app/middleware/auth.ts).
 */
export function registerOrganizationRoutes(app: App): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "adminApiKeyAuth", {
    type: "http",
    scheme: "bearer",
    description: "An admin API key (`sk-admin-…`), not a project key.",
  });
  registerAdminApiKeyRoutes(app);
  registerProjectRoutes(app);
  registerProjectApiKeyRoutes(app);
  registerServiceAccountRoutes(app);
  registerRateLimitRoutes(app);
  registerUsageRoutes(app);
}
