import { z } from "@hono/zod-openapi";

export const ModelCapabilitiesSchema = z
  .object({
    function_calling: z.boolean(),
    json_mode: z.boolean(),
    lora: z.boolean(),
    reasoning: z.boolean(),
    reasoning_effort: z.array(z.string()).openapi({ description: "The `reasoning_effort` values accepted." }),
    responses_input: z.boolean(),
    logprobs: z.boolean(),
    vision: z.boolean(),
    async_queue: z.boolean(),
  })
  .openapi("ModelCapabilities", {
    description: "Extension: what the model supports, from Cloudflare's published model JSON.",
  });

export const ModelSchema = z
  .object({
    id: z.string().openapi({ example: "@cf/meta/llama-3.3-70b-instruct-fp8-fast" }),
    object: z.literal("model"),
    created: z.number().int().openapi({ description: "Unix seconds the model was added; 0 when unknown." }),
    owned_by: z.string().openapi({ example: "meta" }),
    task: z.enum(["text-generation", "text-embeddings"]).openapi({
      description:
        "Extension: `text-generation` serves responses, chat/completions and completions, `text-embeddings` embeddings.",
    }),
    root: z
      .string()
      .openapi({ description: "Extension: the Workers AI model that serves this id (differs for aliases)." }),
    lora: z
      .boolean()
      .openapi({ description: "Extension: whether lines may name a LoRA adapter on this model." }),
    context_window: z.number().int().nullable().openapi({
      description: "Extension: the model's context window in tokens, when Workers AI publishes it.",
    }),
    capabilities: ModelCapabilitiesSchema,
    price: z
      .array(z.object({ unit: z.string(), price: z.number(), currency: z.string() }))
      .nullable()
      .openapi({ description: "Extension: Workers AI's published price, e.g. per M input tokens." }),
    requires_workers_paid: z.boolean().openapi({
      description: "Extension: the model is refused on the Workers Free plan (403, Workers AI code 5035).",
    }),
    rate_limit: z
      .object({
        pool: z.string().openapi({ example: "task:text-generation" }),
        requests_per_minute: z.number().int(),
      })
      .openapi({
        description:
          "Extension: the Workers AI rate limit the model counts against: per account and task type (shared by every model of the task), or the model's own.",
      }),
  })
  .openapi("Model");
export type Model = z.infer<typeof ModelSchema>;

export const ModelListSchema = z
  .object({ object: z.literal("list"), data: z.array(ModelSchema) })
  .openapi("ModelList");
export type ModelList = z.infer<typeof ModelListSchema>;

export const ModelParamSchema = z.object({
  model: z
    .string()
    .min(1)
    .openapi({
      param: { name: "model", in: "path" },
      description: "A model id or alias; URL-encode the slashes of `@cf/…` ids.",
      example: "gpt-4o-mini",
    }),
});
