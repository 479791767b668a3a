import { describe, expect, it, vi } from "vitest";
import type { AiBinding } from "../../src/inference/ai-binding";
import {
  CatalogueCache,
  modelsFromSearch,
  parseModelAliases,
  StaticCatalogue,
} from "../../src/inference/catalogue";
import {
  DEFAULT_MODEL_ALIASES,
  KNOWN_MODELS,
  modelSpec,
  toModelInfo,
} from "../../src/inference/known-models";
import { searchModels } from "../../src/inference/simulator/models";

const LORA_BASE = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
const NO_LORA = "@cf/meta/llama-3.1-8b-instruct-fast";
function info(id: string) {
  const spec = modelSpec(id);
  if (!spec) {
    throw new Error(`${id} is not catalogued`);
  }
  return toModelInfo(spec);
}

const catalogue = new StaticCatalogue([info(LORA_BASE), info(NO_LORA), info("@cf/baai/bge-large-en-v1.5")], {
  "gpt-4o-mini": NO_LORA,
  "text-embedding-3-large": "@cf/baai/bge-large-en-v1.5",
  ghost: "@cf/none/x",
});

describe("StaticCatalogue.resolve", () => {
  it.each([
    ["an @cf id", NO_LORA, null, { requested: NO_LORA, id: NO_LORA, lora: null, rpm: 300 }],
    ["an alias", "gpt-4o-mini", null, { requested: "gpt-4o-mini", id: NO_LORA }],
    [
      "an embeddings alias",
      "text-embedding-3-large",
      null,
      { id: "@cf/baai/bge-large-en-v1.5", task: "text-embeddings", rpm: 1500 },
    ],
    ["no name with a base model", undefined, LORA_BASE, { requested: LORA_BASE, id: LORA_BASE, lora: null }],
    ["an empty name with a base model", "", LORA_BASE, { id: LORA_BASE, lora: null }],
    ["a base model given as an alias", undefined, "gpt-4o-mini", { requested: "gpt-4o-mini", id: NO_LORA }],
    ["a catalogue model with a base model", NO_LORA, LORA_BASE, { id: NO_LORA, lora: null }],
    [
      "an adapter on a LoRA-capable base",
      "support-bot-v2",
      LORA_BASE,
      { requested: "support-bot-v2", id: LORA_BASE, lora: "support-bot-v2", task: "text-generation" },
    ],
  ])("resolves %s", (_label, name, base, expected) => {
    expect(catalogue.resolve(name, base)).toMatchObject(expected);
  });

  it.each([
    ["an unknown name without a base", "support-bot-v2", null],
    ["an adapter on a base that takes none", "support-bot-v2", NO_LORA],
    ["a mistyped @cf id on a LoRA base", "@cf/meta/llama-9", LORA_BASE],
    ["an adapter name with spaces", "my adapter", LORA_BASE],
    ["an unknown base", undefined, "@cf/none/x"],
    ["an alias to a model the catalogue lacks", "ghost", null],
    ["nothing at all", undefined, null],
  ])("returns null for %s", (_label, name, base) => {
    expect(catalogue.resolve(name, base)).toBeNull();
  });

  it("lists models and aliases", () => {
    expect(catalogue.list().map((m) => m.id)).toEqual([LORA_BASE, NO_LORA, "@cf/baai/bge-large-en-v1.5"]);
    expect(catalogue.aliases()).toContainEqual({ alias: "gpt-4o-mini", target: NO_LORA });
  });
});

