import { z } from "zod";
import { type AiBinding, WORKERS_AI_TASK_NAMES } from "./ai-binding";
import { DEFAULT_MODEL_ALIASES, KNOWN_MODELS, modelSpec, retiredModel, toModelInfo } from "./known-models";
import type { ModelAlias, ModelCatalogue, ModelInfo, ResolvedModel } from "./types";

const MAX_ADAPTER_NAME = 256;

/**
 * A catalogue over a fixed list of models and aliases. `resolve` follows the Predibase convention
 * for per-line LoRA: with a base model, an absent or empty name is the base model, and a name that
 * is neither a model nor an alias is an adapter on the base (only if the base takes adapters).
 */
export class StaticCatalogue implements ModelCatalogue {
  private readonly byId: Map<string, ModelInfo>;
  private readonly aliasMap: Map<string, string>;

  constructor(models: readonly ModelInfo[], aliases: Readonly<Record<string, string>> = {}) {
    this.byId = new Map(models.map((model) => [model.id, model]));
    this.aliasMap = new Map(Object.entries(aliases));
  }

  list(): ModelInfo[] {
    return [...this.byId.values()];
  }

  aliases(): ModelAlias[] {
    return [...this.aliasMap].map(([alias, target]) => ({ alias, target }));
  }

  resolve(name: string | undefined, baseModel?: string | null): ResolvedModel | null {
    if (!baseModel) {
      return name ? this.resolveName(name) : null;
    }
    const base = this.resolveName(baseModel);
    if (!base || !name) {
      return base;
    }
    const direct = this.resolveName(name);
    if (direct) {
      return direct;
    }
    if (!this.byId.get(base.id)?.lora || !isAdapterName(name)) {
      return null;
    }
    return { ...base, requested: name, lora: name };
  }

  private resolveName(name: string): ResolvedModel | null {
    const model = this.byId.get(name) ?? this.byId.get(this.aliasMap.get(name) ?? "");
    if (!model) {
      return null;
    }
    return {
      requested: name,
      id: model.id,
      task: model.task,
      pool: model.pool,
      rpm: model.rpm,
      features: model.features,
      lora: null,
    };
  }

  retirement(name: string): { retiredOn: string; replacement: string | null } | null {
    const retired = retiredModel(this.aliasMap.get(name) ?? name);
    return retired ? { retiredOn: retired.retiredOn, replacement: retired.replacement } : null;
  }
}

/** An `@…` name is a mistyped model id, never an adapter; whitespace never occurs in adapter names. */
function isAdapterName(name: string): boolean {
  return name.length <= MAX_ADAPTER_NAME && !name.startsWith("@") && !/\s/.test(name);
}

const CatalogueEntrySchema = z.object({
  name: z.string(),
  task: z.object({ name: z.string() }),
  created_at: z.string().optional(),
});

function isTaskName(name: string): name is keyof typeof WORKERS_AI_TASK_NAMES {
  return Object.hasOwn(WORKERS_AI_TASK_NAMES, name);
}

function parseCreated(createdAt: string | undefined): number | undefined {
  const ms = createdAt ? Date.parse(`${createdAt.replace(" ", "T")}Z`) : Number.NaN;
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

/**
 * The models of an `env.AI.models()` answer that the checked-in catalogue knows: the live list says
 * what the account can run today, the catalogue what each model is (task, features, pool, schema).
 * A model missing from the catalogue is not served until the catalogue is regenerated.
 */
export function modelsFromSearch(entries: unknown[]): ModelInfo[] {
  const models: ModelInfo[] = [];
  for (const raw of entries) {
    const entry = CatalogueEntrySchema.safeParse(raw);
    if (!entry.success || !isTaskName(entry.data.task.name)) {
      continue;
    }
    const spec = modelSpec(entry.data.name);
    if (spec && spec.task === WORKERS_AI_TASK_NAMES[entry.data.task.name]) {
      models.push(toModelInfo(spec, parseCreated(entry.data.created_at)));
    }
  }
  return models;
}

type CacheEntry = { models: readonly ModelInfo[]; expiresAt: number };

/**
 * Caches the model list. The default instance lives for the isolate (a documented module-level
 * cache): the list changes rarely and `models()` is a network round trip. A failed load falls back
 * to the built-in list for a short while, so a catalogue blip neither fails requests nor sticks.
 */
export class CatalogueCache {
  private entry: CacheEntry | null = null;
  private loading: Promise<readonly ModelInfo[]> | null = null;

  constructor(
    private readonly ttlMs = 10 * 60_000,
    private readonly failureTtlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async models(ai: AiBinding): Promise<readonly ModelInfo[]> {
    if (this.entry && this.entry.expiresAt > this.now()) {
      return this.entry.models;
    }
    this.loading ??= this.load(ai).finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async load(ai: AiBinding): Promise<readonly ModelInfo[]> {
    try {
      const models = modelsFromSearch(await ai.models({ per_page: 1000 }));
      if (models.length > 0) {
        this.entry = { models, expiresAt: this.now() + this.ttlMs };
        return models;
      }
      console.warn(JSON.stringify({ msg: "Workers AI lists no catalogued model; using the built-in list" }));
    } catch (err) {
      console.warn(JSON.stringify({ msg: "Workers AI catalogue unavailable", err: String(err) }));
    }
    this.entry = { models: KNOWN_MODELS, expiresAt: this.now() + this.failureTtlMs };
    return KNOWN_MODELS;
  }
}

export const isolateCatalogueCache = new CatalogueCache();

const AliasMapSchema = z.record(z.string().min(1), z.string().min(1));

/**
 * The alias map from the optional `MODEL_ALIASES` var: a JSON object string (or a TOML table,
 * which wrangler passes as an object). Unset or empty means the built-in defaults; `{}` means none.
 */
export function parseModelAliases(vars: object): Record<string, string> {
  // an optional var: not declared in wrangler.toml, so not on the generated Env type
  const raw = "MODEL_ALIASES" in vars ? vars.MODEL_ALIASES : undefined;
  if (raw === undefined || raw === null || raw === "") {
    return { ...DEFAULT_MODEL_ALIASES };
  }
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new Error("MODEL_ALIASES must be a JSON object of alias → Workers AI model id.");
    }
  }
  const parsed = AliasMapSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error("MODEL_ALIASES must be a JSON object of alias → Workers AI model id.");
  }
  return parsed.data;
}
