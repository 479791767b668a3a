/**
 * The entries of a failed batch's `errors.data[]`, with every code and message validation can
 * produce. Messages observed from OpenAI are copied exactly (openai-batch-contract.md §2.4); the
 * others follow OpenAI's wording for the same kind of error (`invalid_type`, `invalid_value`,
 * `empty_array`). User-supplied strings are cut short so a hostile line cannot bloat the list.
 */

/** One element of OpenAI's `errors.data[]` on a failed batch. */
export type BatchError = {
  code: string;
  message: string;
  param: string | null;
  /** 1-based line in the input file, or null for a file-level error. */
  line: number | null;
};

/** A per-line error before the line number is attached. */
export type LineError = Omit<BatchError, "line">;

const MAX_ECHO_CHARS = 200;

function echo(value: string): string {
  if (value.length <= MAX_ECHO_CHARS) {
    return value;
  }
  const cut = value.slice(0, MAX_ECHO_CHARS);
  // Never leave half a surrogate pair at the cut.
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
}

function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** OpenAI's names for JSON types, as in "expected a string, but got an array instead". */
export function describeType(value: unknown): string {
  if (value === null) {
    return "null";
  }
  if (Array.isArray(value)) {
    return "an array";
  }
  switch (typeof value) {
    case "string":
      return "a string";
    case "number":
      return Number.isInteger(value) ? "an integer" : "a decimal";
    case "boolean":
      return "a boolean";
    default:
      return "an object";
  }
}

export const lineErrors = {
  invalidJson: (): LineError => ({
    code: "invalid_json_line",
    message: "This line is not parseable as valid JSON.",
    param: null,
  }),
  tooLarge: (bytes: number, limit: number): LineError => ({
    code: "line_too_large",
    message: `This line is ${formatCount(bytes)} bytes, over the limit of ${formatCount(limit)} bytes per line.`,
    param: null,
  }),
  missing: (param: string): LineError => ({
    code: "missing_required_parameter",
    message: `Missing required parameter: '${param}'.`,
    param,
  }),
  invalidType: (param: string, expected: string, value: unknown): LineError => ({
    code: "invalid_type",
    message: `Invalid type for '${param}': expected ${expected}, but got ${describeType(value)} instead.`,
    param,
  }),
  invalidMethod: (method: string): LineError => ({
    code: "invalid_value",
    message: `Invalid value: '${echo(method)}'. Supported values are: 'POST'.`,
    param: "method",
  }),
  invalidUrl: (): LineError => ({
    code: "invalid_url",
    message: "The URL provided for this request does not match the batch endpoint.",
    param: "url",
  }),
  required: (what: "Model" | "Messages" | "Prompt" | "Input", param: string): LineError => ({
    code: "invalid_request",
    message: `${what} parameter is required.`,
    param,
  }),
  emptyArray: (param: string): LineError => ({
    code: "empty_array",
    message: `Invalid '${param}': empty array. Expected an array with minimum length 1, but got an empty array instead.`,
    param,
  }),
  modelNotFound: (model: string, param = "body.model"): LineError => ({
    code: "model_not_found",
    message: `The provided model '${echo(model)}' is not supported by the Batch API.`,
    param,
  }),
  modelWrongTask: (model: string, task: string, endpoint: string): LineError => ({
    code: "invalid_request",
    message: `The model '${echo(model)}' is a ${task} model and cannot be used with ${endpoint}.`,
    param: "body.model",
  }),
  /** A feature the line's model lacks (from the model's published JSON). */
  unsupportedFeature: (
    model: { requested: string; id: string },
    feature: string,
    param: string,
  ): LineError => ({
    code: "unsupported_parameter",
    message: `The model '${echo(model.requested)}' (${model.id}) does not support ${feature}. GET /v1/models lists each model's capabilities.`,
    param: `body.${param}`,
  }),
  streaming: (label: string): LineError => ({
    code: "streaming_unsupported",
    message: `${label}: Streaming is not supported in the Batch API.`,
    param: "body.stream",
  }),
  duplicateCustomId: (): LineError => ({
    code: "duplicate_custom_id",
    message:
      "The custom_id for this request is a duplicate of another request. The custom_id parameter must be unique for each request in a batch.",
    param: "custom_id",
  }),
  modelMismatch: (batchModel: string, lineModel: string): LineError => ({
    code: "model_mismatch",
    message: `This request uses the model '${echo(lineModel)}', but earlier requests in this batch use '${echo(batchModel)}'. A batch can only include requests to a single model.`,
    param: "body.model",
  }),
  tooManyTasks: (limit: number): LineError => ({
    code: "too_many_tasks",
    message: `This batch has more than ${formatCount(limit)} requests. A batch can include at most ${formatCount(limit)} requests.`,
    param: null,
  }),
};

export const fileErrors = {
  emptyFile: (): BatchError => ({
    code: "empty_file",
    message: "The input file contains no requests.",
    param: null,
    line: null,
  }),
  /** The batch's own `model` (a create extension) is not served; every line would fail. */
  baseModelNotFound: (model: string): BatchError => ({
    ...lineErrors.modelNotFound(model, "model"),
    line: null,
  }),
  /** The closing entry a caller may append when `omitted` errors were not listed. */
  omitted: (count: number): BatchError => ({
    code: "too_many_errors",
    message: `${formatCount(count)} more ${count === 1 ? "error was" : "errors were"} found in this file but not listed.`,
    param: null,
    line: null,
  }),
};
