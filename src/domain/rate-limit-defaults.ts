/** A project's limits per model when no operator set them (Admin API rate limits). */
export const DEFAULT_TOKENS_PER_MINUTE = 1_000_000;
export const DEFAULT_BATCH_INPUT_TOKENS_PER_DAY = 200_000_000;
