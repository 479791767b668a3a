import { describe, expect, it } from "vitest";
import { httpErrorLine, nonHttpErrorLine, successLine } from "../../src/domain/batch-line";

describe("output lines", () => {
  it("writes a success line in OpenAI's shape", () => {
    const line = JSON.parse(successLine("req-1", { id: "chatcmpl-x", object: "chat.completion" }, "req_abc"));
    expect(line).toEqual({
      id: expect.stringMatching(/^batch_req_/),
      custom_id: "req-1",
      response: {
        status_code: 200,
        request_id: "req_abc",
        body: { id: "chatcmpl-x", object: "chat.completion" },
      },
      error: null,
    });
  });

  it("puts an HTTP failure in response with its status and error body, error null", () => {
    const line = JSON.parse(
      httpErrorLine("req-2", 429, {
        message: "busy",
        type: "rate_limit_error",
        param: null,
        code: "3040",
        attempts: 5,
      }),
    );
    expect(line.error).toBeNull();
    expect(line.response.status_code).toBe(429);
    expect(line.response.body.error).toEqual({
      message: "busy",
      type: "rate_limit_error",
      param: null,
      code: "3040",
      attempts: 5,
    });
  });

  it.each([
    ["batch_expired", "This request could not be executed before the completion window expired."],
    ["batch_cancelled", "The batch was cancelled before this request executed."],
  ] as const)("writes a non-HTTP %s line with response null", (code, message) => {
    const line = JSON.parse(nonHttpErrorLine("req-3", code));
    expect(line).toEqual({
      id: expect.stringMatching(/^batch_req_/),
      custom_id: "req-3",
      response: null,
      error: { code, message },
    });
  });

  it("gives every line its own id", () => {
    expect(JSON.parse(successLine("a", {})).id).not.toBe(JSON.parse(successLine("a", {})).id);
  });
});
