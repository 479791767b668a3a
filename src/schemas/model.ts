import { z } from "@hono/zod-openapi";

export const ModelSchema = z
  .object({
    id: z.string().openapi({ example: "@cf/meta/llama-3.3-70b-instruct-fp8-fast" }),
    object: z.literal("model"),
    created: z.number().int().openapi({ description: "Unix seconds the model was added; 0 when unknown." }),
    owned_by: z.string().openapi({ example: "meta" }),
    task: z.enum(["text-generation", "text-embeddings"]).openapi({
      description: "Extension: `text-generation` serves chat/completions, `text-embeddings` embeddings.",
    }),
    root: z
      .string()
      .openapi({ description: "Extension: the Workers AI model that serves this id (differs for aliases)." }),
    lora: z
      .boolean()
      .openapi({ description: "Extension: whether lines may name a LoRA adapter on this model." }),
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
