/**
 * The part of the Workers AI binding (`Ai` from workers-types) this project uses. `env.AI` and the
 * local simulator both satisfy it, so the same provider code runs over either.
 */
export type AiBinding = {
  run(model: string, inputs: Record<string, unknown>, options?: AiOptions): Promise<unknown>;
  models(params?: AiModelsSearchParams): Promise<AiModelsSearchObject[]>;
};

/** The catalogue's task names (`AiModelsSearchObject.task.name`) for the tasks we serve. */
export const WORKERS_AI_TASK_NAMES = {
  "Text Generation": "text-generation",
  "Text Embeddings": "text-embeddings",
} as const;
