import type { App } from "../../app/context";
import { registerCreateWebhookEndpoint } from "./create-webhook-endpoint";
import { registerDeleteWebhookEndpoint } from "./delete-webhook-endpoint";
import { registerListBatchWebhookDeliveries } from "./list-batch-webhook-deliveries";
import { registerListWebhookEndpoints } from "./list-webhook-endpoints";
import { registerRetrieveWebhookEndpoint } from "./retrieve-webhook-endpoint";
import { registerRetrieveWebhookSecret } from "./retrieve-webhook-secret";
import { registerRotateWebhookEndpointSecret } from "./rotate-webhook-endpoint-secret";
import { registerRotateWebhookSecret } from "./rotate-webhook-secret";

/** The webhook extension: project endpoints, the project signing secret and a batch's deliveries. */
export function registerWebhookRoutes(app: App): void {
  registerCreateWebhookEndpoint(app);
  registerListWebhookEndpoints(app);
  registerRetrieveWebhookEndpoint(app);
  registerDeleteWebhookEndpoint(app);
  registerRotateWebhookEndpointSecret(app);
  registerRetrieveWebhookSecret(app);
  registerRotateWebhookSecret(app);
  registerListBatchWebhookDeliveries(app);
}
