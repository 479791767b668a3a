import type { ModelCatalogue, ModelInfo } from "../../inference/types";
import type { Model } from "../../schemas/model";

/** `@cf/meta/llama-…` is owned by `meta`. */
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
