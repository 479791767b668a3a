import type { BatchEndpoint, ModelCatalogue, ModelTask, ResolvedModel } from "../models";
import { type LineError, lineErrors } from "./batch-errors";
import { checkResponsesFeatures, checkResponsesInput } from "./validate-responses";

/**
 * The rules for one input line on its own (openai-batch-contract.md §2.3–2.4). Cross-line rules
 * (duplicate `custom_id`, one model per batch, the request limit) live in validate-input.ts.
 * A line gets one error: the first failed check, in the order of `checkRequestLine`.
 */

export type LineRules = {
  endpoint: BatchEndpoint;
  catalogue: ModelCatalogue;
  /** The batch's base model (a create extension): a line without `body.model` runs on it. */
  baseModel: string | null;
};

export type LineCheck =
  | { ok: true; customId: string; model: ResolvedModel }
  /** `customId` is kept when it is a string, so later duplicates of a bad line are still found. */
  | { ok: false; customId: string | null; error: LineError };

type JsonObject = Record<string, unknown>;

const REQUIRED_FIELDS = ["custom_id", "method", "url", "body"] as const;

const ENDPOINTS = {
  "/v1/responses": { task: "text-generation", label: "Responses", checkBody: checkResponsesInput },
  "/v1/chat/completions": { task: "text-generation", label: "Chat Completions", checkBody: checkMessages },
  "/v1/completions": { task: "text-generation", label: "Completions", checkBody: checkPrompt },
  "/v1/embeddings": { task: "text-embeddings", label: "Embeddings", checkBody: checkInput },
} as const satisfies Record<
  BatchEndpoint,
  { task: ModelTask; label: string; checkBody: (body: JsonObject) => LineError | null }
>;

