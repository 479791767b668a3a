import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { FileListSchema, ListFilesQuerySchema } from "../../schemas/file";
import { listFiles } from "../../services/files";

const route = createRoute({
  method: "get",
  path: "/v1/files",
  operationId: "listFiles",
  tags: ["files"],
  summary: "List the project's files",
  description: "Newest first unless `order=asc`. Page with `after=<last_id>` while `has_more` is true.",
  security: [{ bearerAuth: [] }],
  request: { query: ListFilesQuerySchema },
  responses: {
    200: { description: "One page of files.", content: { "application/json": { schema: FileListSchema } } },
    ...errorResponses(400, 401),
  },
});

export function registerListFiles(app: App): void {
  app.openapi(route, async (c) => {
    return c.json(await listFiles(c.var.deps, c.var.projectId, c.req.valid("query")), 200);
  });
}
