import type { MiddlewareHandler } from "hono";
import { nowSeconds } from "../../domain/time";
import { authenticateAdminKey, authenticateProjectKey, bearerToken } from "../../services/admin-keys";
import type { AppEnv } from "../context";

/** The Admin API's routes: they take admin keys, and every other `/v1` route takes project keys. */
export function isAdminPath(path: string): boolean {
  return path === "/v1/organization" || path.startsWith("/v1/organization/");
}

/**
 * Resolves `Authorization: Bearer <key>`: on `/v1/organization/*` to an admin key, elsewhere to a
 * project key and its project. An unknown key answers 401 `invalid_api_key`, a key of the other
 * kind 403, and a key of an archived project 401.
 */
export function requireApiKey(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = bearerToken(c.req.header("authorization"));
    const deps = c.var.deps;
    if (isAdminPath(c.req.path)) {
      c.set("adminKeyId", await authenticateAdminKey(deps, token, nowSeconds()));
    } else {
      const { projectId, apiKeyId } = await authenticateProjectKey(deps, token, nowSeconds());
      c.set("projectId", projectId);
      c.set("apiKeyId", apiKeyId);
    }
    await next();
  };
}
