/**
 * Deterministic model output for the simulator: every value is a function of the model and the
 * request, so a retried or repeated request gets the same answer, as tests need.
 */

type Inputs = Record<string, unknown>;

/** cyrb53: a fast, well-mixed 53-bit string hash (not cryptographic; it only needs to be stable). */
export function hash53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** A number in [0, 1) fixed by `key`. */
export function unitInterval(key: string): number {
  return hash53(key) / 2 ** 53;
}

/** mulberry32: a small seeded PRNG for embedding vectors. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function isObject(value: unknown): value is Inputs {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function contentText(content: unknown): string {
  if (typeof content === "string") {
    return content;
  }
  if (Array.isArray(content)) {
    return content
      .map((part) => (isObject(part) && typeof part.text === "string" ? part.text : ""))
      .join("\n");
  }
  return "";
}

/** All the text a request carries: what directives are read from and what tokens are counted on. */
export function requestText(inputs: Inputs): string {
  if (Array.isArray(inputs.messages)) {
    return inputs.messages.map((m) => (isObject(m) ? contentText(m.content) : "")).join("\n");
  }
  if (typeof inputs.prompt === "string") {
    return inputs.prompt;
  }
  if (typeof inputs.input === "string") {
    return inputs.input;
  }
  if (Array.isArray(inputs.input)) {
    // Responses API input items: messages with string or part-array content
    return inputs.input.map((item) => (isObject(item) ? contentText(item.content) : "")).join("\n");
  }
  if (Array.isArray(inputs.text)) {
    return inputs.text.filter((t) => typeof t === "string").join("\n");
  }
  return typeof inputs.text === "string" ? inputs.text : "";
}

/** `[sim:name=value]`, or `[sim:name]` for a flag. */
export const DIRECTIVE = /\[sim:([a-z_]+)(?:=([^\]\s]+))?\]/g;

/** A code, optionally limited to the first N attempts: `3040x2`. */
export type FailDirective = { code: string; attempts: number | null };

export type Directives = {
  /** `[sim:fail=3040x2]`: fail with 3040 on the first 2 attempts; `[sim:fail=5007]`: always. */
  fail?: FailDirective;
  /** `[sim:latency=200]`: this request takes 200 ms (sync calls only). */
  latencyMs?: number;
  /** `[sim:async_request_fail=3040]` in any item: the whole async request fails (`x2`: its first 2 submissions). */
  asyncRequestFail?: FailDirective;
  /** `[sim:async_lose_event]` in any item: the async request's completion event is never sent. */
  asyncLoseEvent?: boolean;
};

function failDirective(value: string): FailDirective | undefined {
  const match = /^(\d{4})(?:x(\d+))?$/.exec(value);
  return match?.[1] ? { code: match[1], attempts: match[2] ? Number(match[2]) : null } : undefined;
}

export function parseDirectives(text: string): Directives {
  const directives: Directives = {};
  for (const [, name, value = ""] of text.matchAll(DIRECTIVE)) {
    if (name === "fail") {
      directives.fail = failDirective(value) ?? directives.fail;
    } else if (name === "latency" && /^\d+$/.test(value)) {
      directives.latencyMs = Number(value);
    } else if (name === "async_request_fail") {
      directives.asyncRequestFail = failDirective(value) ?? directives.asyncRequestFail;
    } else if (name === "async_lose_event") {
      directives.asyncLoseEvent = true;
    }
  }
  return directives;
}

export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

const WORDS = [
  "batch",
  "queue",
  "model",
  "token",
  "answer",
  "request",
  "window",
  "result",
  "worker",
  "edge",
  "latency",
  "output",
  "ledger",
  "chunk",
  "stream",
  "adapter",
  "summary",
  "detail",
  "signal",
  "plan",
];

function shortName(model: string): string {
  return model.split("/").pop() ?? model;
}

/** The reply text: a short echo of the last message plus 4–27 filler words picked by the hash. */
export function replyText(model: string, text: string, lora: string | null): string {
  const seed = hash53(`${model}\u0000${lora ?? ""}\u0000${text}`);
  const next = prng(seed);
  const filler = Array.from({ length: 4 + (seed % 24) }, () => WORDS[Math.floor(next() * WORDS.length)]);
  const lastLine = text.split("\n").pop() ?? "";
  const topic = lastLine.replace(DIRECTIVE, "").replace(/\s+/g, " ").trim().slice(0, 80);
  const adapter = lora ? ` with adapter ${lora}` : "";
  return `Simulated reply from ${shortName(model)}${adapter} to "${topic}": ${filler.join(" ")}.`;
}

/** A value that satisfies a (simple) JSON Schema, for JSON mode and tool-call arguments. */
export function sampleFromSchema(schema: unknown, text: string, depth = 0): unknown {
  if (!isObject(schema) || depth > 6) {
    return null;
  }
  if ("const" in schema) {
    return schema.const;
  }
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    return schema.enum[0];
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "string":
      return text.slice(0, 60);
    case "number":
    case "integer":
      return typeof schema.minimum === "number" ? schema.minimum : 1;
    case "boolean":
      return true;
    case "array":
      return [sampleFromSchema(schema.items, text, depth + 1)];
    case "object": {
      const properties = isObject(schema.properties) ? schema.properties : {};
      return Object.fromEntries(
        Object.entries(properties).map(([key, child]) => [key, sampleFromSchema(child, text, depth + 1)]),
      );
    }
    default:
      return isObject(schema.properties)
        ? sampleFromSchema({ ...schema, type: "object" }, text, depth)
        : null;
  }
}

/** Unit-length vectors, one per text, fixed by model and text. */
export function embeddingVectors(model: string, texts: string[], dimensions: number): number[][] {
  return texts.map((text) => {
    const next = prng(hash53(`${model}\u0000${text}`));
    const vector = Array.from({ length: dimensions }, () => next() * 2 - 1);
    const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0)) || 1;
    return vector.map((x) => x / norm);
  });
}
