import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import { BatchSchema, CreateBatchBodySchema } from "../../schemas/batch";
import { createBatch } from "../../services/batches";
import { RATE_LIMIT_OPENAPI_HEADERS, rateLimitHeaders } from "../../services/rate-limit-headers";

const route = createRoute({
  method: "post",
  path: "/v1/batches",
  operationId: "createBatch",
  tags: ["batches"],
  summary: "Create a batch from an uploaded JSONL file",
  description:
    "Validation of the file's lines happens asynchronously: the batch starts `validating` and moves to `in_progress` or `failed`. An `Idempotency-Key` header makes retries return the first batch. With a `model`, the answer carries `x-ratelimit-*-requests` headers for it (requests a minute on its Workers AI pool).",
  security: [{ bearerAuth: [] }],
  request: {
    body: { required: true, content: { "application/json": { schema: CreateBatchBodySchema } } },
  },
  responses: {
    200: {
      description: "The new batch.",
      headers: RATE_LIMIT_OPENAPI_HEADERS,
      content: { "application/json": { schema: BatchSchema } },
    },
    ...errorResponses(400, 401, 409),
  },
});

export function registerCreateBatch(app: App): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const key = c.req.header("idempotency-key")?.trim() || undefined;
    const batch = await createBatch(c.var.deps, c.var.projectId, body, key, c.var.apiKeyId);
    const headers = await rateLimitHeaders(c.var.deps, c.var.projectId, body.model);
    return c.json(batch, 200, headers);
  });
}
