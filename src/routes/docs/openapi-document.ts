import type { App } from "../../app/context";
import { WEBHOOK_EVENTS } from "./webhook-events";

/**
 * The OpenAPI document's metadata and the parts the routes cannot say themselves: servers, tags,
 * the headers every response carries, the `Range` request header, and the webhooks this API sends.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const TAGS = [
  { name: "meta", description: "Liveness; needs no key." },
  { name: "files", description: "Upload, list, download and delete files (OpenAI's Files API)." },
  { name: "uploads", description: "Large files in parts of up to 64 MB (OpenAI's Uploads API)." },
  {
    name: "batches",
    description: "Create, watch, cancel and retry batches; read their results while they run.",
  },
  { name: "batch_schedules", description: "Extension: recurring batches from a cron expression." },
  { name: "sync_batch", description: "Extension: a small batch in one synchronous call." },
  { name: "models", description: "The models this deployment serves." },
  { name: "webhooks", description: "Endpoints that receive `batch.*` events, their secret and deliveries." },
  {
    name: "organization",
    description: "Admin API (admin keys): projects, keys, service accounts, rate limits and usage.",
  },
];

const DOCUMENT_CONFIG = {
  openapi: "3.1.0",
  info: {
    title: "Workers Batch API",
    version: "1.0.0",
    description:
      "An OpenAI-compatible Files and Batches API on Cloudflare Workers. Point the official `openai` SDK at `<origin>/v1` with a project API key.\n\nEvery response carries `x-request-id`; errors use OpenAI's envelope and say whether to retry in `x-should-retry`.",
    license: { name: "MIT", identifier: "MIT" },
  },
  tags: TAGS,
};

const HEADERS: JsonObject = {
  RequestId: {
    description: "This request's id: quote it when reporting a problem.",
    schema: { type: "string", example: "req_01J0000000000000000000000" },
  },
  ShouldRetry: {
    description: "Whether retrying the same request can succeed; the official SDKs obey it.",
    schema: { type: "string", enum: ["true", "false"] },
  },
  RetryAfter: {
    description: "Seconds to wait before retrying.",
    schema: { type: "integer", minimum: 0 },
  },
  ContentRange: {
    description: "The bytes sent and the file's size, as `bytes first-last/size`.",
    schema: { type: "string", example: "bytes 0-1023/4096" },
  },
  AcceptRanges: { description: "Always `bytes`.", schema: { type: "string", enum: ["bytes"] } },
};

const RANGE_PARAMETER: JsonObject = {
  name: "Range",
  in: "header",
  required: false,
  description: "One byte range, as `bytes=first-last`, `bytes=first-` or `bytes=-suffix`.",
  schema: { type: "string", example: "bytes=0-1023" },
};

const ref = (name: string): JsonObject => ({ $ref: `#/components/headers/${name}` });

function asObject(value: Json | undefined): JsonObject {
  return value && typeof value === "object" && !Array.isArray(value) ? value : {};
}

function decorateResponses(path: string, method: string, responses: JsonObject): void {
  for (const [status, response] of Object.entries(responses)) {
    const code = Number(status);
    const headers: JsonObject = { "x-request-id": ref("RequestId"), ...asObject(asObject(response).headers) };
    if (code >= 400) {
      headers["x-should-retry"] = ref("ShouldRetry");
    }
    if (code === 429 || code === 503) {
      headers["retry-after"] = ref("RetryAfter");
    }
    if (path === "/v1/files/{file_id}/content" && method === "get" && code < 300) {
      headers["accept-ranges"] = ref("AcceptRanges");
      if (code === 206) {
        headers["content-range"] = ref("ContentRange");
      }
    }
    asObject(response).headers = headers;
  }
}

/** Adds what the zod route definitions cannot express to a generated document (in place). */
export function decorateDocument(document: JsonObject, serverUrl: string): JsonObject {
  document.servers = [{ url: serverUrl, description: "This deployment" }];
  const components = asObject(document.components);
  components.headers = { ...asObject(components.headers), ...HEADERS };
  components.schemas = { ...asObject(components.schemas), ...WEBHOOK_EVENTS.schemas };
  document.components = components;
  document.webhooks = WEBHOOK_EVENTS.webhooks;
  for (const [path, item] of Object.entries(asObject(document.paths))) {
    for (const [method, operation] of Object.entries(asObject(item))) {
      const op = asObject(operation);
      if (path === "/health") {
        op.security = [];
      }
      if (path === "/v1/files/{file_id}/content" && method === "get") {
        op.parameters = [...(Array.isArray(op.parameters) ? op.parameters : []), RANGE_PARAMETER];
      }
      decorateResponses(path, method, asObject(op.responses));
    }
  }
  return document;
}

/** The whole document, for `/openapi.json` and `npm run lint:openapi`. */
export function buildOpenApiDocument(app: App, serverUrl: string): JsonObject {
  const document = app.getOpenAPI31Document(DOCUMENT_CONFIG) as unknown as JsonObject;
  return decorateDocument(document, serverUrl);
}
