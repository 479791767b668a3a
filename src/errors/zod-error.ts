import type { z } from "@hono/zod-openapi";
import { ApiError } from "./api-error";

/**
 * Turns the first zod issue of a request into OpenAI's wording and codes: `missing_required_parameter`,
 * `invalid_type` ("Invalid type for 'x': expected a string, but got an array instead."),
 * `unknown_parameter` or `invalid_value`. Every issue kind is worded here, so zod's own messages
 * ("expected number, received number") never reach a client; only our refinements' messages do.
 */

type Issue = z.core.$ZodIssue;
type SizeIssue = z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall;

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

const EXPECTED: Record<string, string> = {
  int: "an integer",
  array: "an array",
  tuple: "an array",
  object: "an object",
  record: "an object",
  map: "an object",
  null: "null",
};

function describeExpected(expected: string): string {
  return EXPECTED[expected] ?? `a ${expected}`;
}

/** A value as a message shows it: primitives quoted and cut short, anything else by its kind. */
function shown(value: unknown): string {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
    const text = String(value);
    return `'${text.length > 64 ? `${text.slice(0, 64)}…` : text}'`;
  }
  return describe(value);
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

function pathOf(path: readonly PropertyKey[]): string | null {
  return path.length > 0 ? path.map(String).join(".") : null;
}

/** zod adds a safe-integer bound to every `.int()`; the schema's own bound on the same field says more. */
function pickIssue(issues: readonly Issue[]): Issue | undefined {
  const first = issues[0];
  if (first && (first.code === "too_big" || first.code === "too_small") && first.origin === "int") {
    const samePath = (issue: Issue) => pathOf(issue.path) === pathOf(first.path);
    return issues.find((issue) => issue !== first && samePath(issue)) ?? first;
  }
  return first;
}

function counted(n: number | bigint, noun: string): string {
  return `${n} ${noun}${n === 1 || n === 1n ? "" : "s"}`;
}

/** "expected at most 512 characters, but got 513" and the like. */
function sizeProblem(issue: SizeIssue, value: unknown): string {
  const big = issue.code === "too_big";
  const limit = big ? issue.maximum : issue.minimum;
  const strict = issue.inclusive === false;
  const comparison = issue.exact
    ? "exactly"
    : big
      ? strict
        ? "less than"
        : "at most"
      : strict
        ? "more than"
        : "at least";
  const length = typeof value === "string" || Array.isArray(value) ? `, but got ${value.length}` : "";
  switch (issue.origin) {
    case "string":
      return `expected ${comparison} ${counted(limit, "character")}${length}`;
    case "array":
    case "set":
      return `expected ${comparison} ${counted(limit, "item")}${length}`;
    case "int":
      return `expected an integer ${comparison} ${limit}`;
    default:
      return `expected ${comparison} ${limit}${typeof value === "number" ? `, but got ${value}` : ""}`;
  }
}

function formatProblem(issue: z.core.$ZodIssueInvalidStringFormat): string {
  switch (issue.format) {
    case "regex":
      return `expected a string matching the pattern ${issue.pattern ?? ""}`;
    case "starts_with":
      return `expected a string starting with '${(issue as z.core.$ZodIssueStringStartsWith).prefix}'`;
    case "ends_with":
      return `expected a string ending with '${(issue as z.core.$ZodIssueStringEndsWith).suffix}'`;
    case "includes":
      return `expected a string containing '${(issue as z.core.$ZodIssueStringIncludes).includes}'`;
    case "template_literal":
      return "the string is not in the expected format";
    default:
      return `expected a valid ${issue.format.replaceAll("_", " ")}`;
  }
}

/** The end of "Invalid 'x': …" for the issues that share the code `invalid_value`. */
function problemOf(issue: Issue, value: unknown): string {
  switch (issue.code) {
    case "too_big":
    case "too_small":
      return `${sizeProblem(issue, value)}.`;
    case "invalid_format":
      return `${formatProblem(issue)}.`;
    case "not_multiple_of":
      return `expected a multiple of ${issue.divisor}${typeof value === "number" ? `, but got ${value}` : ""}.`;
    case "invalid_key": {
      const inner = issue.issues[0];
      return inner ? problemOf(inner, issue.path.at(-1)) : "the key is not allowed.";
    }
    case "invalid_element": {
      const inner = issue.issues[0];
      return `an element is invalid: ${inner ? problemOf(inner, undefined) : "it is not allowed."}`;
    }
    case "invalid_union":
      return "it does not match any of the accepted forms.";
    case "custom":
      // our own refinements, written as the end of this sentence
      return issue.message.endsWith(".") ? issue.message : `${issue.message}.`;
    default:
      return "the value is not allowed.";
  }
}

