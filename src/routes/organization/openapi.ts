import type { z } from "@hono/zod-openapi";

/** The Admin API's security scheme: a bearer admin key (`sk-admin-…`). */
export const ADMIN_SECURITY = [{ adminApiKeyAuth: [] }];

/** A JSON 200 response entry. */
export function json<T extends z.ZodType>(description: string, schema: T) {
  return { description, content: { "application/json": { schema } } };
}
