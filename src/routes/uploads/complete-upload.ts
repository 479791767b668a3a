import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { CompleteUploadBodySchema, UploadIdParamSchema, UploadSchema } from "../../schemas/upload";
import { completeUpload } from "../../services/uploads-complete";

const route = createRoute({
  method: "post",
  path: "/v1/uploads/{upload_id}/complete",
  operationId: "completeUpload",
  tags: ["uploads"],
  summary: "Complete an upload into a file",
  description:
    "The named parts, in order, become the file (nested as `file`). Their sizes must add up to the upload's `bytes`; a given `md5` is checked; `batch` files must start with a JSON line. Parts not named are deleted. Repeating a completion with the same parts returns the completed upload.",
  security: [{ bearerAuth: [] }],
  request: {
    params: UploadIdParamSchema,
    body: { required: true, content: { "application/json": { schema: CompleteUploadBodySchema } } },
  },
  responses: {
    200: { description: "The completed upload.", content: { "application/json": { schema: UploadSchema } } },
    ...errorResponses(400, 401, 404),
  },
});

export function registerCompleteUpload(app: App): void {
  app.openapi(route, async (c) => {
    const { upload_id } = c.req.valid("param");
    return c.json(await completeUpload(c.var.deps, c.var.projectId, upload_id, c.req.valid("json")), 200);
  });
}