function invalidTypeError(
  issue: z.core.$ZodIssueInvalidType,
  value: unknown,
  param: string | null,
): ApiError {
  const name = param ?? "body";
  if (value === undefined) {
    return new ApiError("invalid_request", `Missing required parameter: '${name}'.`, {
      param,
      code: "missing_required_parameter",
    });
  }
  // JSON numbers like 1e400 parse as Infinity, which is of type number yet no number a field takes
  if (typeof value === "number" && !Number.isFinite(value)) {
    return new ApiError(
      "invalid_request",
      `Invalid '${name}': must be a finite number, but the value is too large to represent.`,
      { param, code: "invalid_value" },
    );
  }
  const got = typeof value === "string" && issue.expected === "number" ? shown(value) : describe(value);
  return new ApiError(
    "invalid_request",
    `Invalid type for '${name}': expected ${describeExpected(issue.expected)}, but got ${got} instead.`,
    { param, code: "invalid_type" },
  );
}

function invalidValueError(values: readonly unknown[], value: unknown, param: string | null): ApiError {
  const quoted = values.map((v) => `'${String(v)}'`);
  const supported =
    quoted.length > 1 ? `${quoted.slice(0, -1).join(", ")}, and ${quoted.at(-1)}` : (quoted[0] ?? "");
  return new ApiError(
    "invalid_request",
    `Invalid value: ${shown(value)}. Supported values are: ${supported}.`,
    {
      param,
      code: "invalid_value",
    },
  );
}

export function apiErrorFromZod(error: z.ZodError, input?: unknown): ApiError {
  const issue = pickIssue(error.issues);
  if (!issue) {
    return new ApiError("invalid_request", "Invalid request.");
  }
  // zod 4 leaves `issue.input` out unless asked, so the offending value is looked up in the input
  const value = issue.input !== undefined ? issue.input : valueAt(input, issue.path);
  const param = pathOf(issue.path);
  switch (issue.code) {
    case "invalid_type":
      return invalidTypeError(issue, value, param);
    case "invalid_value":
      return invalidValueError(issue.values, value, param);
    case "unrecognized_keys":
      return new ApiError(
        "invalid_request",
        `Unrecognized request argument supplied: ${issue.keys.join(", ")}`,
        { param, code: "unknown_parameter" },
      );
    case "invalid_union": {
      const union = unionError(issue, value, param);
      if (union) {
        return union;
      }
      break;
    }
    case "invalid_key":
      // named by the key's own path, as before; the message names the object it is in
      return new ApiError(
        "invalid_request",
        `Invalid key ${shown(issue.path.at(-1))} in '${pathOf(issue.path.slice(0, -1)) ?? "body"}': ${problemOf(issue, value)}`,
        { param, code: "invalid_value" },
      );
  }
  return new ApiError("invalid_request", `Invalid '${param ?? "body"}': ${problemOf(issue, value)}`, {
    param,
    code: "invalid_value",
  });
}

/** A discriminator's options, or "expected a string or a number" when every branch wanted another type. */
function unionError(
  issue: z.core.$ZodIssueInvalidUnion,
  value: unknown,
  param: string | null,
): ApiError | null {
  const options = "options" in issue ? issue.options : undefined;
  if (options && options.length > 0) {
    return invalidValueError(options, value, param);
  }
  const expected = issue.errors.map((branch) => {
    const first = branch[0];
    return first?.code === "invalid_type" && first.path.length === 0
      ? describeExpected(first.expected)
      : null;
  });
  if (expected.length === 0 || expected.some((type) => type === null)) {
    return null;
  }
  return new ApiError(
    "invalid_request",
    `Invalid type for '${param ?? "body"}': expected ${[...new Set(expected)].join(" or ")}, but got ${describe(value)} instead.`,
    { param, code: "invalid_type" },
  );
}
