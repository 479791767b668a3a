import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from "../../webhooks/events";

/**
 * The `batch.*` events this API POSTs to `webhook_url` and to project webhook endpoints (OpenAPI 3.1
 * `webhooks`): OpenAI's event shape, signed per Standard Webhooks, so `client.webhooks.unwrap()` of
 * the official SDKs verifies them.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const WHEN: Record<WebhookEventType, string> = {
  "batch.completed": "A batch finished: its output and error files are ready.",
  "batch.failed": "A batch failed validation: its `errors` say which lines.",
  "batch.expired": "A batch reached its window: finished lines are in the output, the rest expired.",
  "batch.cancelled": "A batch was cancelled: finished lines are in the output, the rest cancelled.",
};

const SIGNATURE_HEADERS: Json[] = (
  [
    ["webhook-id", "The event id; the same on every retry of one event.", "evt_01J0000000000000000000000"],
    ["webhook-timestamp", "Unix seconds when this attempt was signed.", "1735689600"],
    [
      "webhook-signature",
      "`v1,<base64 HMAC-SHA256 of id.timestamp.body>` with the endpoint's `whsec_` secret.",
      "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
    ],
  ] as const
).map(([name, description, example]) => ({
  name,
  in: "header",
  required: true,
  description,
  schema: { type: "string", example },
}));

function eventSchema(type: WebhookEventType): Json {
  return {
    type: "object",
    required: ["id", "object", "type", "created_at", "data"],
    properties: {
      id: { type: "string", example: "evt_01J0000000000000000000000" },
      object: { type: "string", const: "event" },
      type: { type: "string", const: type },
      created_at: { type: "integer", description: "Unix seconds when the batch reached this status." },
      data: {
        type: "object",
        required: ["id"],
        properties: { id: { type: "string", description: "The batch id.", example: "batch_abc123" } },
      },
    },
  };
}

const schemaName = (type: WebhookEventType) =>
  `Batch${type.slice("batch.".length).replace(/^./, (c) => c.toUpperCase())}WebhookEvent`;

export const WEBHOOK_EVENTS: { schemas: Record<string, Json>; webhooks: Record<string, Json> } = {
  schemas: Object.fromEntries(WEBHOOK_EVENT_TYPES.map((type) => [schemaName(type), eventSchema(type)])),
  webhooks: Object.fromEntries(
    WEBHOOK_EVENT_TYPES.map((type) => [
      type,
      {
        post: {
          operationId: `webhook_${type.replace(".", "_")}`,
          tags: ["webhooks"],
          summary: `Event ${type}`,
          description: `${WHEN[type]} Retried with backoff for up to 72 h until a 2xx answer.`,
          security: [],
          parameters: SIGNATURE_HEADERS,
          requestBody: {
            required: true,
            content: { "application/json": { schema: { $ref: `#/components/schemas/${schemaName(type)}` } } },
          },
          responses: {
            "200": { description: "Any 2xx status acknowledges the event." },
            "400": { description: "Any other status, or no answer in time, is retried." },
          },
        },
      },
    ]),
  ),
};
