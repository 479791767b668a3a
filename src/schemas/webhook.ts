import { z } from "@hono/zod-openapi";
import { WEBHOOK_EVENT_TYPES } from "../webhooks/events";
import { MAX_WEBHOOK_URL_LENGTH } from "../webhooks/url";
import { AfterQuerySchema, limitQuerySchema, listPageSchema } from "./common";

/** Wire shapes of the webhook extension: endpoints, the project signing secret and deliveries. */

export const WebhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES).openapi("WebhookEventType");

const SecretSchema = z.string().openapi({
  description:
    "The signing secret (`whsec_…`). Shown only in this response: store it, then pass it to `client.webhooks.unwrap(body, headers, secret)`.",
  example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
});

export const WebhookEndpointSchema = z
  .object({
    id: z.string().openapi({ example: "we_01J0000000000000000000000" }),
    object: z.literal("webhook_endpoint"),
    url: z.string().openapi({ example: "https://example.com/webhooks/batches" }),
    event_types: z.array(WebhookEventTypeSchema),
    created_at: z.number().int(),
  })
  .openapi("WebhookEndpoint");
export type WebhookEndpoint = z.infer<typeof WebhookEndpointSchema>;

export const WebhookEndpointWithSecretSchema = WebhookEndpointSchema.extend({ secret: SecretSchema }).openapi(
  "WebhookEndpointWithSecret",
);
export type WebhookEndpointWithSecret = z.infer<typeof WebhookEndpointWithSecretSchema>;

export const WebhookEndpointListSchema = listPageSchema(WebhookEndpointSchema, "WebhookEndpointList");
export type WebhookEndpointList = z.infer<typeof WebhookEndpointListSchema>;

export const WebhookEndpointDeletedSchema = z
  .object({ id: z.string(), object: z.literal("webhook_endpoint"), deleted: z.literal(true) })
  .openapi("WebhookEndpointDeleted");
export type WebhookEndpointDeleted = z.infer<typeof WebhookEndpointDeletedSchema>;

export const CreateWebhookEndpointBodySchema = z
  .object({
    url: z.string().openapi({
      description: `Where events are POSTed: an https URL of at most ${MAX_WEBHOOK_URL_LENGTH} characters, without credentials.`,
    }),
    event_types: z.array(WebhookEventTypeSchema).min(1).max(WEBHOOK_EVENT_TYPES.length).optional().openapi({
      description: "The events this endpoint receives; all four when absent.",
    }),
  })
  .openapi("CreateWebhookEndpointRequest");
export type CreateWebhookEndpointBody = z.infer<typeof CreateWebhookEndpointBodySchema>;

export const WebhookEndpointIdParamSchema = z.object({
  webhook_endpoint_id: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: "webhook_endpoint_id", in: "path" }, example: "we_01J0000000000000000000000" }),
});

export const ListWebhookEndpointsQuerySchema = z.object({
  limit: limitQuerySchema({ max: 100, fallback: 20 }),
  after: AfterQuerySchema,
});
export type ListWebhookEndpointsQuery = z.infer<typeof ListWebhookEndpointsQuerySchema>;

export const WebhookSecretSchema = z
  .object({
    object: z.literal("webhook_secret"),
    created_at: z.number().int().openapi({ description: "When the current secret was created (rotated)." }),
  })
  .openapi("WebhookSecret");
export type WebhookSecret = z.infer<typeof WebhookSecretSchema>;

export const WebhookSecretWithSecretSchema = WebhookSecretSchema.extend({ secret: SecretSchema }).openapi(
  "WebhookSecretWithSecret",
);
export type WebhookSecretWithSecret = z.infer<typeof WebhookSecretWithSecretSchema>;

export const WebhookDeliveryStatusSchema = z
  .enum(["pending", "delivered", "failed"])
  .openapi("WebhookDeliveryStatus", {
    description: "`pending` while attempts continue, `delivered` after a 2xx, `failed` once retries stop.",
  });

const seconds = z.number().int().nullable();

export const WebhookDeliverySchema = z
  .object({
    id: z.string().openapi({ example: "whd_01J0000000000000000000000" }),
    object: z.literal("webhook_delivery"),
    event_id: z.string().openapi({ description: "The event's id, also sent as the `webhook-id` header." }),
    event_type: WebhookEventTypeSchema,
    webhook_endpoint_id: z
      .string()
      .nullable()
      .openapi({ description: "The project endpoint, or null for the batch's own `webhook_url`." }),
    url: z.string(),
    status: WebhookDeliveryStatusSchema,
    attempts: z.number().int(),
    last_status_code: z.number().int().nullable().openapi({
      description: "HTTP status of the last attempt; null before one, or after a timeout or network error.",
    }),
    last_error: z.string().nullable().openapi({ description: "Why the last attempt failed, or null." }),
    created_at: z.number().int(),
    last_attempt_at: seconds,
    next_attempt_at: seconds.openapi({ description: "When the next attempt is due; null unless pending." }),
    delivered_at: seconds,
  })
  .openapi("WebhookDelivery");
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;

export const WebhookDeliveryListSchema = listPageSchema(WebhookDeliverySchema, "WebhookDeliveryList");
export type WebhookDeliveryList = z.infer<typeof WebhookDeliveryListSchema>;
