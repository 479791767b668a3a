/**
 * The simulator's model catalogue: the checked-in catalogue (generated from Cloudflare's published
 * model JSON), answered in the shape `env.AI.models()` answers with (`name` is the model id, `id`
 * the catalogue UUID).
 */
import { MODEL_SPECS } from "../known-models";
import type { ModelSpec } from "../model-spec";

type TaskName = "Text Generation" | "Text Embeddings";

export type SimulatedModel = {
  name: string;
  task: TaskName;
  spec: ModelSpec;
  /** Embedding width, for embedding models (1024 where the JSON does not say). */
  dimensions: number;
};

const TASKS: Record<TaskName, { id: string; description: string }> = {
  "Text Generation": {
    id: "c329a1f9-323d-4e91-b2aa-582dd4188d34",
    description: "Family of generative text models, such as large language models (LLM).",
  },
  "Text Embeddings": {
    id: "0137cdcf-162a-4108-94f2-1ca59e8c65ee",
    description: "Feature extraction models transform raw data into numerical features.",
  },
};

export const SIMULATED_MODELS: readonly SimulatedModel[] = MODEL_SPECS.map((spec) => ({
  name: spec.id,
  task: spec.task === "text-generation" ? "Text Generation" : "Text Embeddings",
  spec,
  dimensions: spec.dimensions ?? 1024,
}));

const BY_NAME = new Map(SIMULATED_MODELS.map((model) => [model.name, model]));

export function findSimulatedModel(name: string): SimulatedModel | undefined {
  return BY_NAME.get(name);
}

function createdAt(seconds: number | null): string {
  return seconds === null ? "" : new Date(seconds * 1000).toISOString().replace("T", " ").replace("Z", "");
}

function toSearchObject(model: SimulatedModel): AiModelsSearchObject & { created_at: string } {
  const { spec } = model;
  const properties: { property_id: string; value: unknown }[] = [];
  const flag = (id: string, on: boolean) => on && properties.push({ property_id: id, value: "true" });
  flag("async_queue", spec.features.asyncQueue);
  flag("lora", spec.features.lora);
  flag("function_calling", spec.features.functionCalling);
  flag("reasoning", spec.features.reasoning);
  flag("require_workers_paid", spec.features.workersPaid);
  if (spec.contextWindow !== null) {
    properties.push({ property_id: "context_window", value: String(spec.contextWindow) });
  }
  if (spec.price) {
    properties.push({ property_id: "price", value: spec.price });
  }
  return {
    id: spec.catalogueId,
    source: 1,
    name: model.name,
    description: spec.description,
    task: { id: TASKS[model.task].id, name: model.task, description: TASKS[model.task].description },
    created_at: createdAt(spec.created),
    tags: [],
    properties: properties as AiModelsSearchObject["properties"],
  };
}

/** `env.AI.models(params)`: filter by task, author and search text, then paginate when asked. */
export function searchModels(params: AiModelsSearchParams = {}): AiModelsSearchObject[] {
  const search = params.search?.toLowerCase();
  const matches = SIMULATED_MODELS.map(toSearchObject).filter(
    (model) =>
      (!params.task || model.task.name.toLowerCase() === params.task.toLowerCase()) &&
      (!params.author || model.name.split("/")[1] === params.author) &&
      (!search ||
        model.name.toLowerCase().includes(search) ||
        model.description.toLowerCase().includes(search)),
  );
  if (!params.per_page) {
    return matches;
  }
  const page = Math.max(1, params.page ?? 1);
  return matches.slice((page - 1) * params.per_page, page * params.per_page);
}
