import type { RouteConfig } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";

export const ErrorResponseSchema = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string().openapi({ example: "invalid_request_error" }),
      param: z.string().nullable(),
      code: z.string().nullable(),
    }),
  })
  .openapi("ErrorResponse");

const DESCRIPTIONS: Record<number, string> = {
  400: "The request is malformed or a parameter is invalid.",
  401: "The API key is missing or wrong.",
  403: "The API key may not do this.",
  404: "The object does not exist or belongs to another project.",
  409: "The request conflicts with the object's current state.",
  413: "The request body is too large.",
  416: "The requested byte range is outside the file.",
  422: "The request is well-formed but cannot be processed.",
  429: "Too many requests.",
  500: "An unexpected error; the `x-request-id` header identifies it in the logs.",
  503: "The service cannot do this now, or this deployment is not configured for it.",
};

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 416 | 422 | 429 | 500 | 503;

/** OpenAPI response entries for the error statuses a route can return. */
export function errorResponses(...statuses: ErrorStatus[]): RouteConfig["responses"] {
  const responses: RouteConfig["responses"] = {};
  for (const status of [...statuses, 500 as const]) {
    responses[status] = {
      description: DESCRIPTIONS[status] ?? "Error",
      content: { "application/json": { schema: ErrorResponseSchema } },
    };
  }
  return responses;
}
