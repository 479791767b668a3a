import { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { apiErrorFromZod } from "../../src/errors/zod-error";
import { call, type ErrorEnvelope } from "../helpers/api";

function errorFor(schema: z.ZodType, input: unknown) {
  const result = schema.safeParse(input);
  if (result.success) {
    throw new Error("expected the input to be refused");
  }
  const err = apiErrorFromZod(result.error, input);
  return { message: err.message, param: err.param, code: err.code };
}

// zod's own wording, which says what kind of check failed rather than what is wrong
const ZOD_WORDING = /Invalid input|Too (big|small)|received|expected (number|string|int) to/;

describe("apiErrorFromZod", () => {
  it.each<[string, z.ZodType, unknown, { message: string; param: string | null; code: string }]>([
    [
      "a number too large to represent (1e400 parses as Infinity)",
      z.object({ seconds: z.number().int().min(3600) }),
      { seconds: Number.POSITIVE_INFINITY },
      {
        message: "Invalid 'seconds': must be a finite number, but the value is too large to represent.",
        param: "seconds",
        code: "invalid_value",
      },
    ],
    [
      "a number over the maximum",
      z.object({ n: z.number().int().max(2592000) }),
      { n: 9_999_999 },
      {
        message: "Invalid 'n': expected at most 2592000, but got 9999999.",
        param: "n",
        code: "invalid_value",
      },
    ],
    [
      "an integer past the safe range, which names the field's own bound",
      z.object({ n: z.number().int().max(2592000) }),
      { n: 1e20 },
      {
        message: "Invalid 'n': expected at most 2592000, but got 100000000000000000000.",
        param: "n",
        code: "invalid_value",
      },
    ],
    [
      "a number under an exclusive minimum",
      z.object({ n: z.number().gt(0) }),
      { n: 0 },
      { message: "Invalid 'n': expected more than 0, but got 0.", param: "n", code: "invalid_value" },
    ],
    [
      "a fraction where an integer is expected",
      z.object({ n: z.number().int() }),
      { n: 1.5 },
      {
        message: "Invalid type for 'n': expected an integer, but got a number instead.",
        param: "n",
        code: "invalid_type",
      },
    ],
    [
      "a string too long",
      z.object({ s: z.string().max(3) }),
      { s: "abcd" },
      {
        message: "Invalid 's': expected at most 3 characters, but got 4.",
        param: "s",
        code: "invalid_value",
      },
    ],
    [
      "an empty array",
      z.object({ a: z.array(z.string()).min(1) }),
      { a: [] },
      { message: "Invalid 'a': expected at least 1 item, but got 0.", param: "a", code: "invalid_value" },
    ],
    [
      "a record key too long",
      z.object({ m: z.record(z.string().max(3), z.string()) }),
      { m: { abcd: "x" } },
      {
        message: "Invalid key 'abcd' in 'm': expected at most 3 characters, but got 4.",
        param: "m.abcd",
        code: "invalid_value",
      },
    ],
    [
      "a value of neither type of a union",
      z.object({ id: z.union([z.string(), z.number()]) }),
      { id: true },
      {
        message: "Invalid type for 'id': expected a string or a number, but got a boolean instead.",
        param: "id",
        code: "invalid_type",
      },
    ],
    [
      "a string that misses its pattern",
      z.object({ s: z.string().regex(/^a/) }),
      { s: "b" },
      {
        message: "Invalid 's': expected a string matching the pattern /^a/.",
        param: "s",
        code: "invalid_value",
      },
    ],
    [
      "a number that is not a multiple",
      z.object({ n: z.number().multipleOf(5) }),
      { n: 7 },
      { message: "Invalid 'n': expected a multiple of 5, but got 7.", param: "n", code: "invalid_value" },
    ],
    [
      "a query number that is not one",
      z.object({ limit: z.coerce.number().int() }),
      { limit: "abc" },
      {
        message: "Invalid type for 'limit': expected a number, but got 'abc' instead.",
        param: "limit",
        code: "invalid_type",
      },
    ],
    [
      "a refinement, in its own words",
      z.object({ m: z.string().refine(() => false, { message: "the key 'x' is reserved" }) }),
      { m: "v" },
      { message: "Invalid 'm': the key 'x' is reserved.", param: "m", code: "invalid_value" },
    ],
  ])("words %s", (_label, schema, input, expected) => {
    const error = errorFor(schema, input);
    expect(error).toEqual(expected);
    expect(error.message).not.toMatch(ZOD_WORDING);
  });
});

describe("POST /v1/batches validation wording", () => {
  it("answers output_expires_after.seconds of 1e400 with a finite-number message", async () => {
    const res = await call<ErrorEnvelope>("POST", "/v1/batches", {
      body: '{"input_file_id":"file-x","endpoint":"/v1/chat/completions","completion_window":"24h","output_expires_after":{"anchor":"created_at","seconds":1e400}}',
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    expect(res.body.error).toEqual({
      message:
        "Invalid 'output_expires_after.seconds': must be a finite number, but the value is too large to represent.",
      type: "invalid_request_error",
      param: "output_expires_after.seconds",
      code: "invalid_value",
    });
  });
});
