import type { MiddlewareHandler } from "hono";
import { drainBody } from "../../http/request-body";
import type { AppEnv } from "../context";

/**
 * Reads what is left of the request body before the answer goes out. A body left half read (a bad
 * key, an unknown route, a refused body) breaks the client's keep-alive connection: its next
 * request on it hangs. Bodies a handler read, or is still reading, are left alone.
 */
export function drainUnreadBodies(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const body = c.req.raw.body;
    await next();
    await drainBody(body);
  };
}
