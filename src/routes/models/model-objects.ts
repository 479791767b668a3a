import type { ModelCatalogue, ModelInfo } from "../../inference/types";
import type { Model } from "../../schemas/model";

/** A model id `@cf/<owner>/<name>` is owned by `<owner>`. */
function ownerOf(id: string): string {
  return id.split("/")[1] ?? "cloudflare";
}

function toModel(id: string, info: ModelInfo): Model {
  return {
    id,
    object: "model",
    created: info.created ?? 0,
    owned_by: ownerOf(info.id),
    task: info.task,
    root: info.id,
    lora: info.lora,
    context_window: info.contextWindow,
    capabilities: {
      function_calling: info.features.functionCalling,
      json_mode: info.features.jsonMode,
      lora: info.lora,
      reasoning: info.features.reasoning,
      reasoning_effort: info.features.reasoningEfforts,
      responses_input: info.features.responses,
      logprobs: info.features.logprobs,
      vision: info.features.vision,
      async_queue: info.features.asyncQueue,
    },
    price: info.price,
    requires_workers_paid: info.features.workersPaid,
    rate_limit: { pool: info.pool, requests_per_minute: info.rpm },
  };
}

/** Every model the deployment serves, then every alias whose target it serves. */
export function modelObjects(catalogue: ModelCatalogue): Model[] {
  const models = catalogue.list();
  const byId = new Map(models.map((info) => [info.id, info]));
  const aliases = catalogue.aliases().flatMap(({ alias, target }) => {
    const info = byId.get(target);
    return info ? [toModel(alias, info)] : [];
  });
  return [...models.map((info) => toModel(info.id, info)), ...aliases];
}
