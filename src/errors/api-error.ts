import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * Every error a client sees: OpenAI's `{"error": {message, type, param, code}}` envelope. The kind
 * fixes the HTTP status and OpenAI `type`; `code` and `param` are per error, as OpenAI sends them.
 */
const ERROR_KINDS = {
  invalid_request: { status: 400, type: "invalid_request_error" },
  authentication: { status: 401, type: "invalid_request_error" },
  permission: { status: 403, type: "invalid_request_error" },
  not_found: { status: 404, type: "invalid_request_error" },
  conflict: { status: 409, type: "invalid_request_error" },
  too_large: { status: 413, type: "invalid_request_error" },
  range_not_satisfiable: { status: 416, type: "invalid_request_error" },
  unprocessable: { status: 422, type: "invalid_request_error" },
  rate_limit: { status: 429, type: "requests" },
  internal: { status: 500, type: "server_error" },
  unavailable: { status: 503, type: "server_error" },
} as const satisfies Record<string, { status: ContentfulStatusCode; type: string }>;

export type ErrorKind = keyof typeof ERROR_KINDS;

export type ErrorBody = {
  error: { message: string; type: string; param: string | null; code: string | null };
};

export type ApiErrorOptions = {
  param?: string | null;
  code?: string | null;
  cause?: unknown;
  /** Sent as `x-should-retry`, which both SDKs obey before their own status-based rule. */
  shouldRetry?: boolean;
  /** Seconds, sent as `retry-after`. */
  retryAfter?: number;
  /** Any other response headers the error needs (e.g. `content-range` on a 416). */
  headers?: Record<string, string>;
};

export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly kind: ErrorKind;
  readonly param: string | null;
  readonly code: string | null;
  readonly shouldRetry: boolean | undefined;
  readonly retryAfter: number | undefined;
  private readonly extraHeaders: Record<string, string>;

  constructor(kind: ErrorKind, message: string, options: ApiErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.kind = kind;
    this.param = options.param ?? null;
    this.code = options.code ?? null;
    this.shouldRetry = options.shouldRetry;
    this.retryAfter = options.retryAfter;
    this.extraHeaders = options.headers ?? {};
  }

  get status(): ContentfulStatusCode {
    return ERROR_KINDS[this.kind].status;
  }

  get type(): string {
    return ERROR_KINDS[this.kind].type;
  }

  toBody(): ErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }

  headers(): Record<string, string> {
    const headers: Record<string, string> = { ...this.extraHeaders };
    if (this.shouldRetry !== undefined) {
      headers["x-should-retry"] = String(this.shouldRetry);
    }
    if (this.retryAfter !== undefined) {
      headers["retry-after"] = String(this.retryAfter);
    }
    return headers;
  }
}

export function invalidValue(param: string, message: string): ApiError {
  return new ApiError("invalid_request", message, { param, code: "invalid_value" });
}

export function invalidType(param: string, message: string): ApiError {
  return new ApiError("invalid_request", message, { param, code: "invalid_type" });
}

export function missingParameter(param: string): ApiError {
  return new ApiError("invalid_request", `Missing required parameter: '${param}'.`, {
    param,
    code: "missing_required_parameter",
  });
}

/** A body sent as JSON (by its Content-Type) that does not parse. */
export function invalidJson(): ApiError {
  return new ApiError(
    "invalid_request",
    "We could not parse the JSON body of your request. The API expects a JSON object with Content-Type: application/json.",
    { code: "invalid_json" },
  );
}

/** A body that is not JSON, sent to an endpoint that takes only JSON. */
export function unsupportedContentType(contentType: string | null | undefined): ApiError {
  const sent = contentType
    ? `a body of type '${contentType.slice(0, 100)}'`
    : "a body without a Content-Type";
  return new ApiError(
    "invalid_request",
    `This endpoint expects a JSON body (Content-Type: application/json), but got ${sent} that is not JSON.`,
    { code: "unsupported_content_type" },
  );
}
