import type { MiddlewareHandler } from "hono";
import { newId } from "../../domain/ids";
import type { AppEnv } from "../context";

/** Gives every request an id, returned as `x-request-id` on every response, errors included. */
export function requestId(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const id = newId("request");
    c.set("requestId", id);
    c.header("x-request-id", id);
    await next();
    if (!c.res.headers.has("x-request-id")) {
      try {
        c.res.headers.set("x-request-id", id);
      } catch {
        // a response with immutable headers (a passed-through fetch) is rebuilt once to carry the id
        c.res = new Response(c.res.body, c.res);
        c.res.headers.set("x-request-id", id);
      }
    }
  };
}
