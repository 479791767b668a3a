import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context";

/** Response headers a browser client may read: the request id, retry hints and file ranges. */
const EXPOSED_HEADERS = [
  "x-request-id",
  "x-should-retry",
  "retry-after",
  "content-range",
  "accept-ranges",
  "content-disposition",
].join(", ");
const ALLOWED_METHODS = "GET, HEAD, POST, DELETE, OPTIONS";
const PREFLIGHT_MAX_AGE_SECONDS = "600";

function allowedOrigin(origin: string, allowed: string[]): string | null {
  if (allowed.includes("*")) {
    return "*";
  }
  return allowed.includes(origin.replace(/\/+$/, "")) ? origin : null;
}

function appendVary(headers: Headers): void {
  const vary = headers.get("vary");
  if (
    !vary
      ?.toLowerCase()
      .split(/\s*,\s*/)
      .includes("origin")
  ) {
    headers.set("vary", vary ? `${vary}, Origin` : "Origin");
  }
}

/**
 * CORS for browser clients on other origins (`CORS_ALLOWED_ORIGINS`). Preflights are answered here,
 * before the API key check, since browsers send them without credentials. Off when no origin is
 * configured: the dashboard is served from the API's own origin.
 */
export function cors(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const allowed = c.var.deps.config.corsAllowedOrigins;
    const origin = c.req.header("origin");
    if (allowed.length === 0 || !origin) {
      return next();
    }
    const allowOrigin = allowedOrigin(origin, allowed);
    if (c.req.method === "OPTIONS" && c.req.header("access-control-request-method")) {
      const headers = new Headers({ vary: "Origin" });
      if (allowOrigin) {
        headers.set("access-control-allow-origin", allowOrigin);
        headers.set("access-control-allow-methods", ALLOWED_METHODS);
        // the SDKs add their own headers (x-stainless-*, openai-*): allow what the browser asks for
        headers.set("access-control-allow-headers", c.req.header("access-control-request-headers") ?? "");
        headers.set("access-control-max-age", PREFLIGHT_MAX_AGE_SECONDS);
      }
      return c.body(null, allowOrigin ? 204 : 403, Object.fromEntries(headers));
    }
    await next();
    if (!allowOrigin) {
      return;
    }
    try {
      c.res.headers.set("access-control-allow-origin", allowOrigin);
    } catch {
      // a response with immutable headers is rebuilt once to carry them
      c.res = new Response(c.res.body, c.res);
      c.res.headers.set("access-control-allow-origin", allowOrigin);
    }
    c.res.headers.set("access-control-expose-headers", EXPOSED_HEADERS);
    appendVary(c.res.headers);
  };
}
