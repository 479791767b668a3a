import { isWorkersAiCode, WORKERS_AI_CODES } from "../workers-ai-codes";

/** The binding's error class: workerd throws `InferenceUpstreamError` named after the upstream error. */
export class InferenceUpstreamError extends Error {
  constructor(message: string, name = "AiError") {
    super(message);
    this.name = name;
  }
}

/** An error worded like the binding's: `"<code>: <description>"`. */
export function aiError(code: string, description?: string): InferenceUpstreamError {
  return new InferenceUpstreamError(`${code}: ${description ?? codeDescription(code)}`);
}

export function codeDescription(code: string): string {
  return isWorkersAiCode(code) ? WORKERS_AI_CODES[code].description : "Simulated error";
}

/** The HTTP status a Workers AI code answers with (500 for codes the table does not know). */
export function codeStatus(code: string): number {
  return isWorkersAiCode(code) ? WORKERS_AI_CODES[code].status : 500;
}

/** Splits an `aiError` back into its code and message. */
export function errorParts(err: unknown): { code: string; message: string } {
  const text = err instanceof Error ? err.message : String(err);
  const match = /^(\d{4}): (.*)$/s.exec(text);
  return match?.[1] ? { code: match[1], message: match[2] ?? "" } : { code: "5000", message: text };
}
