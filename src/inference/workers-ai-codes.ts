/**
 * Workers AI's internal error codes (cloudflare-docs `workers-ai/platform/errors.mdx` at 0309c8b, plus
 * 5035 from the 2026-07-28 changelog and 5006 as observed), with the
 * HTTP status each one means and whether retrying the same request can succeed. The binding throws
 * them as an Error whose message starts with the code: `"3040: No more data centers to forward the
 * request to"` (workerd `ai-api.ts` builds it from `${internalCode}: ${description}`).
 */
export const WORKERS_AI_CODES = {
  "3003": { status: 400, transient: false, description: "Request is missing headers or body" },
  "3006": { status: 413, transient: false, description: "Request is too large" },
  "3007": { status: 408, transient: true, description: "Request timeout" },
  "3008": { status: 408, transient: true, description: "Request was aborted" },
  "3023": { status: 403, transient: false, description: "Service unavailable for account" },
  // a 429 that is a daily quota, not a rate: retrying before the daily reset cannot succeed
  "3036": {
    status: 429,
    transient: false,
    description: "You have used up your daily free allocation of 10,000 neurons.",
  },
  "3039": { status: 400, transient: false, description: "Finetune is missing required files" },
  "3040": { status: 429, transient: true, description: "No more data centers to forward the request to" },
  "3041": { status: 403, transient: false, description: "The account is not allowed to access this model" },
  "3042": { status: 404, transient: false, description: "The model name is invalid" },
  "5004": { status: 400, transient: false, description: "Invalid data" },
  "5005": { status: 405, transient: false, description: "The model does not support LoRa inference" },
  // not in the docs table, but what input-schema violations answer with ("5006: Error: oneOf at '/' not met")
  "5006": { status: 400, transient: false, description: "Error: oneOf at '/' not met" },
  "5007": { status: 400, transient: false, description: "No such model or task" },
  // changelog 2026-07-28 "Select models now require the Workers Paid plan": 403 on the Free plan
  "5035": { status: 403, transient: false, description: "This model requires the Workers Paid plan" },
  "5016": { status: 403, transient: false, description: "User has not agreed to the model terms" },
  "5018": { status: 403, transient: false, description: "The account is not allowed to access this model" },
  "5019": { status: 405, transient: false, description: "Request trying to use deprecated SDK version" },
} as const satisfies Record<string, { status: number; transient: boolean; description: string }>;

export type WorkersAiCode = keyof typeof WORKERS_AI_CODES;

export function isWorkersAiCode(value: string): value is WorkersAiCode {
  return Object.hasOwn(WORKERS_AI_CODES, value);
}

/** The HTTP status a Workers AI code means; 500 for a code not in the table. */
export function codeStatus(code: string): number {
  return isWorkersAiCode(code) ? WORKERS_AI_CODES[code].status : 500;
}
