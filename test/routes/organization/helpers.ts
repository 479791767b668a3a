import { expect, it } from "vitest";
import type { ApiResponse, ErrorEnvelope } from "../../helpers/api";
import { PROJECT_A } from "../../helpers/projects";

/**
 * The key cases every Admin API route shares: no key and an unknown key get 401 `invalid_api_key`,
 * a project key gets 403 — all in OpenAI's envelope with a request id.
 */
export function describeAdminAuthCases(request: (key: string | null) => Promise<ApiResponse<unknown>>): void {
  it.each([
    ["no key", null, 401, "invalid_api_key"],
    ["an unknown key", "sk-admin-wrong-0123456789", 401, "invalid_api_key"],
    ["a project key", PROJECT_A.key, 403, "insufficient_permissions"],
  ] as const)("answers %s with the status and code of its kind", async (_label, key, status, code) => {
    const res = await request(key);
    expect(res.status).toBe(status);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    expect((res.body as ErrorEnvelope).error).toMatchObject({
      type: "invalid_request_error",
      code,
      param: null,
    });
  });
}

/** Body of an error response, asserted on status, code and param. */
export function expectApiError(
  res: ApiResponse<unknown>,
  status: number,
  expected: { code?: string | null; param?: string | null; message?: RegExp },
): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("x-request-id")).toMatch(/^req_/);
  const { error } = res.body as ErrorEnvelope;
  expect(error.type).toBe("invalid_request_error");
  if (expected.code !== undefined) {
    expect(error.code).toBe(expected.code);
  }
  if (expected.param !== undefined) {
    expect(error.param).toBe(expected.param);
  }
  if (expected.message) {
    expect(error.message).toMatch(expected.message);
  }
}
