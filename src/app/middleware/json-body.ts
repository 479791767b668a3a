import type { MiddlewareHandler } from "hono";
import { ApiError, invalidJson } from "../../errors/api-error";
import { isJsonContentType, jsonBodyKind } from "../../http/json-body";
import { readBodyWithin } from "../../http/request-body";
import type { AppEnv } from "../context";

/**
 * Buffers the JSON request bodies of `/v1` (batch creates, schedules, webhook endpoints) within a
 * size limit, and lets a body that parses as JSON through whatever its Content-Type says.
 */

/** JSON request bodies are small; 1 MiB is plenty. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

// uploads stream their own way with their own limits, and the synchronous batch call sets its own;
// the local-only benchmark route streams a whole batch's JSONL (src/routes/debug)
const OWN_LIMITS = [
  /^\/v1\/files$/,
  /^\/v1\/uploads\/[^/]+\/parts$/,
  /^\/v1\/batch\//,
  /^\/v1\/_debug\/direct-run$/,
];

/**
 * The request with its body read into memory: refused with `tooLarge()` past `maxBytes` (after the
 * rest is read, so the connection stays usable), with `invalid_json` when sent as JSON but not
 * JSON, and relabelled `application/json` when it is JSON under another type (`curl -d`). Any other
 * body stays as sent: routes that take JSON refuse it (`unsupported_content_type`).
 */
export async function bufferJsonBody(
  request: Request,
  maxBytes: number,
  tooLarge: () => ApiError,
): Promise<Request> {
  if (!request.body) {
    return request;
  }
  const bytes = await readBodyWithin(request.body, maxBytes, request.headers.get("content-length"));
  if (!bytes) {
    throw tooLarge();
  }
  const kind = jsonBodyKind(bytes);
  const headers = new Headers(request.headers);
  if (kind === "empty") {
    // as if no body was sent: the route then names the first missing parameter
    headers.delete("content-type");
    return new Request(request, { body: null, headers });
  }
  if (kind === "json") {
    headers.set("content-type", "application/json");
  } else if (isJsonContentType(headers.get("content-type"))) {
    throw invalidJson();
  }
  return new Request(request, { body: bytes, headers });
}

export function readJsonBodies(): MiddlewareHandler<AppEnv> {
  const tooLarge = () =>
    new ApiError("too_large", `Request bodies are limited to ${MAX_JSON_BODY_BYTES} bytes.`, {
      code: "request_too_large",
    });
  return async (c, next) => {
    if (c.req.method === "GET" || OWN_LIMITS.some((pattern) => pattern.test(c.req.path))) {
      return next();
    }
    c.req.raw = await bufferJsonBody(c.req.raw, MAX_JSON_BODY_BYTES, tooLarge);
    return next();
  };
}
