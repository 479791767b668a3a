import type { JsonSchema, ModelSpec } from "./model-spec";

/**
 * Brings translated inputs into the ranges of the target model's published input schema, so that
 * Workers AI does not refuse an OpenAI body it could run (5006): OpenAI allows
 * `frequency_penalty: -1`, llama-3.1-8b-instruct-fast's schema starts at 0; OpenAI's `top_p: 0`
 * is below llama-3.3's 0.001. Numbers are clamped into `minimum`..`maximum` of the branch the
 * input uses (Messages or Prompt); nothing else changes.
 */

type Inputs = Record<string, unknown>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The first object branch (at any `oneOf` depth) that requires `field`. */
export function branchRequiring(schema: unknown, field: string): JsonSchema | null {
  if (!isObject(schema)) {
    return null;
  }
  if (Array.isArray(schema.required) && schema.required.includes(field) && isObject(schema.properties)) {
    return schema;
  }
  const branches = [schema.oneOf, schema.anyOf].flatMap((list) => (Array.isArray(list) ? list : []));
  for (const branch of branches) {
    const found = branchRequiring(branch, field);
    if (found) {
      return found;
    }
  }
  return null;
}

function clamp(value: number, spec: Record<string, unknown>): number {
  const min = typeof spec.minimum === "number" ? spec.minimum : Number.NEGATIVE_INFINITY;
  const max = typeof spec.maximum === "number" ? spec.maximum : Number.POSITIVE_INFINITY;
  const clamped = Math.min(max, Math.max(min, value));
  return spec.type === "integer" ? Math.round(clamped) : clamped;
}

export function fitInputsToSchema(inputs: Inputs, spec: ModelSpec | undefined): Inputs {
  const input = spec?.schema?.input;
  const field = "messages" in inputs ? "messages" : "prompt" in inputs ? "prompt" : null;
  const branch = input && field ? branchRequiring(input, field) : null;
  if (!branch || !isObject(branch.properties)) {
    return inputs;
  }
  const fitted: Inputs = { ...inputs };
  for (const [name, value] of Object.entries(inputs)) {
    const declared = branch.properties[name];
    if (typeof value === "number" && isObject(declared)) {
      fitted[name] = clamp(value, declared);
    }
  }
  return fitted;
}
