import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../app/context";

const route = createRoute({
  method: "get",
  path: "/health",
  operationId: "health",
  tags: ["meta"],
  summary: "Liveness check (no auth)",
  responses: {
    200: {
      description: "The Worker is up.",
      content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } },
    },
  },
});

export function registerHealthRoute(app: App): void {
  app.openapi(route, (c) => c.json({ status: "ok" as const }, 200));
}
