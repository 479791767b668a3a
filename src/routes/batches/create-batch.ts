import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { BatchSchema, CreateBatchBodySchema } from "../../schemas/batch";
import { createBatch } from "../../services/batches";

const route = createRoute({
  method: "post",
  path: "/v1/batches",
  operationId: "createBatch",
  tags: ["batches"],
  summary: "Create a batch from an uploaded JSONL file",
  description:
    "Validation of the file's lines happens asynchronously: the batch starts `validating` and moves to `in_progress` or `failed`. An `Idempotency-Key` header makes retries return the first batch.",
  security: [{ bearerAuth: [] }],
  request: {
    body: { required: true, content: { "application/json": { schema: CreateBatchBodySchema } } },
  },
  responses: {
    200: { description: "The new batch.", content: { "application/json": { schema: BatchSchema } } },
    ...errorResponses(400, 401, 409),
  },
});

export function registerCreateBatch(app: App): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const key = c.req.header("idempotency-key")?.trim() || undefined;
    return c.json(await createBatch(c.var.deps, c.var.projectId, body, key, c.var.apiKeyId), 200);
  });
}
