import type { Deps } from "../app/deps";
import { isId, newId, type ProjectId } from "../domain/ids";
import { nowSeconds } from "../domain/time";
import { ApiError } from "../errors/api-error";
import { toListPage } from "../schemas/common";
import type {
  CreateWebhookEndpointBody,
  ListWebhookEndpointsQuery,
  WebhookDeliveryList,
  WebhookEndpoint,
  WebhookEndpointDeleted,
  WebhookEndpointList,
  WebhookEndpointWithSecret,
  WebhookSecret,
  WebhookSecretWithSecret,
} from "../schemas/webhook";
import type { WebhookEndpointRecord } from "../storage/d1/webhooks-store";
import { WEBHOOK_EVENT_TYPES } from "../webhooks/events";
import { WebhooksNotConfiguredError } from "../webhooks/secret-cipher";
import { newWebhookSecret } from "../webhooks/signature";
import { parseWebhookUrl } from "../webhooks/url";

/** Use-cases of the webhook extension: project endpoints, the project signing secret, deliveries. */
export const MAX_ENDPOINTS_PER_PROJECT = 16;

function toEndpoint(record: WebhookEndpointRecord): WebhookEndpoint {
  return {
    id: record.id,
    object: "webhook_endpoint",
    url: record.url,
    event_types: record.eventTypes,
    created_at: record.createdAt,
  };
}

function endpointNotFound(id: string): ApiError {
  return new ApiError("not_found", `No webhook endpoint found with id '${id}'.`, {
    param: "webhook_endpoint_id",
  });
}

/** Runs a step that encrypts secrets; a deployment without WEBHOOK_SECRET_KEY gets a clear 503. */
async function withSecrets<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof WebhooksNotConfiguredError) {
      throw new ApiError(
        "unavailable",
        "Webhooks are not configured on this deployment: its operator must set the WEBHOOK_SECRET_KEY secret.",
        { code: "webhooks_not_configured", shouldRetry: false, cause: err },
      );
    }
    throw err;
  }
}

export async function createWebhookEndpoint(
  deps: Deps,
  projectId: ProjectId,
  body: CreateWebhookEndpointBody,
): Promise<WebhookEndpointWithSecret> {
  const url = parseWebhookUrl(body.url, deps.config.environment, "url");
  const wanted = new Set(body.event_types ?? WEBHOOK_EVENT_TYPES);
  const record: WebhookEndpointRecord = {
    id: newId("webhookEndpoint"),
    projectId,
    url,
    eventTypes: WEBHOOK_EVENT_TYPES.filter((type) => wanted.has(type)),
    createdAt: nowSeconds(),
  };
  const secret = newWebhookSecret();
  const created = await withSecrets(() =>
    deps.webhooks.createEndpoint({ ...record, secret }, MAX_ENDPOINTS_PER_PROJECT),
  );
  if (!created) {
    throw new ApiError(
      "invalid_request",
      `A project can have at most ${MAX_ENDPOINTS_PER_PROJECT} webhook endpoints; delete one first.`,
      { code: "limit_exceeded", shouldRetry: false },
    );
  }
  return { ...toEndpoint(record), secret };
}

export async function listWebhookEndpoints(
  deps: Deps,
  projectId: ProjectId,
  query: ListWebhookEndpointsQuery,
): Promise<WebhookEndpointList> {
  const records = await deps.webhooks.listEndpoints(projectId, query);
  return toListPage(records.map(toEndpoint), query.limit);
}

export async function retrieveWebhookEndpoint(
  deps: Deps,
  projectId: ProjectId,
  id: string,
): Promise<WebhookEndpoint> {
  const record = isId("webhookEndpoint", id) ? await deps.webhooks.getEndpoint(projectId, id) : null;
  if (!record) {
    throw endpointNotFound(id);
  }
  return toEndpoint(record);
}

/** Deliveries still pending to a deleted endpoint stop at their next attempt. */
export async function deleteWebhookEndpoint(
  deps: Deps,
  projectId: ProjectId,
  id: string,
): Promise<WebhookEndpointDeleted> {
  if (!isId("webhookEndpoint", id) || !(await deps.webhooks.deleteEndpoint(projectId, id))) {
    throw endpointNotFound(id);
  }
  return { id, object: "webhook_endpoint", deleted: true };
}

/** The old secret stops at once: every later attempt, retries included, is signed with the new one. */
export async function rotateWebhookEndpointSecret(
  deps: Deps,
  projectId: ProjectId,
  id: string,
): Promise<WebhookEndpointWithSecret> {
  const endpoint = await retrieveWebhookEndpoint(deps, projectId, id);
  const secret = newWebhookSecret();
  if (!(await withSecrets(() => deps.webhooks.setEndpointSecret(projectId, id, secret)))) {
    throw endpointNotFound(id);
  }
  return { ...endpoint, secret };
}

export async function retrieveWebhookSecret(deps: Deps, projectId: ProjectId): Promise<WebhookSecret> {
  const createdAt = await deps.webhooks.projectSecretCreatedAt(projectId);
  if (createdAt === null) {
    throw new ApiError(
      "not_found",
      "This project has no webhook signing secret yet; create one with POST /v1/webhook_secret/rotate.",
    );
  }
  return { object: "webhook_secret", created_at: createdAt };
}

/** Creates the project's signing secret, or replaces it; the only response that shows it. */
export async function rotateWebhookSecret(
  deps: Deps,
  projectId: ProjectId,
): Promise<WebhookSecretWithSecret> {
  const secret = newWebhookSecret();
  const createdAt = nowSeconds();
  await withSecrets(() => deps.webhooks.setProjectSecret(projectId, secret, createdAt));
  return { object: "webhook_secret", created_at: createdAt, secret };
}

/**
 * The checked `webhook_url` of a new batch, or null. The project must already have a signing secret:
 * an event signed with a secret nobody has seen could not be verified.
 */
export async function batchWebhookUrl(
  deps: Deps,
  projectId: ProjectId,
  value: string | null | undefined,
): Promise<string | null> {
  if (value === undefined || value === null) {
    return null;
  }
  const url = parseWebhookUrl(value, deps.config.environment, "webhook_url");
  if ((await deps.webhooks.projectSecretCreatedAt(projectId)) === null) {
    throw new ApiError(
      "invalid_request",
      "This project has no webhook signing secret, so 'webhook_url' events could not be verified. Create one with POST /v1/webhook_secret/rotate (the response shows it once), then retry.",
      { param: "webhook_url", code: "webhook_secret_missing" },
    );
  }
  return url;
}

export async function listBatchWebhookDeliveries(
  deps: Deps,
  projectId: ProjectId,
  batchId: string,
): Promise<WebhookDeliveryList> {
  const row = await deps.batches.get(projectId, batchId);
  if (!row) {
    throw new ApiError("not_found", `No batch found with id '${batchId}'.`, { param: "batch_id" });
  }
  const deliveries = await deps.coordinators.get(row.batch.id).webhookDeliveries();
  return toListPage(deliveries, deliveries.length);
}
