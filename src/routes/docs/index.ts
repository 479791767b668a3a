import type { App } from "../../app/context";
import { buildOpenApiDocument } from "./openapi-document";

/**
 * `/openapi.json`, generated from the zod schemas, with this deployment's origin as its server.
 * The dashboard (`/`) and the API reference (`/docs`) are static assets (dashboard/, npm run build).
 */
export function registerDocsRoutes(app: App): void {
  app.get("/openapi.json", (c) => c.json(buildOpenApiDocument(app, new URL(c.req.url).origin)));
}
