import { InferenceError } from "./types";
import { isWorkersAiCode, WORKERS_AI_CODES } from "./workers-ai-codes";

const CODE_PREFIX = /(?:^|[\s:])(\d{4}):\s*(.*)$/s;
const HTTP_5XX = /\b(5\d\d)\b/;
const RATE_LIMITED = /\b429\b|too many requests|rate.?limit/i;
const NETWORK = /network|connection|socket|timed? ?out|gateway|unavailable|overloaded|reset/i;

function messageOf(err: unknown): string {
  if (err instanceof Error) {
    return err.message;
  }
  return typeof err === "string" ? err : String(err);
}

/**
 * Maps whatever `env.AI.run` threw to an `InferenceError`. Workers AI errors carry a 4-digit code
 * at the start of the message; anything else is classified by its text. Unknown failures count as
 * transient 5xx: losing a line to a misread blip costs more than a few bounded retries.
 */
export function toInferenceError(err: unknown): InferenceError {
  if (err instanceof InferenceError) {
    return err;
  }
  const message = messageOf(err);
  const coded = CODE_PREFIX.exec(message);
  if (coded?.[1] && isWorkersAiCode(coded[1])) {
    const known = WORKERS_AI_CODES[coded[1]];
    const detail = coded[2]?.trim() || known.description;
    return new InferenceError(`Workers AI error ${coded[1]}: ${detail}`, {
      status: known.status,
      code: coded[1],
      transient: known.transient,
      cause: err,
    });
  }
  if (err instanceof Error && err.name === "AbortError") {
    return new InferenceError("The model call was aborted.", {
      status: 408,
      code: "3008",
      transient: true,
      cause: err,
    });
  }
  if (RATE_LIMITED.test(message)) {
    return new InferenceError(`Workers AI rate limit: ${message}`, {
      status: 429,
      code: "rate_limit_exceeded",
      transient: true,
      cause: err,
    });
  }
  const http = HTTP_5XX.exec(message)?.[1];
  const status = http ? Number(http) : NETWORK.test(message) ? 503 : 500;
  return new InferenceError(`Workers AI upstream error: ${message || "unknown error"}`, {
    status,
    code: "upstream_error",
    transient: true,
    cause: err,
  });
}

/** A request the provider refuses before calling the model: permanent, like a Workers AI 400. */
export function invalidRequest(message: string, code = "invalid_value"): InferenceError {
  return new InferenceError(message, { status: 400, code, transient: false });
}
