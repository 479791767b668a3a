import type { z } from "@hono/zod-openapi";
import { ApiError } from "./api-error";

function describe(value: unknown): string {
  if (value === null) {
    return "null";
  }
  if (Array.isArray(value)) {
    return "an array";
  }
  const type = typeof value;
  return type === "object"
    ? "an object"
    : type === "number" && Number.isInteger(value)
      ? "an integer"
      : `a ${type}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== "object") {
      return undefined;
    }
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function pathOf(issue: z.core.$ZodIssue): string | null {
  return issue.path.length > 0 ? issue.path.map(String).join(".") : null;
}

/**
 * Turns the first zod issue of a request into OpenAI's wording: `missing_required_parameter`,
 * `invalid_type` ("Invalid type for 'x': expected a string, but got an array instead.") or
 * `invalid_value`.
 */
export function apiErrorFromZod(error: z.ZodError, input?: unknown): ApiError {
  const issue = error.issues[0];
  if (!issue) {
    return new ApiError("invalid_request", "Invalid request.");
  }
  // zod 4 leaves `issue.input` out unless asked, so the offending value is looked up in the input
  const value = issue.input !== undefined ? issue.input : valueAt(input, issue.path);
  const param = pathOf(issue);
  const name = param ?? "body";
  if (issue.code === "invalid_type") {
    if (value === undefined) {
      return new ApiError("invalid_request", `Missing required parameter: '${name}'.`, {
        param,
        code: "missing_required_parameter",
      });
    }
    return new ApiError(
      "invalid_request",
      `Invalid type for '${name}': expected ${describe(expectedExample(issue.expected))}, but got ${describe(value)} instead.`,
      { param, code: "invalid_type" },
    );
  }
  if (issue.code === "invalid_value") {
    const quoted = issue.values.map((v) => `'${String(v)}'`);
    const supported =
      quoted.length > 1 ? `${quoted.slice(0, -1).join(", ")}, and ${quoted.at(-1)}` : (quoted[0] ?? "");
    return new ApiError(
      "invalid_request",
      `Invalid value: '${String(value)}'. Supported values are: ${supported}.`,
      { param, code: "invalid_value" },
    );
  }
  if (issue.code === "unrecognized_keys") {
    return new ApiError(
      "invalid_request",
      `Unrecognized request argument supplied: ${issue.keys.join(", ")}`,
      {
        param,
        code: "unknown_parameter",
      },
    );
  }
  return new ApiError("invalid_request", `Invalid '${name}': ${issue.message}`, {
    param,
    code: "invalid_value",
  });
}

function expectedExample(expected: string): unknown {
  switch (expected) {
    case "string":
      return "";
    case "number":
      return 0.5;
    case "int":
      return 1;
    case "boolean":
      return true;
    case "array":
      return [];
    case "null":
      return null;
    default:
      return {};
  }
}
