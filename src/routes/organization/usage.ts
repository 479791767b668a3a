import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../app/context";
import { errorResponses } from "../../errors/openapi-responses";
import {
  CompletionsUsagePageSchema,
  EmbeddingsUsagePageSchema,
  UsageQueryDocumentSchema,
} from "../../schemas/organization-usage";
import { completionsUsage, embeddingsUsage } from "../../services/usage-query";
import { ADMIN_SECURITY, json } from "./openapi";

const base = { tags: ["organization"], security: ADMIN_SECURITY };
const WHAT =
  "Counts the model requests of batch lines (each line once, from its batch's ledger) and of synchronous batch calls, in per-minute rollups.";

const completions = createRoute({
  ...base,
  method: "get",
  path: "/v1/organization/usage/completions",
  operationId: "usage-completions",
  summary: "Completions usage (chat and text) in time buckets",
  description: `${WHAT} \`group_by\`: project_id, model, batch, api_key_id.`,
  request: {
    query: UsageQueryDocumentSchema.extend({
      batch: z.string().optional().openapi({ description: "`true`: batch usage only; `false`: the rest." }),
    }),
  },
  responses: {
    200: json("One page of buckets.", CompletionsUsagePageSchema),
    ...errorResponses(400, 401, 403),
  },
});

const embeddings = createRoute({
  ...base,
  method: "get",
  path: "/v1/organization/usage/embeddings",
  operationId: "usage-embeddings",
  summary: "Embeddings usage in time buckets",
  description: `${WHAT} \`group_by\`: project_id, model, api_key_id.`,
  request: { query: UsageQueryDocumentSchema },
  responses: {
    200: json("One page of buckets.", EmbeddingsUsagePageSchema),
    ...errorResponses(400, 401, 403),
  },
});

export function registerUsageRoutes(app: App): void {
  // arrays arrive as `group_by[]=…` (node SDK), repeated keys or commas: the service reads them all
  app.openapi(completions, async (c) => c.json(await completionsUsage(c.var.deps, c.req.queries()), 200));
  app.openapi(embeddings, async (c) => c.json(await embeddingsUsage(c.var.deps, c.req.queries()), 200));
}
