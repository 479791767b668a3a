import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { FileIdParamSchema, FileObjectSchema } from "../../schemas/file";
import { retrieveFile } from "../../services/files";

const route = createRoute({
  method: "get",
  path: "/v1/files/{file_id}",
  operationId: "retrieveFile",
  tags: ["files"],
  summary: "Retrieve a file's metadata",
  security: [{ bearerAuth: [] }],
  request: { params: FileIdParamSchema },
  responses: {
    200: { description: "The file.", content: { "application/json": { schema: FileObjectSchema } } },
    ...errorResponses(401, 404),
  },
});

export function registerRetrieveFile(app: App): void {
  app.openapi(route, async (c) => {
    const { file_id } = c.req.valid("param");
    return c.json(await retrieveFile(c.var.deps, c.var.projectId, file_id), 200);
  });
}
