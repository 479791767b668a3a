import { createRoute } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { App, AppEnv } from "../../app/context";
import { bufferJsonBody } from "../../app/middleware/json-body";
import { errorResponses } from "../../errors/openapi-responses";
import { apiErrorFromZod } from "../../errors/zod-error";
import type { BatchEndpoint } from "../../inference/types";
import { SyncBatchRequestSchema, SyncBatchResponseSchema } from "../../schemas/sync-batch";
import { RATE_LIMIT_OPENAPI_HEADERS, rateLimitHeaders } from "../../services/rate-limit-headers";
import {
  bodyTooLarge,
  parseSyncBatchRequest,
  runSyncBatch,
  SYNC_BATCH_LIMITS,
} from "../../services/sync-batch";

type SyncEndpoint = { endpoint: BatchEndpoint; operationId: string; what: string };

export const SYNC_BATCH_ENDPOINTS: readonly SyncEndpoint[] = [
  { endpoint: "/v1/responses", operationId: "createSyncResponsesBatch", what: "responses" },
  {
    endpoint: "/v1/chat/completions",
    operationId: "createSyncChatCompletionsBatch",
    what: "chat completions",
  },
  { endpoint: "/v1/completions", operationId: "createSyncCompletionsBatch", what: "completions" },
  { endpoint: "/v1/embeddings", operationId: "createSyncEmbeddingsBatch", what: "embeddings" },
];

/** The body in memory within the endpoint's own limit, JSON whatever its Content-Type (app/middleware/json-body). */
function readBodyWithin(maxBytes: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.req.raw = await bufferJsonBody(c.req.raw, maxBytes, () => bodyTooLarge(maxBytes));
    await next();
  };
}

function syncBatchRoute({ endpoint, operationId, what }: SyncEndpoint) {
  return createRoute({
    method: "post",
    path: endpoint.replace(/^\/v1\//, "/v1/batch/"),
    operationId,
    tags: ["sync_batch"],
    summary: `Run up to ${SYNC_BATCH_LIMITS.maxItems} ${what} requests in one call`,
    description: [
      `Each item of \`data\` is \`[id, body]\`, where \`body\` is what \`POST ${endpoint}\` takes. The answer holds \`[id, response]\` for every item, sorted by id; a request that failed has \`[id, {"error": {…}}]\` in its place and the call still answers 200.`,
      `At most \`SYNC_BATCH_MAX_ITEMS\` items (default ${SYNC_BATCH_LIMITS.maxItems}) and ${SYNC_BATCH_LIMITS.maxBodyBytes} bytes of body; larger jobs belong in \`/v1/batches\`.`,
      `Requests run ${SYNC_BATCH_LIMITS.concurrency} at a time with the batch rate limits and retries; one not finished ${SYNC_BATCH_LIMITS.timeoutMs / 1000} s after the call arrived gets a \`request_timeout\` error.`,
    ].join("\n\n"),
    security: [{ bearerAuth: [] }],
    middleware: [readBodyWithin(SYNC_BATCH_LIMITS.maxBodyBytes)] as const,
    request: {
      body: { required: true, content: { "application/json": { schema: SyncBatchRequestSchema } } },
    },
    responses: {
      200: {
        description: "Every item's response or error, sorted by id.",
        headers: RATE_LIMIT_OPENAPI_HEADERS,
        content: { "application/json": { schema: SyncBatchResponseSchema } },
      },
      ...errorResponses(400, 401),
    },
  });
}

export function registerCreateSyncBatch(app: App, target: SyncEndpoint): void {
  app.openapi(
    syncBatchRoute(target),
    async (c) => {
      const startedAt = Date.now();
      const job = parseSyncBatchRequest(c.req.valid("json"), c.var.deps.config.syncBatchMaxItems);
      const account = { projectId: c.var.projectId, apiKeyId: c.var.apiKeyId };
      // as the call arrived, for the first row's model (rows usually share one)
      const firstModel = job.items[0]?.body.model;
      const headers = await rateLimitHeaders(
        c.var.deps,
        c.var.projectId,
        typeof firstModel === "string" ? firstModel : null,
        job.baseModel,
      );
      const data = await runSyncBatch(c.var.deps, target.endpoint, job, { startedAt, account });
      return c.json({ data }, 200, headers);
    },
    (result, c) => {
      if (!result.success) {
        // zod-validator passes the raw input as `data`: the service words row errors with `data[3]`
        // params, and zod's own wording is only the fallback
        const input = "data" in result ? result.data : undefined;
        parseSyncBatchRequest(input, c.var.deps.config.syncBatchMaxItems);
        throw apiErrorFromZod(result.error, input);
      }
    },
  );
}
