import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "../../errors/api-error";
import type { AppEnv } from "../context";

/** JSON request bodies (batch creates, schedules, webhook endpoints) are small; 1 MiB is plenty. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

// uploads stream their own way with their own limits, and the synchronous batch call sets its own;
// the local-only benchmark route streams a whole batch's JSONL (src/routes/debug)
const OWN_LIMITS = [/^\/v1\/files$/, /^\/v1\/batch\//, /^\/v1\/_debug\/direct-run$/];

/**
 * Answers 413 for an oversized JSON body: by its Content-Length (workerd never delivers more bytes
 * than that), or by counting while reading a chunked one.
 */
export function limitJsonBodies(): MiddlewareHandler<AppEnv> {
  const limit = bodyLimit({
    maxSize: MAX_JSON_BODY_BYTES,
    onError: () => {
      throw new ApiError("too_large", `Request bodies are limited to ${MAX_JSON_BODY_BYTES} bytes.`);
    },
  });
  return async (c, next) => {
    if (c.req.method === "GET" || OWN_LIMITS.some((pattern) => pattern.test(c.req.path))) {
      return next();
    }
    return limit(c, next);
  };
}
