import { type Schema, Validator } from "@cfworker/json-schema";
import type { JsonSchema } from "../model-spec";

/**
 * Checks a model input against the model's published input schema, as Workers AI does before it
 * runs a model, and words a violation like Workers AI's 5006 ("Error: oneOf at '/' not met, …").
 *
 * The published schemas put each input shape in a `oneOf` branch, and several branches have no
 * `required` (llama-3.3-70b's "Async Batch" branch matches any object), so a strict `oneOf` would
 * refuse the documented `{messages}` input for matching two branches. Workers AI accepts it, so the
 * branches are checked as alternatives (`anyOf`): an input must match at least one of them. A
 * branch with no `required` (that "Async Batch" one) must at least carry one of its properties, or
 * every object would pass through it.
 */

type Check = { valid: true } | { valid: false; message: string };

/** Validators per schema object; the schemas are module constants, so this cache is bounded. */
const validators = new WeakMap<JsonSchema, Validator>();

function asAlternatives(schema: unknown): unknown {
  if (Array.isArray(schema)) {
    return schema.map(asAlternatives);
  }
  if (schema === null || typeof schema !== "object") {
    return schema;
  }
  const out: Record<string, unknown> = Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [
      key === "oneOf" ? "anyOf" : key,
      key === "oneOf" && Array.isArray(value) ? value.map(asBranch) : asAlternatives(value),
    ]),
  );
  return out;
}

function asBranch(branch: unknown): unknown {
  const converted = asAlternatives(branch);
  if (converted === null || typeof converted !== "object" || Array.isArray(converted)) {
    return converted;
  }
  const { properties, required } = converted as { properties?: unknown; required?: unknown };
  if (required !== undefined || properties === null || typeof properties !== "object") {
    return converted;
  }
  const names = Object.keys(properties);
  return names.length > 0 ? { ...converted, anyOf: names.map((name) => ({ required: [name] })) } : converted;
}

function validatorFor(schema: JsonSchema): Validator {
  let validator = validators.get(schema);
  if (!validator) {
    validator = new Validator(asAlternatives(schema) as Schema, "7", false);
    validators.set(schema, validator);
  }
  return validator;
}

function pointer(instanceLocation: string): string {
  const path = instanceLocation.replace(/^#/, "");
  return path === "" ? "/" : path;
}

export function checkInput(schema: JsonSchema, inputs: unknown): Check {
  const result = validatorFor(schema).validate(inputs);
  if (result.valid) {
    return { valid: true };
  }
  const [first, ...rest] = result.errors;
  const details = rest
    .filter((error) => error.keyword !== "anyOf" && error.keyword !== "properties")
    .slice(0, 3)
    .map((error) => `${error.keyword} at '${pointer(error.instanceLocation)}': ${error.error}`);
  const keyword = first?.keyword === "anyOf" ? "oneOf" : (first?.keyword ?? "schema");
  const head = `Error: ${keyword} at '${pointer(first?.instanceLocation ?? "#")}' not met`;
  return { valid: false, message: details.length > 0 ? `${head}, ${details.join(", ")}` : head };
}
