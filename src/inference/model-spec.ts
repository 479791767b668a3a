import type { ModelFeatures, ModelTask } from "../domain/models";

/** Where a piece of catalogue data was read: a file of `cloudflare/cloudflare-docs` at a commit. */
export type SourceRef = { repo: string; path: string; commit: string };

export type ModelPrice = { unit: string; price: number; currency: string };

/** A rate-limited pool: Workers AI's budget per account and task type, or a model's own limit. */
export type RatePool = { key: string; rpm: number };

/** A JSON Schema as Cloudflare publishes it (draft-7 style, `oneOf` branches per input shape). */
export type JsonSchema = Record<string, unknown>;

/** One Workers AI model, as generated from its published JSON. */
export type ModelSpec = {
  id: string;
  catalogueId: string;
  task: ModelTask;
  description: string;
  /** Unix seconds the model was added, when the JSON says. */
  created: number | null;
  contextWindow: number | null;
  price: ModelPrice[] | null;
  pool: RatePool;
  /** Embedding width, for embedding models whose JSON says. */
  dimensions: number | null;
  features: ModelFeatures;
  source: { repo: string; path: string; commit: string };
  /** Null where the published schema is not committed (see the model's data file). */
  schema: { input: JsonSchema; output: JsonSchema } | null;
};

export type RetiredModel = { id: string; replacement: string | null };

export type CatalogueData = {
  sources: { limits: SourceRef; loras: SourceRef; retired: SourceRef };
  retiredOn: string;
  retired: RetiredModel[];
  models: ModelSpec[];
};
