import { z } from "zod";
import { type AsyncPoll, InferenceError } from "./types";

/**
 * Workers AI's answers on the async batch queue (cloudflare-docs `batch-api/workers-binding.mdx`):
 * a submit answers `{status: "queued", request_id}`, a poll `{status: "queued" | "running"}` until
 * the request is done and then `{responses: [{id, result, success, external_reference}], usage}`,
 * with `id` the item's index and the responses in no particular order.
 */

const SubmitSchema = z.object({ request_id: z.string().min(1) });

const PendingSchema = z.object({ status: z.enum(["queued", "running"]) });

const DoneSchema = z.object({
  responses: z.array(
    z.object({
      id: z.number().int().nonnegative(),
      result: z.unknown().optional(),
      success: z.boolean().optional(),
      external_reference: z.string().nullish(),
    }),
  ),
  usage: z
    .object({ prompt_tokens: z.number().optional(), completion_tokens: z.number().optional() })
    .nullish(),
});

function unexpected(what: string, output: unknown): InferenceError {
  return new InferenceError(
    `Workers AI returned an unexpected ${what} answer: ${JSON.stringify(output).slice(0, 200)}`,
    { status: 502, code: "invalid_upstream_response", transient: true },
  );
}

export function parseSubmit(output: unknown): string {
  const parsed = SubmitSchema.safeParse(output);
  if (!parsed.success) {
    throw unexpected("async submit", output);
  }
  return parsed.data.request_id;
}

export function parsePoll(output: unknown): AsyncPoll {
  if (PendingSchema.safeParse(output).success) {
    return { state: "pending" };
  }
  const done = DoneSchema.safeParse(output);
  if (!done.success) {
    throw unexpected("async poll", output);
  }
  const usage = done.data.usage;
  return {
    state: "done",
    items: done.data.responses.map((response) => ({
      index: response.id,
      externalReference: response.external_reference ?? null,
      // an item without `success` that carries a result is taken as answered
      success: response.success ?? response.result !== undefined,
      result: response.result,
    })),
    usage: usage ? { input: usage.prompt_tokens ?? 0, output: usage.completion_tokens ?? 0 } : null,
  };
}

const ItemErrorSchema = z.union([
  z.object({
    errors: z.array(z.object({ code: z.union([z.number(), z.string()]), message: z.string() })).min(1),
  }),
  z.object({ error: z.object({ code: z.union([z.number(), z.string()]).optional(), message: z.string() }) }),
  z.object({ error: z.string() }),
]);

/** The Workers AI code and message of a failed item, however it is worded. */
export function itemError(result: unknown): { code: string; message: string } {
  const parsed = ItemErrorSchema.safeParse(result);
  if (!parsed.success) {
    return { code: "unknown", message: `The item failed on Workers AI: ${JSON.stringify(result ?? null)}` };
  }
  const data = parsed.data;
  if ("errors" in data) {
    const [first] = data.errors;
    return { code: String(first?.code), message: first?.message ?? "" };
  }
  if (typeof data.error === "string") {
    return { code: "unknown", message: data.error };
  }
  return { code: String(data.error.code ?? "unknown"), message: data.error.message };
}

/**
 * Splits a request's total over its items in proportion to `weights` (largest remainder), so the
 * parts add up to the total exactly: used when Workers AI reports usage only per request.
 */
export function splitTotal(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (weights.length === 0) {
    return [];
  }
  const exact = weights.map((w) => (sum > 0 ? (total * w) / sum : total / weights.length));
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((value, index) => ({ index, frac: value - Math.floor(value) }))
    .sort((a, b) => b.frac - a.frac);
  for (const { index } of order) {
    if (left <= 0) {
      break;
    }
    parts[index] = (parts[index] ?? 0) + 1;
    left--;
  }
  return parts;
}
