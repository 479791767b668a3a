import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { IdempotencyHeaderSchema } from "../../schemas/file";
import { CreateUploadBodySchema, UploadSchema } from "../../schemas/upload";
import { createUpload } from "../../services/uploads";

const route = createRoute({
  method: "post",
  path: "/v1/uploads",
  operationId: "createUpload",
  tags: ["uploads"],
  summary: "Start an upload of a large file in parts",
  description:
    "An upload accepts parts for one hour, then is completed into a file. The purpose's file limit applies up front (200 MB for `batch`, which also needs a `.jsonl` name and a JSON Lines `mime_type`). An `Idempotency-Key` header makes retries return the first upload.",
  security: [{ bearerAuth: [] }],
  request: {
    headers: IdempotencyHeaderSchema,
    body: { required: true, content: { "application/json": { schema: CreateUploadBodySchema } } },
  },
  responses: {
    200: { description: "The pending upload.", content: { "application/json": { schema: UploadSchema } } },
    ...errorResponses(400, 401, 409),
  },
});

export function registerCreateUpload(app: App): void {
  app.openapi(route, async (c) => {
    const key = c.req.valid("header")["idempotency-key"]?.trim() || undefined;
    return c.json(await createUpload(c.var.deps, c.var.projectId, c.req.valid("json"), key), 200);
  });
}
