import { describe, expect, it } from "vitest";
import { InferenceError } from "../../src/inference/types";
import { toInferenceError } from "../../src/inference/workers-ai-errors";

/** What the binding throws: workerd's InferenceUpstreamError, named after the upstream error. */
function bindingError(message: string, name = "AiError"): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}

describe("toInferenceError", () => {
  it.each([
    ["3040", 429, true],
    ["3036", 429, false],
    ["3007", 408, true],
    ["3008", 408, true],
    ["3006", 413, false],
    ["3003", 400, false],
    ["5004", 400, false],
    ["5006", 400, false],
    ["5007", 400, false],
    ["3042", 404, false],
    ["5005", 405, false],
    ["5016", 403, false],
    ["5018", 403, false],
    ["3041", 403, false],
    ["3023", 403, false],
  ])("maps Workers AI %s to HTTP %i (transient: %s)", (code, status, transient) => {
    const err = toInferenceError(bindingError(`${code}: something went wrong`));
    expect(err).toBeInstanceOf(InferenceError);
    expect(err).toMatchObject({ code, status, transient });
    expect(err.message).toBe(`Workers AI error ${code}: something went wrong`);
  });

  it.each([
    [
      "a prefixed string",
      "InferenceUpstreamError: 3040: No more data centers to forward the request to",
      "3040",
    ],
    ["a code with no description", "5007:", "5007"],
  ])("finds the code in %s", (_label, message, code) => {
    expect(toInferenceError(new Error(message)).code).toBe(code);
  });

  it.each([
    ["a generic 429", "429 Too Many Requests", 429, true],
    ["a rate limit message", "Rate limit reached for this model", 429, true],
    ["a gateway timeout page", "<html>504 Gateway Time-out</html>", 504, true],
    ["a 502", "upstream returned 502", 502, true],
    ["a lost connection", "Network connection lost.", 503, true],
    ["anything else", "something odd", 500, true],
  ])("maps %s to %i, transient", (_label, message, status, transient) => {
    expect(toInferenceError(new Error(message))).toMatchObject({ status, transient });
  });

  it("treats an unknown 4-digit code by its text, not as a Workers AI code", () => {
    expect(toInferenceError(new Error("9999: who knows"))).toMatchObject({
      status: 500,
      code: "upstream_error",
    });
  });

  it("maps an AbortError to a retryable 408", () => {
    const abort = new DOMException("aborted", "AbortError");
    expect(toInferenceError(abort)).toMatchObject({ status: 408, transient: true });
  });

  it("keeps an InferenceError as it is", () => {
    const original = new InferenceError("x", { status: 400, code: "invalid_value", transient: false });
    expect(toInferenceError(original)).toBe(original);
  });

  it("accepts non-Error throws", () => {
    expect(toInferenceError("3040: busy")).toMatchObject({ code: "3040", status: 429 });
  });
});
