import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { ApiError } from "../../errors/api-error";
import { errorResponses } from "../../errors/openapi-responses";
import { ModelParamSchema, ModelSchema } from "../../schemas/model";
import { modelObjects } from "./model-objects";

const route = createRoute({
  method: "get",
  path: "/v1/models/{model}",
  operationId: "retrieveModel",
  tags: ["models"],
  summary: "Retrieve one model or alias",
  security: [{ bearerAuth: [] }],
  request: { params: ModelParamSchema },
  responses: {
    200: { description: "The model.", content: { "application/json": { schema: ModelSchema } } },
    ...errorResponses(401, 404),
  },
});

export function registerRetrieveModel(app: App): void {
  app.openapi(route, async (c) => {
    const { model } = c.req.valid("param");
    const found = modelObjects(await c.var.deps.inference.catalogue()).find((m) => m.id === model);
    if (!found) {
      throw new ApiError("not_found", `The model '${model}' does not exist`, {
        param: "model",
        code: "model_not_found",
      });
    }
    return c.json(found, 200);
  });
}
