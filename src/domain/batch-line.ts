import { newId } from "./ids";

/**
 * Output-file and error-file lines, in OpenAI's exact shapes: a request that reached the model
 * carries `response` (with the upstream status), one that never ran carries `error`.
 */
export type UpstreamError = { message: string; type: string; param: string | null; code: string | null };

/**
 * Which Workers AI path ran a line (an extension key on lines that reached the model): `sync` is
 * one `env.AI.run` call, `async` an item of an async batch request (then `request_id` is Workers
 * AI's `request_id` and the item's index).
 */
export type Execution = "sync" | "async";

export function successLine(
  customId: string,
  body: unknown,
  requestId: string = newId("request"),
  execution?: Execution,
): string {
  return JSON.stringify({
    id: newId("batchRequest"),
    custom_id: customId,
    response: { status_code: 200, request_id: requestId, body },
    error: null,
    ...(execution ? { execution } : {}),
  });
}

export function httpErrorLine(
  customId: string,
  statusCode: number,
  error: UpstreamError & { attempts: number },
  requestId: string = newId("request"),
  execution?: Execution,
): string {
  return JSON.stringify({
    id: newId("batchRequest"),
    custom_id: customId,
    response: { status_code: statusCode, request_id: requestId, body: { error } },
    error: null,
    ...(execution ? { execution } : {}),
  });
}

export const NON_HTTP_ERRORS = {
  batch_expired: "This request could not be executed before the completion window expired.",
  batch_cancelled: "The batch was cancelled before this request executed.",
  request_timeout: "The underlying call to the model timed out.",
} as const;
export type NonHttpErrorCode = keyof typeof NON_HTTP_ERRORS;

export function nonHttpErrorLine(
  customId: string,
  code: NonHttpErrorCode,
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    id: newId("batchRequest"),
    custom_id: customId,
    response: null,
    error: { code, message: NON_HTTP_ERRORS[code], ...extra },
  });
}

/** OpenAI error `type` for an upstream HTTP status. */
export function errorTypeForStatus(status: number): string {
  if (status === 429) {
    return "rate_limit_error";
  }
  if (status >= 500) {
    return "server_error";
  }
  return "invalid_request_error";
}
