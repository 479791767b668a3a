import type { App } from "../../app/context";
import { renderDocsPage } from "./render-docs";

const DOCUMENT_CONFIG = {
  openapi: "3.1.0",
  info: {
    title: "Workers Batch API",
    version: "1.0.0",
    description:
      "An OpenAI-compatible Files and Batches API on Cloudflare Workers. Point the official `openai` SDK at `<origin>/v1`.",
  },
};

/** `/openapi.json` (generated from the zod schemas) and `/docs`, a self-contained HTML reference. */
export function registerDocsRoutes(app: App): void {
  app.doc31("/openapi.json", DOCUMENT_CONFIG);
  app.get("/docs", (c) => {
    const document = app.getOpenAPI31Document(DOCUMENT_CONFIG);
    return c.html(renderDocsPage(document));
  });
}
