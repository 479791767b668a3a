import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { FileDeletedSchema, FileIdParamSchema } from "../../schemas/file";
import { deleteFile } from "../../services/files";

const route = createRoute({
  method: "delete",
  path: "/v1/files/{file_id}",
  operationId: "deleteFile",
  tags: ["files"],
  summary: "Delete a file and its contents",
  security: [{ bearerAuth: [] }],
  request: { params: FileIdParamSchema },
  responses: {
    200: {
      description: "The file is gone.",
      content: { "application/json": { schema: FileDeletedSchema } },
    },
    ...errorResponses(401, 404),
  },
});

export function registerDeleteFile(app: App): void {
  app.openapi(route, async (c) => {
    const { file_id } = c.req.valid("param");
    return c.json(await deleteFile(c.var.deps, c.var.projectId, file_id), 200);
  });
}