/** The model task an endpoint needs. */
export function endpointTask(endpoint: BatchEndpoint): ModelTask {
  return ENDPOINTS[endpoint].task;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Null counts as missing: `{"custom_id": null}` is as unusable as no `custom_id`. */
function isMissing(value: unknown): boolean {
  return value === undefined || value === null;
}

function parseObject(text: string): JsonObject | null {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

export function checkRequestLine(text: string, rules: LineRules): LineCheck {
  const line = parseObject(text);
  if (line === null) {
    return { ok: false, customId: null, error: lineErrors.invalidJson() };
  }
  const customId = typeof line.custom_id === "string" ? line.custom_id : null;
  const fail = (error: LineError): LineCheck => ({ ok: false, customId, error });

  for (const field of REQUIRED_FIELDS) {
    if (isMissing(line[field])) {
      return fail(lineErrors.missing(field));
    }
  }
  if (customId === null) {
    return fail(lineErrors.invalidType("custom_id", "a string", line.custom_id));
  }
  if (typeof line.method !== "string") {
    return fail(lineErrors.invalidType("method", "a string", line.method));
  }
  if (line.method !== "POST") {
    return fail(lineErrors.invalidMethod(line.method));
  }
  if (typeof line.url !== "string") {
    return fail(lineErrors.invalidType("url", "a string", line.url));
  }
  if (line.url !== rules.endpoint) {
    return fail(lineErrors.invalidUrl());
  }
  const body = line.body;
  if (!isObject(body)) {
    return fail(lineErrors.invalidType("body", "an object", body));
  }
  const model = resolveModel(body, rules);
  if ("code" in model) {
    return fail(model);
  }
  const endpoint = ENDPOINTS[rules.endpoint];
  if (body.stream === true) {
    return fail(lineErrors.streaming(endpoint.label));
  }
  const features = rules.endpoint === "/v1/responses" ? checkResponsesFeatures : checkFeatures;
  const bodyError = endpoint.checkBody(body) ?? features(body, model);
  if (bodyError) {
    return fail(bodyError);
  }
  return { ok: true, customId, model };
}

function resolveModel(body: JsonObject, rules: LineRules): ResolvedModel | LineError {
  const name = body.model;
  if (!isMissing(name) && typeof name !== "string") {
    return lineErrors.invalidType("body.model", "a string", name);
  }
  // Absent, null and "" all mean "the batch's base model" (the Predibase convention).
  const given = typeof name === "string" && name !== "" ? name : undefined;
  if (given === undefined && !rules.baseModel) {
    return lineErrors.required("Model", "body.model");
  }
  const resolved = rules.catalogue.resolve(given, rules.baseModel);
  if (resolved === null) {
    const name = given ?? rules.baseModel ?? "";
    return retiredModelError(name, rules.catalogue) ?? lineErrors.modelNotFound(name);
  }
  const { task } = ENDPOINTS[rules.endpoint];
  if (resolved.task !== task) {
    return lineErrors.modelWrongTask(resolved.requested, resolved.task, rules.endpoint);
  }
  return resolved;
}

function retiredModelError(name: string, catalogue: ModelCatalogue): LineError | null {
  const retired = catalogue.retirement(name);
  if (!retired) {
    return null;
  }
  const instead = retired.replacement ? ` Use '${retired.replacement}' instead.` : "";
  return {
    code: "model_not_found",
    message: `The model '${name}' was retired by Workers AI on ${retired.retiredOn} and can no longer be used.${instead} GET /v1/models lists the models served.`,
    param: "body.model",
  };
}

const unsupported = lineErrors.unsupportedFeature;

/**
 * The features a line asks for that its model lacks (from the model's published JSON): refused at
 * validation, so a large batch fails in seconds instead of line by line after hours.
 */
function checkFeatures(body: JsonObject, model: ResolvedModel): LineError | null {
  const { features } = model;
  const format = isObject(body.response_format) ? body.response_format.type : undefined;
  if ((format === "json_object" || format === "json_schema") && !features.jsonMode) {
    return unsupported(model, `response_format '${format}' (JSON mode)`, "response_format");
  }
  const tools = Array.isArray(body.tools) && body.tools.length > 0;
  if (tools && body.tool_choice !== "none" && !features.functionCalling) {
    return unsupported(model, "tools (function calling)", "tools");
  }
  const effort = body.reasoning_effort;
  if (!isMissing(effort) && !features.reasoningEfforts.includes(String(effort))) {
    const which =
      features.reasoningEfforts.length > 0 ? `reasoning_effort '${String(effort)}'` : "reasoning_effort";
    return unsupported(model, which, "reasoning_effort");
  }
  if ((body.logprobs === true || !isMissing(body.top_logprobs)) && !features.logprobs) {
    return unsupported(model, "logprobs", body.logprobs === true ? "logprobs" : "top_logprobs");
  }
  return null;
}

function checkMessages(body: JsonObject): LineError | null {
  if (isMissing(body.messages)) {
    return lineErrors.required("Messages", "body.messages");
  }
  if (!Array.isArray(body.messages)) {
    return lineErrors.invalidType("body.messages", "an array", body.messages);
  }
  return body.messages.length === 0 ? lineErrors.emptyArray("body.messages") : null;
}

function checkPrompt(body: JsonObject): LineError | null {
  if (isMissing(body.prompt)) {
    return lineErrors.required("Prompt", "body.prompt");
  }
  if (typeof body.prompt !== "string" && !Array.isArray(body.prompt)) {
    return lineErrors.invalidType("body.prompt", "a string or an array", body.prompt);
  }
  return null;
}

function checkInput(body: JsonObject): LineError | null {
  if (isMissing(body.input)) {
    return lineErrors.required("Input", "body.input");
  }
  if (typeof body.input !== "string" && !Array.isArray(body.input)) {
    return lineErrors.invalidType("body.input", "a string or an array", body.input);
  }
  return Array.isArray(body.input) && body.input.length === 0 ? lineErrors.emptyArray("body.input") : null;
}

/** A validated line as the consumer needs it. */
export type RequestLine = { customId: string; body: JsonObject };

export class InvalidRequestLineError extends Error {
  override readonly name = "InvalidRequestLineError";
}

/**
 * Parses a line that validation already accepted. Throws `InvalidRequestLineError` if it is not
 * one, which means the stored file changed after validation: a permanent error, not a retry.
 */
export function parseRequestLine(text: string): RequestLine {
  const line = parseObject(text);
  if (line === null || typeof line.custom_id !== "string" || !isObject(line.body)) {
    throw new InvalidRequestLineError("The line is not a validated batch request.");
  }
  return { customId: line.custom_id, body: line.body };
}