describe("the built-in knowledge", () => {
  it.each([
    ["@cf/meta/llama-3.3-70b-instruct-fp8-fast", 300, true],
    ["@cf/baai/bge-base-en-v1.5", 3000, false],
    ["@cf/baai/bge-large-en-v1.5", 1500, false],
    ["@cf/mistral/mistral-7b-instruct-v0.2-lora", 300, true],
  ])("%s: %i rpm, lora %s", (id, rpm, lora) => {
    expect(KNOWN_MODELS.find((m) => m.id === id)).toMatchObject({ rpm, lora });
  });

  it("puts every text-generation model of the account in one pool, and a model with its own limit in its own", () => {
    const pools = new Set(KNOWN_MODELS.filter((m) => m.task === "text-generation").map((m) => m.pool));
    expect(pools).toEqual(new Set(["task:text-generation"]));
    expect(info("@cf/baai/bge-large-en-v1.5")).toMatchObject({
      pool: "model:@cf/baai/bge-large-en-v1.5",
      rpm: 1500,
    });
    expect(info("@cf/baai/bge-m3")).toMatchObject({ pool: "task:text-embeddings", rpm: 3000 });
  });

  it("points every default alias at a known model", () => {
    const ids = new Set(KNOWN_MODELS.map((m) => m.id));
    for (const target of Object.values(DEFAULT_MODEL_ALIASES)) {
      expect(ids).toContain(target);
    }
  });
});

describe("modelsFromSearch", () => {
  it("serves the listed models the checked-in catalogue knows, with the catalogue's facts", () => {
    const models = modelsFromSearch([
      { name: NO_LORA, task: { name: "Text Generation" }, created_at: "2024-04-01 22:14:40.529" },
      { name: "@cf/baai/bge-m3", task: { name: "Text Embeddings" }, properties: [] },
      { name: "@cf/x/tuned", task: { name: "Text Generation" } },
      { name: "@cf/x/image", task: { name: "Text-to-Image" } },
      { broken: true },
    ]);
    expect(models.map((m) => [m.id, m.task, m.pool, m.created])).toEqual([
      [NO_LORA, "text-generation", "task:text-generation", 1712009680],
      ["@cf/baai/bge-m3", "text-embeddings", "task:text-embeddings", 1716406029],
    ]);
  });

  it("marks documented LoRA models even without the property", () => {
    const [model] = modelsFromSearch([
      { name: LORA_BASE, task: { name: "Text Generation" }, properties: [] },
    ]);
    expect(model?.lora).toBe(true);
  });
});

describe("CatalogueCache", () => {
  function fakeAi(models: () => Promise<AiModelsSearchObject[]>): AiBinding {
    return { run: async () => ({}), models: vi.fn(models) };
  }

  it("asks the binding once per TTL and shares a load in flight", async () => {
    let now = 0;
    const cache = new CatalogueCache(1_000, 100, () => now);
    const ai = fakeAi(async () => searchModels());
    const [a, b] = await Promise.all([cache.models(ai), cache.models(ai)]);
    expect(a).toBe(b);
    expect(a.some((m) => m.id === "@cf/openai/gpt-oss-120b")).toBe(true);
    now = 999;
    await cache.models(ai);
    expect(ai.models).toHaveBeenCalledTimes(1);
    now = 1_000;
    await cache.models(ai);
    expect(ai.models).toHaveBeenCalledTimes(2);
  });

  it("falls back to the built-in list for a short while when models() fails", async () => {
    let now = 0;
    const cache = new CatalogueCache(1_000, 100, () => now);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const ai = fakeAi(async () => {
      throw new Error("5007: no");
    });
    expect(await cache.models(ai)).toBe(KNOWN_MODELS);
    now = 100;
    await cache.models(ai);
    expect(ai.models).toHaveBeenCalledTimes(2);
    warn.mockRestore();
  });
});

describe("parseModelAliases", () => {
  it.each([
    ["unset", {}, DEFAULT_MODEL_ALIASES],
    ["empty", { MODEL_ALIASES: "" }, DEFAULT_MODEL_ALIASES],
    ["a JSON string", { MODEL_ALIASES: '{"fast":"@cf/a/b"}' }, { fast: "@cf/a/b" }],
    ["a TOML table (an object)", { MODEL_ALIASES: { fast: "@cf/a/b" } }, { fast: "@cf/a/b" }],
    ["{} (no aliases)", { MODEL_ALIASES: "{}" }, {}],
  ])("reads %s", (_label, vars, expected) => {
    expect(parseModelAliases(vars)).toEqual(expected);
  });

  it.each([["not JSON"], ['["a"]'], ['{"a": 1}'], ['{"": "@cf/a/b"}']])("refuses %s", (raw) => {
    expect(() => parseModelAliases({ MODEL_ALIASES: raw })).toThrow(/MODEL_ALIASES/);
  });
});
