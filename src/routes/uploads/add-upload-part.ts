import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { AddPartRequestDocument, UploadIdParamSchema, UploadPartSchema } from "../../schemas/upload";
import { addUploadPart } from "../../services/uploads-parts";

const route = createRoute({
  method: "post",
  path: "/v1/uploads/{upload_id}/parts",
  operationId: "addUploadPart",
  tags: ["uploads"],
  summary: "Add a part to an upload",
  description:
    "A `multipart/form-data` body whose `data` field holds at most 64 MB, streamed to storage. Parts may be sent in parallel and in any order; their order is given on completion.",
  security: [{ bearerAuth: [] }],
  request: {
    params: UploadIdParamSchema,
    // a plain JSON Schema, not zod, so that no buffering form validator is installed
    body: { required: true, content: { "multipart/form-data": { schema: AddPartRequestDocument } } },
  },
  responses: {
    200: { description: "The stored part.", content: { "application/json": { schema: UploadPartSchema } } },
    ...errorResponses(400, 401, 404),
  },
});

export function registerAddUploadPart(app: App): void {
  app.openapi(route, async (c) => {
    const part = await addUploadPart(c.var.deps, {
      projectId: c.var.projectId,
      uploadId: c.req.valid("param").upload_id,
      contentType: c.req.header("content-type"),
      body: c.req.raw.body,
    });
    return c.json(part, 200);
  });
}
