import type { MiddlewareHandler } from "hono";
import { constantTimeEqual, sha256Hex } from "../../domain/crypto";
import { ApiError } from "../../errors/api-error";
import type { AppEnv } from "../context";

const MISSING_KEY =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";

/** Resolves `Authorization: Bearer <key>` to the key's project, or answers 401 `invalid_api_key`. */
export function requireApiKey(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) {
      throw new ApiError("authentication", MISSING_KEY, { code: "invalid_api_key" });
    }
    const presentedHash = await sha256Hex(match[1]);
    const key = await c.var.deps.apiKeys.findActiveByHash(presentedHash);
    // the lookup is by hash; the final comparison is constant-time so timing says nothing about the key
    if (!key || !constantTimeEqual(key.keyHash, presentedHash)) {
      throw new ApiError("authentication", "Incorrect API key provided.", { code: "invalid_api_key" });
    }
    c.set("projectId", key.projectId);
    await next();
  };
}
