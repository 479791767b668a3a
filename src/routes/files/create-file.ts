import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { CreateFileRequestDocument, FileObjectSchema, IdempotencyHeaderSchema } from "../../schemas/file";
import { createFile } from "../../services/file-upload";

const route = createRoute({
  method: "post",
  path: "/v1/files",
  operationId: "createFile",
  tags: ["files"],
  summary: "Upload a file",
  description:
    "A `multipart/form-data` upload, streamed to storage: parts in any order, chunked bodies welcome. Files of purpose `batch` must be `.jsonl`, start with a JSON line and be at most 200 MB; others at most 512 MB.",
  security: [{ bearerAuth: [] }],
  request: {
    headers: IdempotencyHeaderSchema,
    // a plain JSON Schema, not zod, so that no buffering form validator is installed
    body: { required: true, content: { "multipart/form-data": { schema: CreateFileRequestDocument } } },
  },
  responses: {
    200: { description: "The stored file.", content: { "application/json": { schema: FileObjectSchema } } },
    ...errorResponses(400, 401),
  },
});

export function registerCreateFile(app: App): void {
  app.openapi(route, async (c) => {
    const file = await createFile(c.var.deps, {
      projectId: c.var.projectId,
      contentType: c.req.header("content-type"),
      body: c.req.raw.body,
      idempotencyKey: c.req.valid("header")["idempotency-key"]?.trim() || undefined,
    });
    return c.json(file, 200);
  });
}
