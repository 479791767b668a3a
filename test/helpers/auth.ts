import { expect, it } from "vitest";
import type { ApiResponse, ErrorEnvelope } from "./api";

/** The 401 cases every authenticated route shares: no key, and a key no project has. */
export function describeAuthCases(request: (key: string | null) => Promise<ApiResponse<unknown>>): void {
  it.each([
    ["no key", null],
    ["a wrong key", "sk-wrong-key-0123456789"],
  ])("answers 401 invalid_api_key with %s", async (_label, key) => {
    const res = await request(key);
    expect(res.status).toBe(401);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    expect((res.body as ErrorEnvelope).error).toMatchObject({
      type: "invalid_request_error",
      code: "invalid_api_key",
      param: null,
    });
  });
}
