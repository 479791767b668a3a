#!/usr/bin/env node
/**
 * Turns Cloudflare's published Workers AI model JSON (committed, trimmed, under data/workers-ai-models/)
 * into src/inference/model-catalogue.generated.ts: the one source of model ids, tasks, features,
 * prices, rate-limit pools and schemas. Runs offline.
 *
 *   node scripts/generate-model-catalogue.mjs          # rewrite the module
 *   node scripts/generate-model-catalogue.mjs --check  # exit 1 if the module is not what the data gives
 *
 * `buildCatalogue` is pure (no Node APIs) so a workerd test can compare the checked-in module with it.
 */

const TASKS = { "Text Generation": "text-generation", "Text Embeddings": "text-embeddings" };
const DEFAULT_REPO = "cloudflare/cloudflare-docs";
export const GENERATED_PATH = "src/inference/model-catalogue.generated.ts";

function property(model, id) {
  return (model.properties ?? []).find((p) => p.property_id === id)?.value;
}

function isTrue(value) {
  return value === true || value === "true";
}

function numberOrNull(value) {
  const n = Number(value);
  return value === undefined || value === null || !Number.isFinite(n) ? null : n;
}

/** Whether some object schema under `schema` declares the property `name`. */
function declares(schema, name) {
  if (Array.isArray(schema)) {
    return schema.some((child) => declares(child, name));
  }
  if (schema === null || typeof schema !== "object") {
    return false;
  }
  if (schema.properties && Object.hasOwn(schema.properties, name)) {
    return true;
  }
  return Object.entries(schema).some(([key, child]) => key !== "properties" && declares(child, name));
}

/** A top-level input branch that requires `field` (e.g. the Responses branch requires `input`). */
function hasBranchRequiring(schema, field) {
  const branches = schema?.oneOf ?? schema?.anyOf ?? [];
  return branches.some(
    (branch) => (branch.required ?? []).includes(field) || hasBranchRequiring(branch, field),
  );
}

function parseCreated(createdAt) {
  if (!createdAt) {
    return null;
  }
  const ms = Date.parse(`${createdAt.replace(" ", "T")}Z`);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
}

function poolFor(name, taskName, limits) {
  const override = limits.models[name];
  if (override !== undefined) {
    return { key: `model:${name}`, rpm: override };
  }
  return { key: `task:${TASKS[taskName]}`, rpm: limits.tasks[taskName] };
}

function toSpec(raw, limits) {
  const task = TASKS[raw.task?.name];
  if (!task) {
    throw new Error(`${raw.name}: task '${raw.task?.name}' is not one this API serves`);
  }
  const input = raw.schema?.input ?? null;
  const reasoningEffort = property(raw, "reasoning_effort");
  const price = property(raw, "price");
  return {
    id: raw.name,
    catalogueId: raw.id,
    task,
    description: raw.description ?? "",
    created: parseCreated(raw.created_at),
    contextWindow: numberOrNull(property(raw, "context_window")),
    price: Array.isArray(price)
      ? price.map(({ unit, price: amount, currency }) => ({ unit, price: amount, currency }))
      : null,
    pool: poolFor(raw.name, raw.task.name, limits),
    dimensions: numberOrNull(property(raw, "output_dimensions")),
    features: {
      asyncQueue: isTrue(property(raw, "async_queue")),
      lora: isTrue(property(raw, "lora")) || limits.lora_models.ids.includes(raw.name),
      functionCalling: isTrue(property(raw, "function_calling")),
      jsonMode: declares(input, "response_format"),
      reasoning: isTrue(property(raw, "reasoning")),
      reasoningEfforts: Array.isArray(reasoningEffort?.supported_efforts)
        ? reasoningEffort.supported_efforts
        : [],
      responses: hasBranchRequiring(input, "input"),
      logprobs: declares(input, "logprobs"),
      vision: isTrue(property(raw, "vision")),
      workersPaid: isTrue(property(raw, "require_workers_paid")),
    },
    source: { repo: raw.source.repo ?? DEFAULT_REPO, path: raw.source.path, commit: raw.source.commit },
    schema: raw.schema ? { input: raw.schema.input, output: raw.schema.output } : null,
  };
}

/**
 * The catalogue from the committed data: `models` are the parsed per-model files, `limits` and
 * `retired` the parsed limits.json and retired.json.
 */
export function buildCatalogue({ models, limits, retired }) {
  const specs = models.map((raw) => toSpec(raw, limits)).sort((a, b) => a.id.localeCompare(b.id));
  const retiredIds = new Set(retired.models.map((m) => m.id));
  for (const spec of specs) {
    if (retiredIds.has(spec.id)) {
      throw new Error(`${spec.id} is in the catalogue data but was retired on ${retired.retired_on}`);
    }
  }
  return {
    sources: {
      limits: { repo: limits.source.repo, path: limits.source.path, commit: limits.source.commit },
      loras: limits.lora_models.source,
      retired: retired.source,
    },
    retiredOn: retired.retired_on,
    retired: retired.models.map(({ id, replacement }) => ({ id, replacement })),
    models: specs,
  };
}

export function renderModule(catalogue) {
  return [
    "// Generated by scripts/generate-model-catalogue.mjs from data/workers-ai-models/ (Cloudflare's",
    "// published model JSON, each model's source commit recorded below). Do not edit: change the data and",
    "// run `node scripts/generate-model-catalogue.mjs`.",
    'import type { CatalogueData } from "./model-spec";',
    "",
    `export const CATALOGUE_DATA: CatalogueData = ${JSON.stringify(catalogue, null, 2)};`,
    "",
  ].join("\n");
}

async function main() {
  const fs = await import("node:fs/promises");
  const path = await import("node:path");
  const { execFileSync } = await import("node:child_process");
  const root = path.join(path.dirname(new URL(import.meta.url).pathname), "..");
  const dataDir = path.join(root, "data/workers-ai-models");
  const readJson = async (file) => JSON.parse(await fs.readFile(file, "utf8"));
  const modelFiles = (await fs.readdir(path.join(dataDir, "models")))
    .filter((f) => f.endsWith(".json"))
    .sort();
  const catalogue = buildCatalogue({
    models: await Promise.all(modelFiles.map((f) => readJson(path.join(dataDir, "models", f)))),
    limits: await readJson(path.join(dataDir, "limits.json")),
    retired: await readJson(path.join(dataDir, "retired.json")),
  });
  const target = path.join(root, GENERATED_PATH);
  // formatted as `biome check` wants it, so that lint and this check agree
  const source = execFileSync(
    path.join(root, "node_modules/.bin/biome"),
    ["format", `--stdin-file-path=${GENERATED_PATH}`],
    { cwd: root, input: renderModule(catalogue), encoding: "utf8" },
  );
  if (process.argv.includes("--check")) {
    const current = await fs.readFile(target, "utf8").catch(() => "");
    if (current !== source) {
      console.error(`${GENERATED_PATH} is out of date: run node scripts/generate-model-catalogue.mjs`);
      process.exit(1);
    }
    console.log(`${GENERATED_PATH} is up to date (${catalogue.models.length} models).`);
    return;
  }
  await fs.writeFile(target, source);
  console.log(`wrote ${GENERATED_PATH} (${catalogue.models.length} models)`);
}

if (typeof process !== "undefined" && process.argv?.[1]?.endsWith("generate-model-catalogue.mjs")) {
  await main();
}
