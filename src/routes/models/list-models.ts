import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { ModelListSchema } from "../../schemas/model";
import { modelObjects } from "./model-objects";

const route = createRoute({
  method: "get",
  path: "/v1/models",
  operationId: "listModels",
  tags: ["models"],
  summary: "List the models this deployment serves, aliases included",
  security: [{ bearerAuth: [] }],
  responses: {
    200: { description: "The models.", content: { "application/json": { schema: ModelListSchema } } },
    ...errorResponses(401),
  },
});

export function registerListModels(app: App): void {
  app.openapi(route, async (c) => {
    const catalogue = await c.var.deps.inference.catalogue();
    return c.json({ object: "list" as const, data: modelObjects(catalogue) }, 200);
  });
}
