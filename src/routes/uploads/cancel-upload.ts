import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { UploadIdParamSchema, UploadSchema } from "../../schemas/upload";
import { cancelUpload } from "../../services/uploads";

const route = createRoute({
  method: "post",
  path: "/v1/uploads/{upload_id}/cancel",
  operationId: "cancelUpload",
  tags: ["uploads"],
  summary: "Cancel an upload",
  description:
    "No part may be added afterwards, and the parts' bytes are deleted. Cancelling twice is harmless.",
  security: [{ bearerAuth: [] }],
  request: { params: UploadIdParamSchema },
  responses: {
    200: { description: "The cancelled upload.", content: { "application/json": { schema: UploadSchema } } },
    ...errorResponses(400, 401, 404),
  },
});

export function registerCancelUpload(app: App): void {
  app.openapi(route, async (c) => {
    const { upload_id } = c.req.valid("param");
    return c.json(await cancelUpload(c.var.deps, c.var.projectId, upload_id), 200);
  });
}
