import type { RawLine } from "../../../src/domain/jsonl/line-reader";
import { readLines } from "../../../src/domain/jsonl/line-reader";
import { modelSpec, retiredModel, toModelInfo } from "../../../src/inference/known-models";
import type { ModelCatalogue, ModelInfo, ResolvedModel } from "../../../src/inference/types";

export const LLAMA = "@cf/meta/llama-3.1-8b-instruct-fast";
export const MISTRAL_LORA = "@cf/mistral/mistral-7b-instruct-v0.2-lora";
export const BGE = "@cf/baai/bge-base-en-v1.5";

export const GPT_OSS = "@cf/openai/gpt-oss-120b";

/** Catalogue entries of real models, so that features and pools are the published ones. */
const MODELS: ModelInfo[] = [LLAMA, MISTRAL_LORA, BGE, GPT_OSS].map((id) => {
  const spec = modelSpec(id);
  if (!spec) {
    throw new Error(`${id} is not in the model catalogue`);
  }
  return toModelInfo(spec);
});
const ALIASES: Record<string, string> = { "llama-3.1-8b": LLAMA };

/**
 * A catalogue with the semantics `ModelCatalogue.resolve` documents: ids and aliases resolve; with
 * a LoRA-capable base model any other name is an adapter on it; "" or absent means the base.
 */
export class FakeCatalogue implements ModelCatalogue {
  list(): ModelInfo[] {
    return MODELS;
  }

  aliases(): { alias: string; target: string }[] {
    return Object.entries(ALIASES).map(([alias, target]) => ({ alias, target }));
  }

  resolve(name: string | undefined, baseModel?: string | null): ResolvedModel | null {
    if (name === undefined || name === "") {
      return baseModel ? this.resolve(baseModel) : null;
    }
    const info = MODELS.find((model) => model.id === (ALIASES[name] ?? name));
    if (info) {
      const { id, task, pool, rpm, features } = info;
      return { requested: name, id, task, pool, rpm, features, lora: null };
    }
    const base = baseModel ? this.resolve(baseModel) : null;
    if (base && MODELS.some((model) => model.id === base.id && model.lora)) {
      return { ...base, requested: name, lora: name };
    }
    return null;
  }

  retirement(name: string): { retiredOn: string; replacement: string | null } | null {
    const retired = retiredModel(name);
    return retired ? { retiredOn: retired.retiredOn, replacement: retired.replacement } : null;
  }
}

export const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
export const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/**
 * A pull stream over `bytes`, cut into pieces whose sizes cycle through `sizes`. `onCancel` sees
 * a cancel, and `pulled` counts the bytes handed out, so tests can prove an early stop.
 */
export function streamOf(
  bytes: Uint8Array,
  sizes: number[] = [65536],
  hooks: { onCancel?: () => void; failAt?: number } = {},
): ReadableStream<Uint8Array> & { pulled: () => number } {
  let offset = 0;
  let turn = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (hooks.failAt !== undefined && offset >= hooks.failAt) {
        controller.error(new Error("network went away"));
        return;
      }
      if (offset >= bytes.byteLength) {
        controller.close();
        return;
      }
      const size = sizes[turn++ % sizes.length] ?? 1;
      // A copy, as a real body gives: the reader must not depend on views of one big buffer.
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
    cancel() {
      hooks.onCancel?.();
    },
  });
  return Object.assign(stream, { pulled: () => Math.min(offset, bytes.byteLength) });
}

export async function collectLines(
  stream: ReadableStream<Uint8Array>,
  options: { maxLineBytes?: number } = {},
): Promise<RawLine[]> {
  const out: RawLine[] = [];
  for await (const line of readLines(stream, options)) {
    out.push(line);
  }
  return out;
}

type Request = { custom_id?: unknown; method?: unknown; url?: unknown; body?: unknown };

/** A valid chat request line, with fields overridden (or removed with `undefined`). */
export function chatLine(customId: string, overrides: Request & Record<string, unknown> = {}): string {
  return JSON.stringify({
    custom_id: customId,
    method: "POST",
    url: "/v1/chat/completions",
    body: { model: LLAMA, messages: [{ role: "user", content: `hello ${customId}` }] },
    ...overrides,
  });
}

export function jsonl(lines: string[], eol = "\n"): Uint8Array {
  return encode(lines.map((line) => line + eol).join(""));
}
