import type { ResolvedModel } from "../models";
import { type LineError, lineErrors } from "./batch-errors";

/**
 * The per-line rules of a `/v1/responses` batch line's body: `input` (a string or input items) and
 * the Responses API features its model must have (`text.format` JSON mode, function `tools`,
 * `reasoning.effort`). Parameters that need state this API does not keep are refused.
 */

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isMissing(value: unknown): boolean {
  return value === undefined || value === null;
}

const STATEFUL = ["previous_response_id", "conversation", "prompt"] as const;

export function checkResponsesInput(body: JsonObject): LineError | null {
  if (isMissing(body.input)) {
    return lineErrors.missing("body.input");
  }
  if (typeof body.input !== "string" && !Array.isArray(body.input)) {
    return lineErrors.invalidType("body.input", "a string or an array", body.input);
  }
  if (Array.isArray(body.input) && body.input.length === 0) {
    return lineErrors.emptyArray("body.input");
  }
  if (!isMissing(body.instructions) && typeof body.instructions !== "string") {
    return lineErrors.invalidType("body.instructions", "a string", body.instructions);
  }
  if (!isMissing(body.tools) && !Array.isArray(body.tools)) {
    return lineErrors.invalidType("body.tools", "an array", body.tools);
  }
  for (const name of STATEFUL) {
    if (!isMissing(body[name])) {
      return {
        code: "unsupported_parameter",
        message: `'${name}' is not supported in the Batch API: every line must carry its whole input.`,
        param: `body.${name}`,
      };
    }
  }
  return null;
}

export function checkResponsesFeatures(body: JsonObject, model: ResolvedModel): LineError | null {
  const { features } = model;
  const unsupported = (feature: string, param: string) =>
    lineErrors.unsupportedFeature(model, feature, param);
  const text = isObject(body.text) ? body.text : {};
  const format = isObject(text.format) ? text.format.type : undefined;
  if ((format === "json_object" || format === "json_schema") && !features.jsonMode) {
    return unsupported(`text.format '${format}' (JSON mode)`, "text.format");
  }
  const tools = Array.isArray(body.tools) ? body.tools : [];
  const builtIn = tools.findIndex((tool) => !isObject(tool) || tool.type !== "function");
  if (builtIn >= 0) {
    const type = isObject(tools[builtIn]) ? String(tools[builtIn].type) : "non-object";
    return {
      code: "unsupported_parameter",
      message: `Tool type '${type}' is not supported in the Batch API: only function tools are.`,
      param: `body.tools[${builtIn}]`,
    };
  }
  if (tools.length > 0 && body.tool_choice !== "none" && !features.functionCalling) {
    return unsupported("tools (function calling)", "tools");
  }
  const effort = isObject(body.reasoning) ? body.reasoning.effort : undefined;
  if (!isMissing(effort) && !features.reasoningEfforts.includes(String(effort))) {
    const which =
      features.reasoningEfforts.length > 0 ? `reasoning.effort '${String(effort)}'` : "reasoning.effort";
    return unsupported(which, "reasoning.effort");
  }
  return null;
}
