import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { FileIdParamSchema } from "../../schemas/file";
import { openFileContent } from "../../services/files";

const BytesSchema = z.string().openapi({ format: "binary" });

const route = createRoute({
  method: "get",
  path: "/v1/files/{file_id}/content",
  operationId: "downloadFile",
  tags: ["files"],
  summary: "Download a file's bytes",
  description:
    "Streams the file. Honours a single-range `Range: bytes=…` header (206 with `Content-Range`); any `Accept` header is fine.",
  security: [{ bearerAuth: [] }],
  request: { params: FileIdParamSchema },
  responses: {
    200: { description: "The whole file.", content: { "application/octet-stream": { schema: BytesSchema } } },
    206: {
      description: "The requested byte range.",
      content: { "application/octet-stream": { schema: BytesSchema } },
    },
    ...errorResponses(401, 404, 416),
  },
});

export function registerRetrieveFileContent(app: App): void {
  app.openapi(route, async (c) => {
    const { file_id } = c.req.valid("param");
    const download = await openFileContent(c.var.deps, c.var.projectId, file_id, c.req.header("range"));
    return c.body(download.body, download.status, download.headers);
  });
}
