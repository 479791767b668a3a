/**
 * The part of the Workers AI binding (`Ai` from workers-types) this project uses. `env.AI` and the
 * local simulator both satisfy it, so the same provider code runs over either.
 */
export type AiBinding = {
  run(model: string, inputs: Record<string, unknown>, options?: AiRunOptions): Promise<unknown>;
  models(params?: AiModelsSearchParams): Promise<AiModelsSearchObject[]>;
};

/**
 * The binding's third argument. `rejectIfBusy` (cloudflare-docs `workers-ai/features/reject-if-busy.mdx`)
 * is newer than the installed workers-types: with it a call fails with 429/3040 at once instead of
 * waiting in Workers AI's capacity queue.
 */
export type AiRunOptions = AiOptions & { rejectIfBusy?: boolean };

/** The catalogue's task names (`AiModelsSearchObject.task.name`) for the tasks we serve. */
export const WORKERS_AI_TASK_NAMES = {
  "Text Generation": "text-generation",
  "Text Embeddings": "text-embeddings",
} as const;
