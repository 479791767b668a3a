/**
 * The simulator's model catalogue: real Workers AI ids, tasks and properties, in the shape
 * `env.AI.models()` answers with (`name` is the model id, `id` a catalogue UUID). It deliberately
 * differs a little from the provider's built-in list, as the live catalogue does. `createdAt` values
 * are approximate.
 */

type TaskName = "Text Generation" | "Text Embeddings";

export type SimulatedModel = {
  name: string;
  task: TaskName;
  description: string;
  /** Accepts `lora` (the catalogue's `lora` property, or the documented LoRA list). */
  lora: boolean;
  /** Answers `tools` with tool calls (the catalogue's `function_calling` property). */
  functionCalling: boolean;
  /** Embedding width, for embedding models. */
  dimensions?: number;
  createdAt: string;
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

function textModel(name: string, lora: boolean, functionCalling: boolean, createdAt: string): SimulatedModel {
  return {
    name,
    task: "Text Generation",
    description: `Simulated ${name}.`,
    lora,
    functionCalling,
    createdAt,
  };
}

function embeddingModel(name: string, dimensions: number, createdAt: string): SimulatedModel {
  return {
    name,
    task: "Text Embeddings",
    description: `Simulated ${name} (${dimensions} dimensions).`,
    lora: false,
    functionCalling: false,
    dimensions,
    createdAt,
  };
}

export const SIMULATED_MODELS: readonly SimulatedModel[] = [
  textModel("@cf/meta/llama-3.3-70b-instruct-fp8-fast", true, true, "2024-12-06 17:09:18.338"),
  textModel("@cf/meta/llama-3.1-8b-instruct", false, false, "2024-07-18 22:53:33.746"),
  textModel("@cf/meta/llama-3.1-8b-instruct-fast", false, false, "2025-01-16 10:00:00.000"),
  textModel("@cf/meta/llama-3.1-8b-instruct-fp8", false, false, "2024-07-25 17:46:04.304"),
  textModel("@cf/meta/llama-3.2-3b-instruct", false, false, "2024-09-25 20:05:43.986"),
  textModel("@cf/meta/llama-4-scout-17b-16e-instruct", false, true, "2025-04-05 20:25:56.137"),
  textModel("@cf/mistralai/mistral-small-3.1-24b-instruct", true, true, "2025-03-18 03:28:37.890"),
  textModel("@cf/google/gemma-3-12b-it", true, false, "2025-03-18 03:58:02.423"),
  textModel("@cf/qwen/qwen2.5-coder-32b-instruct", true, false, "2025-02-27 00:31:43.829"),
  textModel("@cf/mistral/mistral-7b-instruct-v0.2-lora", true, false, "2024-04-01 22:14:40.529"),
  textModel("@cf/ibm-granite/granite-4.0-h-micro", false, true, "2025-10-07 18:46:29.436"),
  embeddingModel("@cf/baai/bge-small-en-v1.5", 384, "2023-11-07 15:43:58.042"),
  embeddingModel("@cf/baai/bge-base-en-v1.5", 768, "2023-09-25 19:21:11.898"),
  embeddingModel("@cf/baai/bge-large-en-v1.5", 1024, "2023-11-07 15:43:58.042"),
  embeddingModel("@cf/baai/bge-m3", 1024, "2024-05-22 19:27:09.781"),
];

const BY_NAME = new Map(SIMULATED_MODELS.map((model) => [model.name, model]));

export function findSimulatedModel(name: string): SimulatedModel | undefined {
  return BY_NAME.get(name);
}

/** A stable UUID-shaped id per model, as the real catalogue has one. */
function catalogueId(index: number): string {
  const hex = (index + 1).toString(16).padStart(12, "0");
  return `5a1e0000-0000-4000-8000-${hex}`;
}

function toSearchObject(model: SimulatedModel, index: number): AiModelsSearchObject & { created_at: string } {
  const properties = [
    { property_id: "context_window", value: model.task === "Text Generation" ? "32000" : "512" },
  ];
  if (model.lora) {
    properties.push({ property_id: "lora", value: "true" });
  }
  if (model.functionCalling) {
    properties.push({ property_id: "function_calling", value: "true" });
  }
  return {
    id: catalogueId(index),
    source: 1,
    name: model.name,
    description: model.description,
    task: { id: TASKS[model.task].id, name: model.task, description: TASKS[model.task].description },
    created_at: model.createdAt,
    tags: [],
    properties,
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
