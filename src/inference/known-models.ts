import { CATALOGUE_DATA } from "./model-catalogue.generated";
import type { ModelSpec, RetiredModel } from "./model-spec";
import type { ModelInfo } from "./types";

/**
 * The checked-in model catalogue (generated from Cloudflare's published model JSON, see
 * data/workers-ai-models/): the only list of models this deployment can serve, the fallback when
 * `env.AI.models()` cannot be read, and the models Workers AI has retired.
 */

export const MODEL_SPECS: readonly ModelSpec[] = CATALOGUE_DATA.models;

const SPECS_BY_ID = new Map(MODEL_SPECS.map((spec) => [spec.id, spec]));
const RETIRED_BY_ID = new Map(CATALOGUE_DATA.retired.map((model) => [model.id, model]));

export function modelSpec(id: string): ModelSpec | undefined {
  return SPECS_BY_ID.get(id);
}

/** A model Workers AI retired (it answers 5007 for it now), with the replacement it names, if any. */
export function retiredModel(id: string): (RetiredModel & { retiredOn: string }) | undefined {
  const retired = RETIRED_BY_ID.get(id);
  return retired ? { ...retired, retiredOn: CATALOGUE_DATA.retiredOn } : undefined;
}

export function toModelInfo(spec: ModelSpec, created?: number): ModelInfo {
  const when = spec.created ?? created;
  return {
    id: spec.id,
    task: spec.task,
    pool: spec.pool.key,
    rpm: spec.pool.rpm,
    lora: spec.features.lora,
    features: spec.features,
    contextWindow: spec.contextWindow,
    price: spec.price,
    ...(when ? { created: when } : {}),
  };
}

/** The fallback catalogue: every model of the checked-in catalogue. */
export const KNOWN_MODELS: readonly ModelInfo[] = MODEL_SPECS.map((spec) => toModelInfo(spec));

/**
 * Aliases used when `MODEL_ALIASES` is not set, so code written for OpenAI runs unchanged. The
 * served model is visible in `/v1/models` (`root`), never hidden.
 */
export const DEFAULT_MODEL_ALIASES: Readonly<Record<string, string>> = {
  "gpt-4o-mini": "@cf/meta/llama-3.1-8b-instruct-fast",
  "gpt-4o": "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
  "text-embedding-3-small": "@cf/baai/bge-base-en-v1.5",
  "text-embedding-3-large": "@cf/baai/bge-large-en-v1.5",
};
