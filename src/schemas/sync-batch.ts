import { z } from "@hono/zod-openapi";
import { ErrorResponseSchema } from "../errors/openapi-responses";

/**
 * The wire shapes of `POST /v1/batch/<endpoint>`: `{"data": [[id, body], …]}` in, the same pairs
 * with responses out. Row-level rules the schema cannot state (unique ids, one id type, the item
 * limit) are checked in src/services/sync-batch.ts, which also words every 400.
 */

export const SyncBatchIdSchema = z.union([z.string(), z.number()]).openapi("SyncBatchId", {
  description:
    "Unique within the call. All ids are strings or all are numbers: numbers sort numerically, strings by code unit.",
  example: 1,
});
export type SyncBatchId = z.infer<typeof SyncBatchIdSchema>;

const RequestBodySchema = z
  .looseObject({
    model: z.string().nullable().optional().openapi({
      description: "Required unless the call names a base `model`. A model id or alias, as in batch lines.",
      example: "@cf/meta/llama-3.1-8b-instruct-fast",
    }),
  })
  .openapi("SyncBatchRequestBody", {
    description: "The body the single-request endpoint takes (e.g. `messages` for chat completions).",
  });

export const SyncBatchRequestSchema = z
  .object({
    model: z.string().nullable().optional().openapi({
      description:
        "Extension, as on batch create: the base model. Rows without `model` run on it, and a row's `model` that is not a catalogue model names a LoRA adapter on it.",
    }),
    data: z
      .array(z.tuple([SyncBatchIdSchema, RequestBodySchema]))
      .openapi({ description: "`[id, request body]` pairs." }),
  })
  .openapi("SyncBatchRequest", {
    example: {
      data: [
        [1, { model: "@cf/meta/llama-3.1-8b-instruct-fast", messages: [{ role: "user", content: "Hello" }] }],
        [2, { model: "@cf/meta/llama-3.1-8b-instruct-fast", messages: [{ role: "user", content: "Bye" }] }],
      ],
    },
  });
export type SyncBatchRequest = z.infer<typeof SyncBatchRequestSchema>;

const ResponseBodySchema = z
  .record(z.string(), z.unknown())
  .openapi("SyncBatchResponseBody", { description: "The OpenAI response object for the request." });

export const SyncBatchResultSchema = z
  .tuple([SyncBatchIdSchema, z.union([ResponseBodySchema, ErrorResponseSchema])])
  .openapi("SyncBatchResult", {
    description: "`[id, response]`, or `[id, {error}]` in OpenAI's error shape when that request failed.",
  });
export type SyncBatchResult = z.infer<typeof SyncBatchResultSchema>;

export const SyncBatchResponseSchema = z
  .object({
    data: z.array(SyncBatchResultSchema).openapi({ description: "One result per request, sorted by id." }),
  })
  .openapi("SyncBatchResponse");
export type SyncBatchResponse = z.infer<typeof SyncBatchResponseSchema>;
